"""The desktop entry point: check a window can be opened, then run the editor.

Where no display exists or Qt's xcb plugin lacks a system library, say so in one line
(instead of Qt's plugin abort) and point at the commands that work without a display.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from cgeditor.gui.window import MainWindow
    from cgeditor.model.graph import Graph

# soname Qt's xcb plugin loads -> the Debian/Ubuntu package that provides it
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
}
APT_HINT = "sudo apt-get install " + " ".join(XCB_LIBRARIES.values())
HEADLESS_HINT = ("without a display use `cgeditor run FILE`, `cgeditor check FILE` "
                 "or `cgeditor build ...`")


def library_loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def display_problem(env: Mapping[str, str] | None = None, platform: str | None = None,
                    loads: Callable[[str], bool] = library_loads) -> str | None:
    """One line saying why no window can be opened here, or None if one can."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith("linux"):
        return None  # macOS and Windows ship what Qt needs
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa and not qpa.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: the user chose a plugin on purpose
    if not qpa and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return (f"cgeditor: no display to open a window on (DISPLAY and WAYLAND_DISPLAY are "
                f"unset); {HEADLESS_HINT}")
    if not qpa and env.get("WAYLAND_DISPLAY"):
        return None  # Qt uses its wayland plugin, which needs none of the xcb libraries
    missing = [soname for soname in XCB_LIBRARIES if not loads(soname)]
    if not missing:
        return None
    return (f"cgeditor: cannot open a window: Qt's xcb plugin needs {', '.join(missing)} "
            f"(install with: {APT_HINT}); {HEADLESS_HINT}")


def main(path: str | None = None) -> int:
    """Run the editor on ``path`` (or the seed example / recovered work); the exit code."""
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    # Qt and the window load only now, after the display check: without a display the
    # editor says so in one line instead of Qt aborting the process.
    from cgeditor.gui import settings as app_settings
    from cgeditor.gui.interrupt import quit_on_signals
    from cgeditor.gui.window import MainWindow

    app = application()
    # Ctrl+C in the terminal: closed, unsaved work kept. From the start on: a signal at its
    # recovery prompt (a nested event loop) ends the start before the window shows.
    with quit_on_signals(app) as quitter:
        window = MainWindow(path, settings=app_settings.make_settings())
        if quitter.code is not None:
            return quitter.code
        present(window)
        return int(app.exec())


def application() -> QApplication:
    """The running QApplication, or a new one named cgeditor (embedders, IPython's
    ``%gui qt`` and tests may already have one)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Fractional scale factors (150 %) as they are, rather than rounded to 1× or 2×.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
    app.setApplicationName("cgeditor")
    app.setOrganizationName("cgeditor")
    app.setApplicationDisplayName("cgeditor")
    return app  # type: ignore[return-value]


def present(window: MainWindow) -> None:
    """Show ``window`` where it was last, fitted to the screen, its graph fitted to it."""
    from PySide6.QtCore import QTimer

    from cgeditor.gui import settings as app_settings

    app_settings.place_window(window, window.settings)
    window.show()
    app_settings.fit_to_screen(window)  # again: the frame's size is known once shown
    fit = window.action("fit")
    if fit is not None:  # the graph was placed before the view had its real size
        QTimer.singleShot(0, fit.trigger)


def show(graph: Graph | None = None) -> Graph:
    """Open the editor on a copy of ``graph`` (a new graph if None) and wait until its
    window closes; return what the window then holds, as a new Graph. Closing asks nothing
    about the graph from the script: the edits come back as the result (Save As still
    writes a file). Works whether or not a QApplication exists (IPython's ``%gui qt``
    makes one). RuntimeError, saying why, where no window can be opened."""
    problem = display_problem()
    if problem:
        raise RuntimeError(problem)
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    from cgeditor.gui import settings as app_settings
    from cgeditor.gui.window import MainWindow
    from cgeditor.model.graph import Graph

    application()
    window = MainWindow(settings=app_settings.make_settings(),
                        graph=(graph if graph is not None else Graph()).copy())
    loop = QEventLoop()
    held: list[Graph] = []  # a copy of the window's graph, taken as it closes
    window.closed.connect(lambda: held.append(window.graph.copy()))
    window.closed.connect(loop.quit)
    present(window)
    window.raise_()  # over the terminal or notebook that opened it, once it is on screen
    QTimer.singleShot(0, window.activateWindow)
    loop.exec()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    return held[0]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))

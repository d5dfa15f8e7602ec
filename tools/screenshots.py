#!/usr/bin/env python3
"""Take every picture README.md shows, as a user sees it, on a 1280×800 X display.

Usage, from the repository root with the project's environment active:

    python tools/screenshots.py [--display :105] [--out resources/screenshots] [NAME ...]

NAME picks pictures (the file names without .png; all of them by default). Needs Xvfb,
xdotool and ImageMagick (``import``, ``convert``); pngquant and optipng shrink the files when
installed (``apt-get install xvfb xdotool imagemagick pngquant optipng``). CI does not run it.

Each window picture is a first start of the real editor (``cgeditor.gui.app.main``) with a
clean, temporary HOME and XDG_CONFIG_HOME: default docks, nothing remembered, the first-run
hint over the seed example. An Xvfb of 1280×800 is started on the display unless one runs
there (no window manager: the window fills the screen, without a title bar). A driver inside
the editor's process moves the mouse, clicks and types through the X server with xdotool, as
a user would; it reads widgets only to find where to click and to wait until a step has
finished (tools/driver_scenes.py). The picture is the whole screen, grabbed with ``import``.

- seed-backward(-dark), xor/softmax/matrix-backward-light/dark: View > Theme > Dark for the
  dark ones, File > Examples and a double-click on the example (the seed is what a first
  start opens), F5, F6, then a click on a parameter (w, W1, W, W) so the Inspector and the
  Chain rule dock explain it.
- guide-build: File > New, ``c = w*x`` typed in the toolbar's formula field, an add dragged
  from the Ops palette, and a wire dragged from c's output onto add's input a: the picture is
  taken while the mouse button is still down.
- guide-step: F10 once per node, then three more (into the backward pass).
- guide-forward-mode: a click on w, then Run > Forward Mode from w.
- guide-learn: F5, F6, Learn > Gradient Check, Learn > Train (the defaults: 200 SGD
  steps), View > Fit Graph.
- guide-practice: Learn > Practice, the seed's forward pass and first two gradients typed,
  then a wrong ∂J/∂y, 1 (its hint).
- guide-ordering: Learn > Ordering Exercise, the Backward pass chosen in the dock, ∂J/∂sq
  dragged to the top of the cards, Check, and a card marked misplaced clicked.
- guide-gradient-graph: Learn > Show Gradient Graph on the seed, F5, and a click on dJ_dw.
- guide-formula-export: Edit > Insert Formula with a formula typed, and File > Export Code >
  Export as NumPy Module wheeled down to the forward pass; the two dialogs are cut from the
  screen and put side by side.
- guide-python: a script traces the README's J and opens it with ``cgeditor.show``; F5, F6
  and a click on w, as seed-backward.
- guide-failure-lab: Learn > Failure-mode Lab, the dead-ReLU case clicked and opened, b
  set to −3 in the Inspector, F6.
- xor-trained-tb: the command line, ``cgeditor train`` on the XOR example (2000 steps, lr 1),
  then ``cgeditor export … --run --scale 2 --theme light --direction TB``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "resources" / "examples"
SIZE = "1280x800"
WINDOW_PICTURES = (
    "seed-backward", "seed-backward-dark", "xor-backward-light", "xor-backward-dark",
    "softmax-backward-light", "softmax-backward-dark", "matrix-backward-light",
    "matrix-backward-dark", "guide-build", "guide-step", "guide-forward-mode", "guide-learn",
    "guide-practice", "guide-ordering", "guide-gradient-graph", "guide-formula-export",
    "guide-python", "guide-failure-lab")
CLI_PICTURES = ("xor-trained-tb",)
EXAMPLE_TITLES = {"xor": "A 2-2-1 network", "softmax": "Softmax", "matrix": "A matrix layer"}


# --- the outside: display, clean homes, the CLI picture, shrinking ------------------------
def ensure_display(display: str) -> subprocess.Popen[bytes] | None:
    """Start Xvfb on ``display`` unless an X server answers there; the process we started."""
    if subprocess.run(["xdpyinfo", "-display", display], capture_output=True).returncode == 0:
        return None
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{SIZE}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        time.sleep(0.1)
        if subprocess.run(["xdpyinfo", "-display", display],
                          capture_output=True).returncode == 0:
            return xvfb
    xvfb.terminate()
    raise SystemExit(f"screenshots: Xvfb did not start on {display}")


def clean_env(home: Path, display: str) -> dict[str, str]:
    """The environment of a first start: a fresh HOME, no remembered settings, our display."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "QT_", "CGEDITOR_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), XDG_CACHE_HOME=str(home / ".cache"),
               DISPLAY=display, PYTHONPATH=str(ROOT), LANG="C.UTF-8")
    return env


def shrink(path: Path) -> None:
    """Make ``path`` small: 256-colour quantisation (UI pictures lose nothing visible) and
    lossless recompression, each only where the tool is installed; metadata stripped."""
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--strip", "--speed", "1",
                        "--quality", "80-100", "--output", str(path), str(path)], check=False)
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-strip", "all", "-o2", str(path)], check=False)
    elif shutil.which("convert"):
        subprocess.run(["convert", str(path), "-strip", str(path)], check=True)


def cli_picture(out: Path, display: str) -> None:
    """xor-trained-tb.png: the XOR example trained and exported by the command line."""
    with tempfile.TemporaryDirectory(prefix="cgeditor-shots-") as tmp:
        env = clean_env(Path(tmp), display)
        trained = Path(tmp) / "xor-trained.cgraph"
        cli = [sys.executable, "-m", "cgeditor"]
        subprocess.run([*cli, "train", str(EXAMPLES / "xor.cgraph"), "--steps", "2000",
                        "--lr", "1", "-o", str(trained)], env=env, check=True)
        target = out / "xor-trained-tb.png"
        subprocess.run([*cli, "export", str(trained), "-o", str(target), "--run", "--scale",
                        "2", "--theme", "light", "--direction", "TB"], env=env, check=True)
    shrink(target)


def window_picture(name: str, out: Path, display: str) -> bool:
    """Run the editor once, first start, with the driver taking picture ``name``."""
    with tempfile.TemporaryDirectory(prefix="cgeditor-shots-") as tmp:
        env = clean_env(Path(tmp), display)
        child = [sys.executable, str(Path(__file__).resolve()), "--child", name,
                 "--out", str(out), "--display", display]
        try:
            done = subprocess.run(child, env=env, timeout=240)
        except subprocess.TimeoutExpired:
            print(f"screenshots: {name} timed out", file=sys.stderr)
            return False
    if done.returncode != 0:
        print(f"screenshots: {name} failed (exit {done.returncode})", file=sys.stderr)
        return False
    shrink(out / f"{name}.png")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="pictures to take (default: all)")
    parser.add_argument("--display", default=os.environ.get("DISPLAY", ":99") or ":99")
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "screenshots")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        from driver_scenes import run_child  # the editor's process: Qt is imported only here
        return run_child(args.child, args.out.resolve(), args.display)
    names = args.names or [*WINDOW_PICTURES, *CLI_PICTURES]
    unknown = sorted(set(names) - {*WINDOW_PICTURES, *CLI_PICTURES})
    if unknown:
        parser.error(f"unknown pictures: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    xvfb = ensure_display(args.display)
    failed = []
    try:
        for name in names:
            print(f"screenshots: {name}", flush=True)
            if name in CLI_PICTURES:
                cli_picture(args.out.resolve(), args.display)
            elif not window_picture(name, args.out.resolve(), args.display):
                failed.append(name)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    for name in names:
        path = args.out / f"{name}.png"
        if path.exists():
            print(f"{path.name}: {path.stat().st_size // 1024} KB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())

"""Save writes only files that open again: the open size limit applies to saving too."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from cgeditor.model import files, files_parse
from tests.graphs import seed_graph as build_seed


def test_a_graph_too_large_to_open_again_is_not_saved(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    """Save writes only what load accepts: past the size limit the old file stays as it was
    and the error says why (the limit shrunk to stand for 64 MiB of tensor values)."""
    path = tmp_path / "seed.cgraph"
    files.save(build_seed(), path)
    before = path.read_bytes()
    monkeypatch.setattr(files_parse, "MAX_FILE_BYTES", len(before) - 1)
    with pytest.raises(OSError, match="could not be opened again") as caught:
        files.save(build_seed(), path)
    assert caught.value.errno == errno.EFBIG
    assert path.read_bytes() == before and not (tmp_path / "seed.cgraph.bak").exists()
    monkeypatch.setattr(files_parse, "MAX_FILE_BYTES", len(before))  # exactly at the limit
    files.save(build_seed(), path)
    assert files.load(path).output == build_seed().output


@pytest.mark.parametrize("meta, words", [
    ({"title": "t" * 1001}, "at most 1000"),
    ({f"k{i}": 1 for i in range(65)}, "/meta"),
    ({"title": 5}, "'title' must be a string"),
    ({"title": "\ud800"}, "cannot be written as JSON"),
    ({"tags": {1, 2}}, "cannot be written as JSON"),
    ({"scale": float("nan")}, "cannot be written as JSON"),
])
def test_meta_a_script_set_that_would_not_open_again_is_not_saved(tmp_path: Path, meta,
                                                                  words: str) -> None:
    path = tmp_path / "seed.cgraph"
    files.save(build_seed(), path)
    before = path.read_bytes()
    graph = build_seed()
    graph.meta.update(meta)
    with pytest.raises(OSError, match="could not be opened again") as caught:
        files.save(graph, path)
    assert caught.value.errno == errno.EINVAL and words in str(caught.value)
    assert path.read_bytes() == before

"""Fixtures shared by the engine's tests."""

from __future__ import annotations

import pytest

from cgeditor.core import compiled as straight_line


@pytest.fixture(params=["tables", "code"])
def uniform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test twice: arrays of one shape from tables (core/tables.py), then from compiled
    UNIFORM code, as plans with an op that tables cannot run are."""
    if request.param == "code":
        monkeypatch.setattr(straight_line, "tables", lambda _plan: None)
    return request.param

"""Shared fixtures: every test runs in quick mode with its own results folder."""

import matplotlib
import pytest

# Unit tests draw figures without a screen; notebooks keep their inline backend.
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _isolated_run(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_BOOK_MODE", "quick")
    monkeypatch.setenv("RNN_BOOK_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("RNN_BOOK_STATIC", "1")

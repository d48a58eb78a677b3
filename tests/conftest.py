"""Shared fixtures: every test runs in quick mode with its own results folder."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_run(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_BOOK_MODE", "quick")
    monkeypatch.setenv("RNN_BOOK_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("RNN_BOOK_STATIC", "1")

"""rh.results: recording headline numbers for the results page."""

import json

import pytest

from rnn_helpers import data, results


def test_record_appends_with_mode_and_returns_value(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_last_source", "full MNIST (test)")
    assert results.record("test accuracy", 0.912, "fraction", "01") == 0.912
    results.record("seconds per epoch", 1.5, "s", "01", data="none")
    entries = json.loads((tmp_path / "results" / "results.json").read_text())
    assert [(e["name"], e["mode"], e["data"]) for e in entries] == [
        ("test accuracy", "quick", "full MNIST (test)"),
        ("seconds per epoch", "quick", "none"),
    ]


def test_recording_again_replaces_only_the_same_mode(monkeypatch):
    results.record("test accuracy", 0.5, "fraction", "01")
    results.record("test accuracy", 0.6, "fraction", "01")
    monkeypatch.setenv("RNN_BOOK_MODE", "full")
    results.record("test accuracy", 0.9, "fraction", "01")
    values = sorted((e["mode"], e["value"]) for e in results.load())
    assert values == [("full", 0.9), ("quick", 0.6)]


def test_default_folder_is_build_results_at_the_top_of_the_book(tmp_path, monkeypatch):
    monkeypatch.delenv("RNN_BOOK_RESULTS")
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")
    assert results.results_dir() == tmp_path / "_build" / "results"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 1.0, "s", "01"), "name must be a non-empty string"),
        (("x", "fast", "s", "01"), "value must be a number"),
        (("x", float("nan"), "s", "01"), "must be finite"),
        (("x", 1.0, "s", 1), "chapter must be a string"),
    ],
)
def test_record_rejects_bad_entries(args, message):
    with pytest.raises(ValueError, match=message):
        results.record(*args)


def test_table_formats_values_by_unit():
    results.record("test accuracy", 0.9123, "fraction", "02", data="d")
    results.record("speed-up", 12.34, "x", "01", data="d")
    table = results.table()
    assert table.splitlines()[2] == "| 01 | speed-up | 12.3× | x | quick | d |"
    assert "| 02 | test accuracy | 91.2% | fraction | quick | d |" in table
    assert "91.2%" not in results.table(chapter="01")
    assert len(results.table(mode="full").splitlines()) == 2


def test_corrupt_results_file_is_reported(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "results.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        results.load()

"""rh.results: recording headline numbers for the results page."""

import json
import os

import numpy as np
import pytest

from rnn_helpers import data, results


def test_record_appends_with_mode_and_data_source(tmp_path):
    mnist = data.MnistData(
        ((), ()), ((), ()), source="full MNIST (test)", is_full=True, note="n"
    )
    assert results.record("test accuracy", 0.912, "fraction", "01", data=mnist) == 0.912
    results.record("seconds per epoch", 1.5, "s", "01", data="none")
    results.record("gradient error", 1e-9, "", "01")
    entries = json.loads((tmp_path / "results" / "results.json").read_text())
    assert [(e["name"], e["mode"], e["data"]) for e in entries] == [
        ("test accuracy", "quick", "full MNIST (test)"),
        ("seconds per epoch", "quick", "none"),
        ("gradient error", "quick", "generated in the chapter"),
    ]


def test_record_takes_the_source_of_a_loaded_text():
    corpus = data.load_text()
    results.record("loss", 1.5, "nats/char", "04", data=corpus)
    assert results.load()[0]["data"] == corpus.source


def test_recording_again_replaces_only_the_same_mode(monkeypatch):
    results.record("test accuracy", 0.5, "fraction", "01", data="d")
    results.record("test accuracy", 0.6, "fraction", "01", data="d")
    monkeypatch.setenv("RNN_BOOK_MODE", "full")
    results.record("test accuracy", 0.9, "fraction", "01", data="d")
    values = sorted((e["mode"], e["value"]) for e in results.load())
    assert values == [("full", 0.9), ("quick", 0.6)]


def test_default_folder_is_build_results_at_the_top_of_the_book(tmp_path, monkeypatch):
    monkeypatch.delenv("RNN_BOOK_RESULTS")
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")
    assert results.results_dir() == tmp_path / "_build" / "results"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("", 1.0, "s", "01"), {}, "name must be a non-empty string"),
        (("x", "fast", "s", "01"), {}, "value of 'x' must be a finite number"),
        (("x", "0.5", "s", "01"), {}, "value of 'x' must be a finite number"),
        (("x", True, "fraction", "01"), {}, r"value of 'x' .* True \(a bool\)"),
        (("x", np.array([0.5]), "s", "01"), {}, "value of 'x' must be"),
        (("x", float("nan"), "s", "01"), {}, "must be a finite number, got nan"),
        (("x", 1.0, None, "01"), {}, r"unit \(a string, '' for none\) must be"),
        (("x", 1.0, "s", 1), {}, r"chapter \(a string like '01'\) must be"),
        (("x", 1.0, "s", "01"), {"data": 3}, r"data \(a string, or an object"),
    ],
)
def test_record_rejects_bad_entries_and_writes_nothing(tmp_path, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        results.record(*args, **kwargs)
    assert not (tmp_path / "results" / "results.json").exists()


def test_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    results.record("kept", 1.0, "", "01", data="d")

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(results.json, "dump", broken_dump)
        with pytest.raises(OSError, match="disk full"):
            results.record("lost", 2.0, "", "01", data="d")
    folder = tmp_path / "results"
    assert not [f for f in os.listdir(folder) if f.endswith(".tmp")]
    assert [e["name"] for e in results.load()] == ["kept"]


def test_table_puts_the_unit_in_the_value_column_once():
    results.record("test accuracy", 0.9123, "fraction", "02", data="d")
    results.record("speed-up", 12.34, "x", "01", data="d")
    results.record("seconds per epoch", 1.5, "s", "01", data="d")
    table = results.table()
    assert table.splitlines()[0] == "| chapter | quantity | value | mode | data |"
    assert table.splitlines()[2] == "| 01 | speed-up | 12.3× | quick | d |"
    assert "| 01 | seconds per epoch | 1.5 s | quick | d |" in table
    assert "| 02 | test accuracy | 91.2% | quick | d |" in table
    assert "91.2%" not in results.table(chapter="01")
    assert len(results.table(mode="full").splitlines()) == 2


def test_table_escapes_pipes_so_every_row_has_the_header_cells():
    results.record(
        "largest |NumPy - TensorFlow| difference", 3e-16, "", "03", data="a|b"
    )
    row = results.table().splitlines()[2]
    assert row == (
        r"| 03 | largest \|NumPy - TensorFlow\| difference | 3e-16 | quick | a\|b |"
    )
    cells = row.replace(r"\|", "").strip("|").split("|")
    assert len(cells) == 5


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1.234e-4, "", "0.000123"),
        (8.34e-4, "", "0.000834"),
        (2.5e-11, "", "2.5e-11"),
        (0.0, "", "0"),
        (12345.6, "", "12,346"),
        (0.25, "nats/char", "0.25 nats/char"),
        (0.911, "fraction", "91.1%"),
        (2e-5, "fraction", "0.002%"),
        (0.0, "fraction", "0.0%"),
        (0.04, "x", "0.04×"),
        (3.21, "points", "3.21 points"),
    ],
)
def test_format_value_keeps_significant_digits(value, unit, shown):
    assert results.format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"a": 1}', "should hold a JSON list of results, got a dict"),
        ('[{"chapter": "01"}]', "entry 0 is .* expected an object with chapter"),
        ("[1, 2]", "entry 0 is 1"),
        (
            '[{"chapter": "01", "name": "x", "value": "0.5", "unit": "", '
            '"mode": "quick", "data": "d", "time": "t"}]',
            "value a number",
        ),
    ],
)
def test_malformed_results_file_is_reported(tmp_path, content, message):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "results.json").write_text(content)
    with pytest.raises(ValueError, match=message):
        results.load()
    with pytest.raises(ValueError, match="delete"):
        results.record("x", 1.0, "", "01", data="d")


def _record_many(folder, chapter, count):
    os.environ["RNN_BOOK_RESULTS"] = folder
    os.environ["RNN_BOOK_MODE"] = "quick"
    for i in range(count):
        results.record(f"number {i}", float(i), "", chapter, data="d")


def test_kernels_recording_at_once_lose_no_entry(tmp_path):
    import multiprocessing

    folder = str(tmp_path / "results")
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    workers = [
        context.Process(target=_record_many, args=(folder, f"0{k}", 15))
        for k in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    assert len(results.load()) == 3 * 15


def test_loading_data_leaves_no_source_behind_for_later_records(tmp_path):
    # The source travels with the data; nothing remembers the last load.
    (tmp_path / "t.txt").write_text("some text", encoding="utf-8")
    data.load_text(tmp_path / "t.txt")
    results.record("x", 1.0, "", "01")
    assert results.load()[0]["data"] == "generated in the chapter"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [(dict(chapter=1), "chapter"), (dict(mode="fast"), "mode must be one of")],
)
def test_table_rejects_a_chapter_or_mode_that_cannot_match(kwargs, message):
    with pytest.raises(ValueError, match=message):
        results.table(**kwargs)


def test_table_shows_only_each_chapters_latest_run(monkeypatch):
    monkeypatch.setattr(results, "RUN", "first")
    results.record("old name", 1.0, "", "03", data="d")
    results.record("kept", 2.0, "", "04", data="d")
    monkeypatch.setattr(results, "RUN", "second")
    results.record("new name", 3.0, "", "03", data="d")
    table = results.table()
    assert "new name" in table and "kept" in table
    assert "old name" not in table
    assert len(results.load()) == 3  # the file keeps everything

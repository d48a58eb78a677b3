"""rh.config: run modes, budgets, seeds, progress lines."""

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from rnn_helpers import config


def test_mode_defaults_to_full(monkeypatch):
    monkeypatch.delenv("RNN_BOOK_MODE")
    assert config.mode() == "full"


@pytest.mark.parametrize("value", ["quick", "full", " QUICK "])
def test_mode_reads_environment(monkeypatch, value):
    monkeypatch.setenv("RNN_BOOK_MODE", value)
    assert config.mode() == value.strip().lower()


def test_unknown_mode_is_one_clear_sentence(monkeypatch):
    monkeypatch.setenv("RNN_BOOK_MODE", "fast")
    with pytest.raises(
        ValueError, match="RNN_BOOK_MODE must be 'quick' or 'full', not 'fast'"
    ):
        config.mode()


def test_budget_picks_the_mode(monkeypatch):
    full, quick = dict(epochs=30, lr=3.0), dict(epochs=2, train_size=500)
    monkeypatch.setenv("RNN_BOOK_MODE", "full")
    assert config.budget(full=full, quick=quick) == full
    monkeypatch.setenv("RNN_BOOK_MODE", "quick")
    assert config.budget(full=full, quick=quick) == dict(
        epochs=2, lr=3.0, train_size=500
    )
    assert full == dict(epochs=30, lr=3.0)  # not changed in place


def test_budget_rejects_non_dicts():
    with pytest.raises(ValueError, match="two dicts"):
        config.budget(full=[1], quick={})


def test_seed_everything_seeds_python_and_numpy():
    rng = config.seed_everything(7)
    a = (random.random(), np.random.rand(), rng.random())  # noqa: NPY002
    rng = config.seed_everything(7)
    b = (random.random(), np.random.rand(), rng.random())  # noqa: NPY002
    assert a == b


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (-1, "seed must be an integer in"),
        (1.5, "seed must be an integer in"),
        ("0", "seed must be an integer in .* got '0'"),
        (True, r"\(a bool\)"),
        (2**40, r"seed must be an integer in \[0, 4294967295\], got 1099511627776"),
    ],
)
def test_seed_everything_rejects_bad_seeds_before_reseeding_anything(seed, message):
    random.seed(11)
    expected = random.random()
    random.seed(11)
    with pytest.raises(ValueError, match=message):
        config.seed_everything(seed)
    assert random.random() == expected  # Python's generator was left alone


def test_progress_prints_nothing_on_static_pages(capsys):
    bar = config.progress(range(3), desc="epochs")
    seen = []
    for i in bar:
        seen.append(i)
        bar.set_postfix(loss=0.5 / (i + 1))
    captured = capsys.readouterr()
    assert seen == [0, 1, 2]
    assert captured.out == captured.err == ""


def test_progress_can_be_switched_off(monkeypatch, capsys):
    monkeypatch.setenv("RNN_BOOK_STATIC", "0")
    assert list(config.progress(range(4), disable=True)) == [0, 1, 2, 3]
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""


def test_progress_draws_a_tqdm_bar_that_is_cleared_at_the_end(monkeypatch, capsys):
    monkeypatch.setenv("RNN_BOOK_STATIC", "0")
    bar = config.progress(range(2), desc="steps")
    for _ in bar:
        bar.set_postfix(loss=0.123456)
    err = capsys.readouterr().err
    assert "steps" in err and "loss=0.1235" in err
    assert err.endswith("\r")  # leave=False: the last thing written clears the bar
    assert bar.total == 2


def test_import_tensorflow_keeps_start_up_lines_off_stderr():
    code = (
        "import rnn_helpers as rh\n"
        "tf, keras = rh.config.import_tensorflow()\n"
        "rh.config.seed_everything(3)\n"
        "a = float(tf.random.uniform(()))\n"
        "rh.config.seed_everything(3)\n"
        "assert a == float(tf.random.uniform(()))\n"
        "assert keras.layers.Dense(2)(tf.zeros((1, 3))).shape == (1, 2)\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
    assert done.stderr == ""

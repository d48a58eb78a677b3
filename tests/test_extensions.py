"""The book's local Sphinx extensions in _ext/ (loaded by _config.yml)."""

import sys
from pathlib import Path

import pytest
import yaml
import zmq
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import execution_times  # noqa: E402
import kernel_encryption  # noqa: E402
import local_mathjax  # noqa: E402


def test_config_loads_every_extension_in_ext():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    loaded = config["sphinx"]["local_extensions"]
    assert set(loaded.values()) == {"_ext"}
    assert set(loaded) == {path.stem for path in (ROOT / "_ext").glob("*.py")}


@pytest.mark.skipif(not zmq.has("curve"), reason="pyzmq built without CurveZMQ")
def test_kernel_managers_made_after_setup_encrypt_when_they_can():
    trait = KernelManager.class_traits()["transport_encryption"]
    before = trait.default_value
    try:
        trait.default_value = "disabled"
        assert KernelManager().transport_encryption == "disabled"
        kernel_encryption.setup(app=None)
        assert KernelManager().transport_encryption == "auto"
    finally:
        trait.default_value = before


def test_mathjax_source_holds_what_the_pages_load():
    source = local_mathjax._source()
    for part in local_mathjax.PARTS:
        assert (source / part).exists(), part


def test_execution_times_lists_executed_pages_and_marks_cached_ones():
    metadata = {
        "chapters/02_b": {"exec_data": {"runtime": 3.0, "mtime": 50.0}},
        "chapters/01_a": {"exec_data": {"runtime": 12.5, "mtime": 200.0}},
        "intro": {},
    }
    assert execution_times.rows(metadata, start=100.0) == [
        ("chapters/01_a", 12.5, False),
        ("chapters/02_b", 3.0, True),
    ]

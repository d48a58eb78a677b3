"""Every chapter under several floating-point paths, and how close each check came.

``make portability`` (``python tests/portability.py``) runs every chapter in
quick mode, each in a fresh kernel of this environment, once per path:

- the machine's default (its OpenBLAS kernel, both threads);
- OpenBLAS's ``Prescott`` (SSE3) and ``Haswell`` (AVX2) kernels, and
  ``SkylakeX`` (AVX-512) where the CPU has it and it is not the default;
- TensorFlow with oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``) and capped at AVX2
  (``ONEDNN_MAX_CPU_ISA=AVX2``), for the chapters that use TensorFlow;
- one thread everywhere (OpenBLAS, OpenMP, TensorFlow's pools).

Every ``assert`` of a chapter that compares numbers (``a < b``, ``a > b``, a
chain, or such comparisons joined by ``and``) is recorded as it runs, through
an IPython AST transformer that the run installs first: its values and its
margin, the slack ``(b - a)`` as a fraction of ``|b|`` (or of ``|a|`` when the
threshold is 0). The script prints a chapter × path table (pass/fail) and, for
every threshold, its worst margin over the paths; it exits non-zero when any
chapter fails anywhere. ``--chapters 04 07`` and ``--paths haswell`` narrow
the run; the full results are written to ``_build/portability/``.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "portability"
ONE_THREAD = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
}
# name: (environment, only for chapters that use TensorFlow)
PATHS = {
    "default": ({}, False),
    "Prescott": ({"OPENBLAS_CORETYPE": "Prescott"}, False),
    "Haswell": ({"OPENBLAS_CORETYPE": "Haswell"}, False),
    "SkylakeX": ({"OPENBLAS_CORETYPE": "SkylakeX"}, False),
    "oneDNN off": ({"TF_ENABLE_ONEDNN_OPTS": "0"}, True),
    "oneDNN AVX2": ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, True),
    "1 thread": (ONE_THREAD, False),
}

# Runs in the kernel before the chapter: every numeric assert records itself.
RECORDER = r"""
import ast as _ast, json as _json, math as _math, numbers as _numbers
import operator as _op
_OPS = {"Lt": _op.lt, "LtE": _op.le, "Gt": _op.gt, "GtE": _op.ge}
_LOG = %(log)r
_cell = [0]

def _scalar(x):
    try:
        import numpy as _np
        if isinstance(x, _np.ndarray) and x.size == 1:
            x = x.item()
        if isinstance(x, _np.generic):
            x = x.item()
    except ImportError:
        pass
    return x if isinstance(x, _numbers.Real) and not isinstance(x, bool) else None

def _portability_compare(where, source, values, ops):
    ok = True
    for i, name in enumerate(ops):
        a, b = values[i], values[i + 1]
        holds = bool(_OPS[name](a, b))
        ok = ok and holds
        fa, fb = _scalar(a), _scalar(b)
        margin = None
        finite = fa is not None and fb is not None
        if finite and _math.isfinite(fa) and _math.isfinite(fb):
            slack = (fb - fa) if name in ("Lt", "LtE") else (fa - fb)
            scale = abs(fb) if fb != 0 else abs(fa)
            margin = slack / scale if scale else (0.0 if slack == 0 else _math.inf)
        with open(_LOG, "a") as f:
            f.write(_json.dumps(dict(where=where, part=i, source=source, op=name,
                                     a=fa, b=fb, holds=holds, margin=margin)) + "\n")
        if not holds:
            break
    return ok

class _Recorder(_ast.NodeTransformer):
    def __init__(self):
        self.text = ""
    def _compare(self, node, lineno):
        if isinstance(node, _ast.Compare) and all(
            type(o).__name__ in _OPS for o in node.ops
        ):
            where = f"cell {_cell[0]}, line {lineno}"
            source = _ast.get_source_segment(self.text, node) or ""
            return _ast.Call(
                func=_ast.Name("_portability_compare", _ast.Load()),
                args=[_ast.Constant(where), _ast.Constant(source),
                      _ast.List([node.left, *node.comparators], _ast.Load()),
                      _ast.List([_ast.Constant(type(o).__name__) for o in node.ops],
                                _ast.Load())],
                keywords=[])
        if isinstance(node, _ast.BoolOp) and isinstance(node.op, _ast.And):
            node.values = [self._compare(v, lineno) for v in node.values]
        return node
    def visit_Assert(self, node):
        node.test = self._compare(node.test, node.lineno)
        return _ast.fix_missing_locations(node)
    def visit_Module(self, node):
        _cell[0] += 1
        self.generic_visit(node)
        return node

_recorder = _Recorder()
_ip = get_ipython()
_ip.ast_transformers.append(_recorder)
_old_run_cell = _ip.run_cell
def _run_cell(raw_cell, *args, **kwargs):
    _recorder.text = raw_cell
    return _old_run_cell(raw_cell, *args, **kwargs)
_ip.run_cell = _run_cell
"""


def uses_tensorflow(nb):
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return "tensorflow" in text or "keras" in text


def has_avx512():
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def default_kernel():
    import numpy  # noqa: F401 - loads the OpenBLAS that threadpoolctl reports
    import threadpoolctl

    return [
        i.get("architecture")
        for i in threadpoolctl.threadpool_info()
        if i.get("internal_api") == "openblas"
    ]


def run(chapter, path_name, env_extra, workdir):
    """Execute one chapter under one path: (passed, error, seconds, records)."""
    nb = nbformat.read(chapter, as_version=4)
    log = workdir / f"{chapter.stem}.{path_name.replace(' ', '_')}.jsonl"
    log.unlink(missing_ok=True)
    recorder = nbformat.v4.new_code_cell(RECORDER % {"log": str(log)})
    nb.cells.insert(0, recorder)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENBLAS_CORETYPE", "ONEDNN_", "TF_ENABLE_ONEDNN"))
    }
    env.update(RNN_BOOK_MODE="quick", RNN_BOOK_STATIC="1", **env_extra)
    env["RNN_BOOK_RESULTS"] = str(workdir / "results" / path_name)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(chapter.parent)}},
    )
    start = time.perf_counter()
    error = None
    try:
        client.execute(env=env)
    except CellExecutionError as err:
        error = f"{err.ename}: {str(err.evalue)[:200]}"
    seconds = time.perf_counter() - start
    records = []
    if log.exists():
        records = [json.loads(line) for line in log.read_text().splitlines()]
    return error is None, error, seconds, records


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", nargs="*", help="chapter numbers, e.g. 04 07")
    parser.add_argument("--paths", nargs="*", help="path names (see PATHS)")
    parser.add_argument("--jobs", type=int, default=2, help="chapters at once")
    args = parser.parse_args(argv)

    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    if args.chapters:
        chapters = [c for c in chapters if c.name[:2] in args.chapters]
    default = default_kernel()
    paths = dict(PATHS)
    if not has_avx512() or "SkylakeX" in default:
        paths.pop("SkylakeX")  # unavailable, or the default already
    if args.paths:
        wanted = {p.lower() for p in args.paths}
        paths = {k: v for k, v in paths.items() if k.lower() in wanted}
    print(
        f"OpenBLAS default kernel here: {', '.join(default) or 'none'}; "
        f"{os.cpu_count()} cores; paths: {', '.join(paths)}",
        flush=True,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="portability-"))
    jobs = [
        (chapter, name, env)
        for chapter in chapters
        for name, (env, tf_only) in paths.items()
        if not tf_only or uses_tensorflow(nbformat.read(chapter, as_version=4))
    ]
    results = {}

    def one(job):
        chapter, name, env = job
        outcome = run(chapter, name, env, work)
        status = "pass" if outcome[0] else f"FAIL ({outcome[1]})"
        print(
            f"{chapter.name[:2]}  {name:<12} {outcome[2]:6.1f} s  {status}", flush=True
        )
        return job, outcome

    with ThreadPoolExecutor(args.jobs) as pool:
        for (chapter, name, _), outcome in pool.map(one, jobs):
            results[(chapter.name[:2], name)] = outcome

    # chapter x path table
    names = list(paths)
    print("\n| chapter | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for chapter in chapters:
        row = []
        for name in names:
            outcome = results.get((chapter.name[:2], name))
            row.append(
                "-" if outcome is None else ("pass" if outcome[0] else "**FAIL**")
            )
        print(f"| {chapter.name[:2]} | " + " | ".join(row) + " |")

    # worst margin of every threshold over the paths
    worst = {}
    for (number, name), (_, _, _, records) in results.items():
        for r in records:
            key = (number, r["where"], r["part"], r["source"])
            margin = r["margin"] if r["margin"] is not None else float("inf")
            if not r["holds"]:
                margin = -float("inf") if r["margin"] is None else min(margin, 0)
            if key not in worst or margin < worst[key][0]:
                worst[key] = (margin, name, r["a"], r["b"], r["holds"])
    print("\n| chapter | check | worst margin | path | value | threshold |")
    print("|---|---|---|---|---|---|")
    ordered = sorted(worst.items(), key=lambda kv: (kv[1][0], kv[0]))
    for (number, where, _, source), (margin, name, a, b, holds) in ordered:
        shown = "n/a" if abs(margin) == float("inf") else f"{margin:+.3g}"
        if not holds:
            shown += " (fails)"
        source = source.replace("|", "\\|")
        print(f"| {number} | `{source}` ({where}) | {shown} | {name} | {a} | {b} |")
    (OUT / "results.json").write_text(
        json.dumps(
            {
                f"{number} {name}": {
                    "passed": outcome[0],
                    "error": outcome[1],
                    "seconds": outcome[2],
                    "checks": outcome[3],
                }
                for (number, name), outcome in results.items()
            },
            indent=1,
        )
    )
    failed = [key for key, outcome in results.items() if not outcome[0]]
    for number, name in failed:
        print(f"FAILED: chapter {number} under {name}: {results[(number, name)][1]}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

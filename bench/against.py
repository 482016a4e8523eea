"""``bench/run.py --against REF``: every stage timed side by side, HEAD against an older commit.

    python bench/run.py --against b0d60d5 --repeat 3     # the commit before the folder move

REF is checked out into a temporary ``git worktree`` under ``bench/data`` (gitignored) and
removed at the end. Each measurement runs in a fresh child whose ``sys.path`` starts with
one checkout (its package and its own ``bench/`` helpers), alternating HEAD and REF per
round, rotated. Where the API moved, ``ADAPTERS`` names the new callable and the old one; a
child takes whichever its checkout has. Inputs are generated once by HEAD's
``bench/generate.py`` (files both versions read); generating them is never timed.

Prints per stage REF s, HEAD s, HEAD/REF (median of per-round ratios) and whether it is
within 1.3x; then whether the classifications of the generated sets are identical: every
classify output column both versions have, line by line, after each side loads and
classifies the files itself.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
LIMIT = 1.3
TODAY = dt.date(2026, 1, 15)

# stage -> (callable in today's layout, callable before the folder move)
ADAPTERS = {
    "load": ("appeals.readers.loader:load_files", "appeals.loader:load_files"),
    "x12": ("appeals.readers.x12:read_835", "appeals.x12:read_835"),
    "classify": ("appeals.classify.classifier:classify", "appeals.classifier:classify"),
    "render": ("appeals.render.documents:write_documents", "appeals.render:write_documents"),
    "workbook": ("appeals.workbooks.summary:write_summary", "appeals.report:write_summary"),
    "run": ("appeals.jobs.run:run", "appeals.pipeline:run"),
    "schema": ("appeals.schema:CLASSIFIED_COLUMNS", "appeals.schema:CLASSIFIED_COLUMNS"),
}
# Input sizes: modest, so three rounds of both checkouts finish in about ten minutes on two
# shared cores; --quick shrinks them to check the script, not the speed.
SIZES = {"csv": 300_000, "xlsx": 50_000, "835": 20_000, "letters": 400, "rows": 50_000,
         "csv_e2e": 20_000}
QUICK = {"csv": 3000, "xlsx": 1000, "835": 300, "letters": 10, "rows": 1000, "csv_e2e": 1000}
STAGES = (  # stage, what, input kind
    ("load_csv", "load_files, CSV", "csv"),
    ("load_xlsx", "load_files, XLSX", "xlsx"),
    ("read_835", "read_835", "835"),
    ("classify", "classify (CSV loaded untimed)", "csv"),
    ("render", "write_documents, 1 worker", "letters"),
    ("workbook", "write_summary", "rows"),
    ("e2e", "run: load, classify, documents, summary.xlsx", "csv_e2e"),
)
IDENTITY_SETS = (("csv", 60_000, 0.2), ("xlsx", 10_000, 0.2), ("835", 3_000, None))
RENAMED = {"appeal_deadline": "deadline"}  # REF name -> HEAD name of the same column


# --- child: runs inside one checkout --------------------------------------------------


def _use(checkout: Path) -> None:
    """Put one checkout first on sys.path, ahead of this script's folder and any install."""
    here = str(BENCH)
    sys.path[:] = [str(checkout), str(checkout / "bench")] + [
        p for p in sys.path if p not in ("", here)]
    import appeals

    if not Path(appeals.__file__).resolve().is_relative_to(checkout.resolve()):
        raise RuntimeError(f"imported {appeals.__file__}, not the checkout {checkout}")


def _pick(name: str):
    """The adapter's callable from whichever layout this checkout has."""
    for spec in dict.fromkeys(ADAPTERS[name]):
        module, attr = spec.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError:
            continue
    raise ModuleNotFoundError(f"neither of {ADAPTERS[name]}")


def _timed(func, *args, **kwargs) -> float:
    start = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - start


def measure(stage: str, path: str) -> float:  # noqa: C901 - one branch per stage
    """Seconds of one stage in this (fresh) process."""
    if stage in ("load_csv", "load_xlsx"):
        return _timed(_pick("load"), [path])
    if stage == "read_835":
        return _timed(_pick("x12"), path)
    if stage == "classify":
        lines = _pick("load")([path]).lines
        return _timed(_pick("classify"), lines)
    with tempfile.TemporaryDirectory() as tmp:
        if stage == "render":
            import bench_render  # this checkout's: its frame fits its own schema

            frame = bench_render.synthetic(int(path), corrected=True, seed=3)
            return _timed(_pick("render"), frame, Path(tmp) / "out", today=TODAY, workers=1)
        if stage == "workbook":
            import bench_report

            classified, rejected, documents = bench_report.synthetic(int(path))
            return _timed(_pick("workbook"), Path(tmp) / "s.xlsx", classified, rejected,
                          documents, today=TODAY, totals={})
        if stage == "e2e":
            return _timed(_pick("run"), [path], Path(tmp) / "out", today=TODAY, workers=1)
    raise ValueError(stage)


def _text(value) -> str:
    """One comparable text per cell: typed add_lines and encoded ones read the same."""
    if isinstance(value, tuple):
        return ";".join(f"{a.code}:{a.units:g}:{'|'.join(a.modifiers)}" for a in value)
    if value is None or value != value:  # NaN and NaT
        return ""
    return str(value)


def classifications(paths: list[str], out: str) -> None:
    """Each set loaded and classified in both modes; the classify columns as text."""
    load, classify, columns = _pick("load"), _pick("classify"), _pick("schema")
    result = {}
    for path in paths:
        lines = load([path]).lines
        for mode in ("denials", "scrub"):
            frame = classify(lines, mode=mode)
            keep = [c for c in columns if c in frame]
            result[f"{Path(path).name} {mode}"] = {
                "key": [f"{r}:{c}" for r, c in zip(frame["source_row"], frame["procedure_code"],
                                                   strict=True)],
                **{RENAMED.get(c, c): [_text(v) for v in frame[c]] for c in keep}}
    with open(out, "wb") as handle:
        pickle.dump(result, handle)


def child_main(argv: list[str]) -> int:
    checkout, task, arg = Path(argv[0]), argv[1], json.loads(argv[2])
    _use(checkout)
    if task == "identity":
        classifications(arg["paths"], arg["out"])
        print(json.dumps(0.0))
    else:
        if arg.get("patch"):  # bench/tricks.py: a speed trick switched off
            exec(arg["patch"], {})  # noqa: S102 - code from bench/tricks.py's own table
        print(json.dumps(measure(task, arg["path"])))
    return 0


# --- parent -----------------------------------------------------------------------------


def _child(checkout: Path, task: str, **arg) -> float:
    env = dict(os.environ, PYTHONPATH=f"{checkout}{os.pathsep}{checkout / 'bench'}")
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--against-child",
                           str(checkout), task, json.dumps(arg)],
                          capture_output=True, text=True, cwd=checkout, env=env)
    if done.returncode:
        raise RuntimeError(f"{task} in {checkout} failed:\n{done.stderr[-3000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def _inputs(data: Path, sizes: dict[str, int]) -> dict[str, str]:
    from generate import cached

    return {"csv": str(cached("csv", sizes["csv"], seed=5, data_dir=data)),
            "xlsx": str(cached("xlsx", sizes["xlsx"], seed=6, data_dir=data)),
            "835": str(cached("835", sizes["835"], seed=7, data_dir=data)),
            "csv_e2e": str(cached("csv", sizes["csv_e2e"], seed=8, share=0.115, data_dir=data)),
            "letters": str(sizes["letters"]), "rows": str(sizes["rows"])}


def _checkout(ref: str, data: Path) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--short", ref], capture_output=True, text=True,
                         check=True, cwd=BENCH).stdout.strip()
    where = data / f"against-{sha}"
    if where.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=BENCH)
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(where), sha],
                   check=True, cwd=BENCH)
    return where


def _speed(roots: dict[str, Path], inputs: dict[str, str], sizes: dict[str, int],
           repeat: int) -> None:
    times: dict[str, dict[str, list[float]]] = {s[0]: {k: [] for k in roots} for s in STAGES}
    for r in range(repeat):
        for stage, _, kind in STAGES:
            order = list(roots) if r % 2 == 0 else list(roots)[::-1]
            for name in order:
                times[stage][name].append(_child(roots[name], stage, path=inputs[kind]))
    print(f"  {'stage':<10} {'what':<46} {'size':>7} {'REF s':>8} {'HEAD s':>8} "
          f"{'HEAD/REF':>8}  within {LIMIT}x", flush=True)
    for stage, what, kind in STAGES:
        size = sizes[kind]
        ref, head = times[stage]["REF"], times[stage]["HEAD"]
        ratio = statistics.median(h / b for h, b in zip(head, ref, strict=True))
        print(f"  {stage:<10} {what:<46} {size:>7} {statistics.median(ref):8.3f} "
              f"{statistics.median(head):8.3f} {ratio:8.2f}  "
              f"{'yes' if ratio <= LIMIT else 'NO'}", flush=True)


def _identity(roots: dict[str, Path], data: Path, quick: bool) -> bool:
    from generate import cached

    paths = [str(cached(kind, n // (20 if quick else 1), seed=11, data_dir=data)
                 if share is None else
                 cached(kind, n // (20 if quick else 1), seed=11, share=share, data_dir=data))
             for kind, n, share in IDENTITY_SETS]
    got = {}
    for name, root in roots.items():
        out = data / f"identity_{name}.pkl"
        _child(root, "identity", paths=paths, out=str(out))
        with open(out, "rb") as handle:
            got[name] = pickle.load(handle)
        out.unlink()
    same = True
    for case, ref in got["REF"].items():
        head = got["HEAD"][case]
        if ref["key"] != head["key"]:
            print(f"  {case}: DIFFERENT lines ({len(ref['key'])} REF, {len(head['key'])} HEAD)")
            same = False
            continue
        cols = [c for c in ref if c in head and c != "key"]
        diffs = {c: sum(a != b for a, b in zip(ref[c], head[c], strict=True)) for c in cols}
        bad = {c: n for c, n in diffs.items() if n}
        same &= not bad
        print(f"  {case}: {len(ref['key'])} lines, {len(cols)} columns in both "
              f"({', '.join(cols)}): " + ("IDENTICAL" if not bad else "DIFFER in " + ", ".join(
                  f"{c} ({n} lines)" for c, n in bad.items())), flush=True)
    return same


def main(ref: str, repeat: int, quick: bool = False, speed: bool = True) -> int:
    data = BENCH / "data" / ("against_quick" if quick else "against")
    sizes = QUICK if quick else SIZES
    data.mkdir(parents=True, exist_ok=True)
    checkout = _checkout(ref, data)
    try:
        roots = {"REF": checkout, "HEAD": BENCH.parent}
        print(f"HEAD ({BENCH.parent}) against REF {ref} ({checkout.name}): median of {repeat} "
              f"round(s), HEAD and REF alternating in fresh processes; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        started = time.perf_counter()
        if speed:
            _speed(roots, _inputs(data, sizes), sizes, repeat)
        print("classifications of the bench/generate.py sets, REF vs HEAD:", flush=True)
        same = _identity(roots, data, quick)
        print(f"classifications {'IDENTICAL' if same else 'DIFFER'}; done in "
              f"{time.perf_counter() - started:.0f} s, load average now "
              f"{os.getloadavg()[0]:.1f}", flush=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=BENCH)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--against-child"]:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3,
                  "--quick" in sys.argv, "--identity-only" not in sys.argv))

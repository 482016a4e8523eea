"""The benchmark the repo keeps: time and peak memory of every stage, with the issue-6 targets.

    python bench/run.py                     # full sizes, median of 3 runs (about 10 minutes)
    python bench/run.py --repeat 5
    python bench/run.py --stages load classify
    python bench/run.py --quick             # tiny sizes: checks the script, not the speed
    python bench/run.py --against b0d60d5   # every stage side by side with an older commit
    python bench/run.py --against main --identity-only   # classifications only

Every measurement runs in a fresh child process, so its peak memory (``ru_maxrss``, which
only ever grows) is its own; peak is the child's whole resident set, data included, and
"+MB" is the growth during the measured call. Compared approaches run side by side in the
same round, rotated, and ratios are medians of per-round ratios: the machine is shared and
noisy. Input data comes from ``bench/generate.py`` and is cached in ``bench/data``
(gitignored); generating it is never timed. Prints one table; a target that is missed says
by how much, and why when the reason is known.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

FULL = {
    "xlsx_rows": 200_000, "openpyxl_rows": 200_000, "csv_rows": 1_000_000,
    "x12_claims": [20_000, 100_000, 200_000],
    "classify_lines": [100_000, 300_000, 1_000_000], "reference_lines": 100_000,
    "letters": 1000, "docxtpl_letters": 300, "scale_letters": [1000, 10_000],
    "workbook_rows": 100_000, "e2e_lines": 100_000,
}
QUICK = {
    "xlsx_rows": 2000, "openpyxl_rows": 2000, "csv_rows": 5000, "x12_claims": [200, 500, 1000],
    "classify_lines": [2000, 5000, 10_000], "reference_lines": 2000, "letters": 20,
    "docxtpl_letters": 5, "scale_letters": [20, 50], "workbook_rows": 2000, "e2e_lines": 2000,
}
E2E_SHARE = 0.115  # share of claims with an SCIG denial: about 5,000 denied claims per 100k lines
STAGES = ("load", "835", "classify", "render", "workbook", "e2e")


# --- children: one measurement each ---------------------------------------------------


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def _timed(func, *args, **kwargs) -> dict:
    before = _rss_mb()
    start = time.perf_counter()
    result = func(*args, **kwargs)
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    return {"seconds": seconds, "peak_mb": peak, "grow_mb": max(0.0, peak - before),
            "result": result}


def _canonical(path: str):
    with open(path, "rb") as handle:
        return pickle.load(handle)


def child(task: str, a: dict) -> dict:  # noqa: C901 - one branch per measured stage
    """Run one measurement in this (fresh) process; returns seconds and memory."""
    if task == "load":
        from appeals.readers.loader import load_files

        m = _timed(load_files, [a["path"]])
        m["result"] = {"lines": len(m["result"].lines), "rejected": len(m["result"].rejected)}
        return m
    if task == "openpyxl":
        import pandas as pd

        m = _timed(pd.read_excel, a["path"], engine="openpyxl", header=2)
        m["result"] = {"lines": len(m["result"])}
        return m
    if task == "x12":
        from appeals.readers.x12 import read_835

        m = _timed(read_835, a["path"])
        m["result"] = {"lines": len(m["result"][0])}
        return m
    if task == "fastexcel":
        import fastexcel

        def floor(path: str):
            return fastexcel.read_excel(path).load_sheet(0, header_row=2).to_arrow()

        m = _timed(floor, a["path"])
        m["result"] = {"lines": m["result"].num_rows}
        return m
    if task in ("classify", "reference"):
        from reference_classifier import classify_reference

        from appeals.classify.classifier import classify

        frame = _canonical(a["path"])
        m = _timed(classify if task == "classify" else classify_reference, frame)
        m["result"] = {"lines": len(frame)}
        return m
    if task == "render_compare":
        return _render_compare(a)
    if task == "render_scale":
        import bench_render

        frame = bench_render.synthetic(a["letters"], corrected=True, seed=2000)
        with tempfile.TemporaryDirectory() as tmp:
            bench_render.time_writer(frame.head(50), Path(tmp) / "warm", 1)
            before = _rss_mb()
            seconds, files = bench_render.time_writer(frame, Path(tmp) / "out", a["workers"])
        parent = _peak_mb()
        return {"seconds": seconds, "peak_mb": max(parent, _peak_mb(children=True)),
                "parent_mb": parent, "worker_mb": _peak_mb(children=True),
                "grow_mb": max(0.0, parent - before), "result": {"files": files}}
    if task == "e2e":
        return run_e2e(Path(a["path"]), Path(a["out"]))
    if task == "workbook":
        import bench_report

        m = bench_report.measure_one(a["rows"], False, "constant_memory")
        return {"seconds": m["seconds"], "peak_mb": _peak_mb(), "grow_mb": m["rss_growth_mb"],
                "result": {"file_mb": m["file_mb"]}}
    raise ValueError(task)


def _render_compare(a: dict) -> dict:
    """Letters by the appeals writer, the same letters' parts re-zipped, docxtpl: one round."""
    import bench_render

    appeal = bench_render.synthetic(a["letters"], corrected=False)
    times = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bench_render.time_writer(appeal.head(50), root / "warm", 1)  # imports, templates
        order = ["letters", "zip", "docxtpl"]
        k = a["round"] % len(order)
        for name in order[k:] + order[:k]:
            if name == "letters":
                seconds, files = bench_render.time_writer(appeal, root / "letters", 1)
                times["letters"] = seconds * 1000 / files
            elif name == "zip":
                if not (root / "letters").exists():
                    bench_render.time_writer(appeal, root / "letters", 1)
                letters = sorted((root / "letters" / "letters").iterdir())
                times["zip"] = bench_render.time_plain_zip(letters, root / "zip") * 1000 / len(
                    letters)
                times["kb"] = statistics.median(p.stat().st_size for p in letters) / 1024
            else:
                small = appeal[appeal["claim_id"].isin(
                    appeal["claim_id"].drop_duplicates().head(a["docxtpl_letters"]))]
                seconds = bench_render.time_docxtpl(small, root / "docxtpl")
                if seconds is not None:
                    times["docxtpl"] = seconds * 1000 / a["docxtpl_letters"]
    return {"seconds": times["letters"], "peak_mb": _peak_mb(), "grow_mb": 0.0, "result": times}


# --- parent: data, rounds, medians, the table -----------------------------------------


def run_child(task: str, **args) -> dict:
    """One measurement in a fresh interpreter; returns its JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", task, json.dumps(args)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=BENCH.parent)
    if done.returncode:
        raise RuntimeError(f"{task} {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_e2e(path: Path, out: Path) -> dict:
    """``appeals run`` as a user runs it: load, classify, letters, worksheets, summary.xlsx."""
    appeals = Path(sys.executable).with_name("appeals")
    cmd = [str(appeals) if appeals.exists() else sys.executable, *(
        [] if appeals.exists() else ["-m", "appeals"]),
        "run", str(path), "-o", str(out), "--force", "--quiet", "--today", "2026-01-15"]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"appeals run failed:\n{done.stderr[-3000:]}")
    letters = len(list((out / "letters").glob("*.docx")))
    worksheets = len(list((out / "worksheets").glob("*.docx")))
    # Run from a fresh child, so RUSAGE_CHILDREN is this command's peak (largest process).
    return {"seconds": seconds, "peak_mb": _peak_mb(children=True), "grow_mb": 0.0,
            "result": {"letters": letters, "worksheets": worksheets}}


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, stage: str, what: str, size: str, seconds: float | str, peak: float | str,
            note: str) -> None:
        sec = f"{seconds:.3f}" if isinstance(seconds, float) else seconds
        mem = f"{peak:.0f}" if isinstance(peak, float) and peak == peak else str(peak or "-")
        self.rows.append((stage, what, size, sec, mem, note))
        print(f"  {stage:<9} {what:<44} {size:>10} {sec:>9} {mem:>7}  {note}", flush=True)

    def header(self) -> None:
        print(f"  {'stage':<9} {'what':<44} {'size':>10} {'median s':>9} {'peak MB':>7}  "
              "ratio / target", flush=True)


def _med(runs: list[dict], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in runs)


def _verdict(ok: bool, text: str, why: str = "") -> str:
    return f"{text}: met" if ok else f"{text}: MISSED" + (f" ({why})" if why else "")


def _n(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else (
        f"{n // 1000}k" if n % 1000 == 0 else str(n))


def stage_load(cfg: dict, data: Path, repeat: int, table: Table, cached) -> None:
    xlsx = cached("xlsx", cfg["xlsx_rows"], data_dir=data)
    small = xlsx if cfg["openpyxl_rows"] == cfg["xlsx_rows"] else cached(
        "xlsx", cfg["openpyxl_rows"], data_dir=data)
    ours, theirs, ours_small, raw = [], [], [], []
    for r in range(repeat):
        trio = [("ours", xlsx), ("openpyxl", small), ("fastexcel", xlsx)]
        for name, path in trio[r % 3:] + trio[: r % 3]:
            if name == "fastexcel":
                raw.append(run_child("fastexcel", path=str(path)))
            elif name == "ours":
                ours.append(run_child("load", path=str(path)))
                if small != xlsx:
                    ours_small.append(run_child("load", path=str(small)))
            else:
                theirs.append(run_child("openpyxl", path=str(path)))
    same = ours_small or ours
    ratio = statistics.median(t["seconds"] / o["seconds"] for t, o in zip(theirs, same,
                                                                          strict=True))
    n = cfg["xlsx_rows"]
    table.add("load", "XLSX, appeals loader (all values canonical)", _n(n), _med(ours),
              _med(ours, "peak_mb"), f"{_med(ours) / n * 1e6:.1f} us/row")
    share = _med(raw) / _med(ours)
    table.add("load", "XLSX, fastexcel sheet to Arrow only (a floor)", _n(n), _med(raw),
              _med(raw, "peak_mb"), f"{share:.0%} of the loader's time" + (
                  "" if ours_small else f"; openpyxl / this = {_med(theirs) / _med(raw):.1f}x"))
    if ours_small:
        table.add("load", "XLSX, appeals loader", _n(cfg["openpyxl_rows"]), _med(ours_small),
                  _med(ours_small, "peak_mb"), "")
    table.add("load", 'pandas.read_excel(engine="openpyxl")', _n(cfg["openpyxl_rows"]),
              _med(theirs), _med(theirs, "peak_mb"),
              _verdict(ratio >= 20, f"loader {ratio:.1f}x faster, target >=20x",
                       f"short by {20 / ratio:.2f}x; reading the sheet with fastexcel is "
                       f"{share:.0%} of the loader's time"))
    csv = cached("csv", cfg["csv_rows"], data_dir=data)
    runs = [run_child("load", path=str(csv)) for _ in range(repeat)]
    secs = _med(runs)
    table.add("load", "CSV, appeals loader", _n(cfg["csv_rows"]), secs, _med(runs, "peak_mb"),
              _verdict(secs <= 5, "target: a few seconds (<=5 s)", f"{secs / 5:.1f}x over; "
                       "per-column Arrow string passes (money, codes) after the parse"))


def stage_835(cfg: dict, data: Path, repeat: int, table: Table, cached) -> None:
    sizes = cfg["x12_claims"]
    paths = {n: cached("835", n, data_dir=data) for n in sizes}
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    for r in range(repeat):
        order = sizes[r % len(sizes):] + sizes[: r % len(sizes)]
        for n in order:
            runs[n].append(run_child("x12", path=str(paths[n])))
    base = _med(runs[sizes[0]]) / sizes[0]
    for n in sizes:
        secs = _med(runs[n])
        if n == sizes[0]:
            scaled = secs * 20_000 / n
            note = _verdict(scaled <= 1.2, f"{scaled:.2f} s per 20k claims, target about 1 s "
                            "(<=1.2 s)", f"{scaled / 1.2:.2f}x over")
        else:
            growth = secs / n / base
            note = _verdict(growth <= 1.3, f"per-claim time x{growth:.2f} vs {_n(sizes[0])} "
                            "(linear: <=1.3)")
        table.add("835", "read_835", f"{_n(n)} clm", secs, _med(runs[n], "peak_mb"), note)


def _canonical_pickle(n: int, data: Path, share: float = 0.05) -> Path:
    path = data / f"canonical_{n}_s42_{share:g}.pkl"
    if not path.exists():
        code = ("import pickle, sys; sys.path.insert(0, sys.argv[1]); import generate;"
                "f = generate.canonical_frame(int(sys.argv[2]), share=float(sys.argv[4]));"
                "pickle.dump(f, open(sys.argv[3] + '.part', 'wb'), protocol=5)")
        subprocess.run([sys.executable, "-c", code, str(BENCH), str(n), str(path), str(share)],
                       check=True)
        Path(str(path) + ".part").replace(path)
    return path


def stage_classify(cfg: dict, data: Path, repeat: int, table: Table) -> None:
    sizes = sorted(set(cfg["classify_lines"]) | {cfg["reference_lines"]})
    paths = {n: _canonical_pickle(n, data) for n in sizes}
    ref_n = cfg["reference_lines"]
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    ref: list[dict] = []
    for r in range(repeat):
        jobs = [("lib", n) for n in sizes] + [("ref", ref_n)]
        k = r % len(jobs)
        for kind, n in jobs[k:] + jobs[:k]:
            if kind == "lib":
                runs[n].append(run_child("classify", path=str(paths[n])))
            else:
                ref.append(run_child("reference", path=str(paths[n])))
    small, big = min(cfg["classify_lines"]), max(cfg["classify_lines"])
    base = _med(runs[small]) / small
    for n in sizes:
        secs, peak = _med(runs[n]), _med(runs[n], "peak_mb")
        notes = [f"{secs / n * 1e6:.2f} us/line"]
        if n != small and n in cfg["classify_lines"]:
            growth = secs / n / base
            notes.append(_verdict(growth <= 1.3, f"x{growth:.2f} per line vs {_n(small)}"))
        if n == big:
            notes.append(_verdict(secs < 10 and peak < 2048 and big >= 1_000_000,
                                  "target <10 s, <2 GB at 1M", "" if big >= 1_000_000 else
                                  "quick mode: not at 1M"))
        table.add("classify", "classify (status, evidence, corrections)", _n(n), secs, peak,
                  "; ".join(notes))
    ref_secs = _med(ref)
    same = statistics.median(x["seconds"] / y["seconds"] for x, y in zip(ref, runs[ref_n],
                                                                         strict=True))
    per_line = ref_secs / ref_n / (_med(runs[big]) / big)
    table.add("classify", "reference per-claim Python loop", _n(ref_n), ref_secs,
              _med(ref, "peak_mb"),
              f"{same:.1f}x slower at {_n(ref_n)}; " + _verdict(
                  per_line >= 20, f"per line vs {_n(big)}: {per_line:.1f}x, target >=20x",
                  f"short by {20 / per_line:.1f}x: most lines are paid and the loop skips "
                  "their rules, and it writes no evidence, corrections or deadlines"))


def stage_render(cfg: dict, repeat: int, table: Table) -> None:
    rounds = [run_child("render_compare", letters=cfg["letters"], round=r,
                        docxtpl_letters=cfg["docxtpl_letters"]) for r in range(repeat)]
    res = [r["result"] for r in rounds]
    letters = statistics.median(x["letters"] for x in res)
    zip_ms = statistics.median(x["zip"] for x in res)
    vs_zip = statistics.median(x["letters"] / x["zip"] for x in res)
    n = cfg["letters"]
    kb = statistics.median(x["kb"] for x in res)
    table.add("render", f"letter, appeals writer, 1 worker ({kb:.0f} KB)", f"{n} let",
              f"{letters:.2f}ms", _med(rounds, "peak_mb"),
              _verdict(vs_zip <= 2, f"{vs_zip:.2f}x a plain zip write, target <=2x",
                       f"over by {vs_zip / 2:.2f}x"))
    table.add("render", "zipfile only: same parts, all DEFLATED", f"{n} let", f"{zip_ms:.2f}ms",
              "-", "the cost of writing the DOCX zip")
    if all("docxtpl" in x for x in res):
        tpl = statistics.median(x["docxtpl"] for x in res)
        speed = statistics.median(x["docxtpl"] / x["letters"] for x in res)
        table.add("render", "docxtpl, equivalent template", f"{cfg['docxtpl_letters']} let",
                  f"{tpl:.2f}ms", "-", _verdict(speed >= 10, f"writer {speed:.1f}x faster, "
                                                "target >=10x", f"short by {10 / speed:.1f}x"))
    else:
        table.add("render", "docxtpl, equivalent template", "-", "-", "-", "not installed")
    small, big = cfg["scale_letters"]
    runs: dict[tuple[int, int], list[dict]] = {
        (small, 1): [], (big, 1): [], (small, 2): [], (big, 2): []}
    for r in range(repeat):
        order = list(runs)
        k = r % len(order)
        for letters_n, workers in order[k:] + order[:k]:
            runs[letters_n, workers].append(run_child("render_scale", letters=letters_n,
                                                      workers=workers))
    speedup = statistics.median(a["seconds"] / b["seconds"]
                                for a, b in zip(runs[big, 1], runs[big, 2], strict=True))
    for (letters_n, workers), rs in runs.items():
        files = rs[0]["result"]["files"]
        secs = _med(rs)
        note = f"{files} files, {secs / files * 1000:.2f} ms/file"
        if workers == 1:
            # What the writer itself holds: growth over the process with the claims loaded.
            note += f"; write grows the process by {_med(rs, 'grow_mb'):.0f} MB"
            if letters_n == big:
                grow = _med(rs, "grow_mb") / max(_med(runs[small, 1], "grow_mb"), 1e-9)
                extra = _med(rs, "grow_mb") - _med(runs[small, 1], "grow_mb")
                note += "; " + _verdict(
                    extra <= 0.2 * _med(runs[small, 1], "peak_mb"),
                    f"x{grow:.2f} vs {_n(small)} letters (+{extra:.0f} MB, "
                    f"{(extra / _med(runs[small, 1], 'peak_mb')):.0%} of the {_n(small)}-letter "
                    "peak), target within 20%", "memory held per letter")
        else:
            note += f"; largest worker {_med(rs, 'worker_mb'):.0f} MB"
            if letters_n == big:
                note += f"; {speedup:.2f}x vs 1 worker (load average {os.getloadavg()[0]:.1f})"
        table.add("render", f"letters + worksheets, {workers} worker(s)", f"{_n(letters_n)} let",
                  secs, _med(rs, "peak_mb"), note)


def stage_workbook(cfg: dict, repeat: int, table: Table) -> None:
    n = cfg["workbook_rows"]
    runs = [run_child("workbook", rows=n) for _ in range(repeat)]
    table.add("workbook", "write_summary (XlsxWriter constant_memory)", _n(n), _med(runs),
              _med(runs, "peak_mb"), f"+{_med(runs, 'grow_mb'):.0f} MB during the write; "
              "issue's figures: openpyxl ~29 s, xlsxwriter ~16-17 s")


def stage_e2e(cfg: dict, data: Path, repeat: int, table: Table, cached) -> None:
    n = cfg["e2e_lines"]
    path = cached("csv", n, share=E2E_SHARE, data_dir=data)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeat):
            runs.append(run_child("e2e", path=str(path), out=str(Path(tmp) / f"out{r}")))
            shutil.rmtree(Path(tmp) / f"out{r}", ignore_errors=True)
    secs = _med(runs)
    got = runs[0]["result"]
    table.add("e2e", f"appeals run CSV ({got['letters']} letters, {got['worksheets']} wks)",
              _n(n), secs, _med(runs, "peak_mb"),
              _verdict(secs < 120, "target <2 min", f"{secs / 120:.1f}x over"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    parser.add_argument("--openpyxl-rows", type=int, default=None,
                        help="rows of the XLSX pandas/openpyxl reads (default: the full 200k)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where generated inputs are cached (default bench/data)")
    parser.add_argument("--against", metavar="REF", default=None,
                        help="time each stage side by side with commit REF and check the "
                        "classifications are identical (bench/against.py)")
    parser.add_argument("--identity-only", action="store_true",
                        help="with --against: only check the classifications are identical")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.against:
        import against

        return against.main(args.against, args.repeat, args.quick, not args.identity_only)
    if args.child:
        result = child(args.child[0], json.loads(args.child[1]))
        print(json.dumps(result, default=float))
        return 0

    from generate import cached

    cfg = dict(QUICK if args.quick else FULL)
    if args.openpyxl_rows:
        cfg["openpyxl_rows"] = args.openpyxl_rows
    data = args.data_dir or (BENCH / "data" / ("quick" if args.quick else ""))
    data.mkdir(parents=True, exist_ok=True)
    import numpy
    import pandas

    print(f"appeals benchmark: {'quick' if args.quick else 'full'} sizes, median of "
          f"{args.repeat} run(s), fresh process per measurement; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}, "
          f"pandas {pandas.__version__}, numpy {numpy.__version__}", flush=True)
    print("  command: python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
          flush=True)
    table = Table()
    table.header()
    started = time.perf_counter()
    for stage in args.stages:
        if stage == "load":
            stage_load(cfg, data, args.repeat, table, cached)
        elif stage == "835":
            stage_835(cfg, data, args.repeat, table, cached)
        elif stage == "classify":
            stage_classify(cfg, data, args.repeat, table)
        elif stage == "render":
            stage_render(cfg, args.repeat, table)
        elif stage == "workbook":
            stage_workbook(cfg, args.repeat, table)
        else:
            stage_e2e(cfg, data, args.repeat, table, cached)
    print(f"done in {time.perf_counter() - started:.0f} s; load average now "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

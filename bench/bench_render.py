"""Render benchmark: ms per letter for the appeals writer against the cost of a plain zip.

    python bench/bench_render.py [--letters 1000] [--rounds 3] [--workers 2]

Rows, each measured in the same run (medians over rounds, approaches rotated per round):
- appeals write_documents, letters only, serial and with a worker pool;
- appeals letters + worksheets (corrected-claim claims), serial;
- zipfile only: the same letters' parts written with zipfile, all parts DEFLATED — the cost
  of just writing a DOCX zip of the same size (issue 6: the writer must stay within 2x);
- docxtpl rendering an equivalent template, only when docxtpl is installed (it is not a
  dependency of appeals).
Peak RSS is reported per round for the pool run to show memory does not grow with N.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

from appeals.render.documents import write_documents
from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS, conform

TODAY = dt.date(2025, 3, 10)
SURNAMES = ["Sample", "Example", "Peña", "O'Neil", "Nguyen", "Smith & Sons", "Müller", "李"]
SHAPES = {  # pattern -> (denied code, units, carcs, rarcs, action)
    "units_over_cap": ("96371", 3, "119", "N362"),
    "addon_without_primary": ("96370", 1, "107", "N122"),
    "site_of_care": ("96369", 1, "58", "N428"),
    "missing_kx": ("J1559", 40, "4", ""),
    "kx_on_admin_line": ("J1559", 40, "4", ""),
    "wrong_route": ("96365", 1, "4", "N56"),
    "iv_and_sc_same_encounter": ("96365", 1, "236", "N20"),
    "time_units_mismatch": ("96370", 2, "151", ""),
}


def synthetic(n_claims: int, *, corrected: bool, seed: int = 1000) -> pd.DataFrame:
    """Claims with 2-6 lines and 1-2 denial patterns each; every claim differs."""
    rng = random.Random(seed)
    rows = []
    patterns = list(SHAPES)
    for i in range(n_claims):
        claim = {
            "claim_id": f"CLM{i:07d}", "payer_claim_number": f"ICN{rng.randrange(10**9):09d}",
            "patient_name": f"{rng.choice(SURNAMES)}, Pat {i}", "member_id": f"M{rng.randrange(10**8)}",
            "payer_name": rng.choice(["Noridian JF", "UnitedHealthcare", "Aetna", "Cigna"]),
            "service_date": f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}",
            "place_of_service": rng.choice(["11", "22", "19"]), "remit_date": "2025-10-01",
            "infusion_start": "09:00", "infusion_stop": f"1{rng.randint(0, 1)}:{rng.randint(10, 59)}",
            "sites": rng.randint(1, 4),
        }
        claim["payer"] = {"Noridian JF": "medicare", "UnitedHealthcare": "uhc"}.get(
            claim["payer_name"], claim["payer_name"].lower())
        chosen = rng.sample(patterns, rng.randint(1, 2))
        for code, units in [("96369", 1), ("J1559", 40)][: rng.randint(1, 2)]:
            rows.append({**claim, "procedure_code": code, "units": units, "status": "paid",
                         "billed_amount": rng.uniform(50, 4000)})
        for pattern in chosen:
            code, units, carc, rarc = SHAPES[pattern]
            row = {**claim, "procedure_code": code, "units": units, "carcs": carc,
                   "rarcs": rarc, "status": "denied", "pattern": pattern,
                   "template": pattern, "billed_amount": rng.uniform(50, 4000),
                   "evidence": f"{code} denied {carc}",
                   "patterns": pattern,
                   "action": "clerical" if corrected else "disagree",
                   "route": "corrected_claim" if corrected else "reconsideration"}
            if corrected:
                row.update(corrected_procedure_code=code, corrected_units=max(units - 1, 1),
                           correction=f"{code} units corrected")
            rows.append(row)
    return conform(pd.DataFrame(rows), LINE_COLUMNS + CLASSIFIED_COLUMNS)


def time_writer(frame: pd.DataFrame, out: Path, workers: int) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = write_documents(frame, out, today=TODAY, workers=workers)
    elapsed = time.perf_counter() - start
    files = int((result.letter != "").sum() + (result.worksheet != "").sum())
    return elapsed, files


def time_plain_zip(letters: list[Path], out: Path) -> float:
    """Write each letter's parts again with zipfile, every part deflated."""
    contents = []
    for path in letters:
        with zipfile.ZipFile(path) as archive:
            contents.append([(i.filename, archive.read(i)) for i in archive.infolist()])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    for k, parts in enumerate(contents):
        with zipfile.ZipFile(out / f"{k}.docx", "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in parts:
                archive.writestr(name, data)
    return time.perf_counter() - start


def docxtpl_template(path: Path) -> None:
    """An equivalent letter as a docxtpl template (python-docx default template)."""
    import docx

    document = docx.Document()
    for text in ("{{ practice }}", "{{ today }}", "{{ payer }}", "RE: {{ patient }} {{ member }}",
                 "Claim {{ claim }} / {{ icn }} / {{ dos }}"):
        document.add_paragraph(text)
    table = document.add_table(rows=3, cols=5)
    table.rows[0].cells[0].text = "{%tr for l in lines %}"
    for c, key in enumerate(("code", "mods", "units", "billed", "carc")):
        table.rows[1].cells[c].text = "{{ l." + key + " }}"
    table.rows[2].cells[0].text = "{%tr endfor %}"
    document.add_paragraph("{%p for s in sections %}")
    document.add_paragraph("{{ s.title }}")
    document.add_paragraph("{{ s.text }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("Sincerely, {{ signer }}")
    document.save(path)


def time_docxtpl(frame: pd.DataFrame, out: Path) -> float | None:
    try:
        from docxtpl import DocxTemplate
    except ImportError:
        return None
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    template = out / "template.docx"
    docxtpl_template(template)
    source = template.read_bytes()
    claims = [group for _, group in frame.groupby("claim_id", sort=False)]
    contexts = []
    for group in claims:
        first = group.iloc[0]
        contexts.append({
            "practice": "Example Infusion Clinic", "today": "March 10, 2025",
            "payer": first.payer_name, "patient": first.patient_name, "member": first.member_id,
            "claim": first.claim_id, "icn": first.payer_claim_number, "dos": str(first.service_date),
            "lines": [{"code": r.procedure_code, "mods": r.modifiers, "units": r.units,
                       "billed": f"{r.billed_amount:.2f}", "carc": r.carcs} for r in group.itertuples()],
            "sections": [{"title": p, "text": "argument " * 120} for p in group.pattern if p],
            "signer": "Alex Example",
        })
    start = time.perf_counter()
    for k, context in enumerate(contexts):
        document = DocxTemplate(io.BytesIO(source))
        document.render(context, autoescape=True)
        document.save(out / f"{k}.docx")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    appeal = synthetic(args.letters, corrected=False)
    corrected = synthetic(args.letters, corrected=True, seed=2000)
    n = args.letters
    timings: dict[str, list[float]] = {}
    sizes: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        time_writer(appeal.head(50), root / "warm", 1)  # imports, template compilation
        approaches = ["letters", "letters_pool", "both", "zip", "docxtpl"]
        for r in range(args.rounds):
            order = approaches[r % len(approaches):] + approaches[: r % len(approaches)]
            for name in order:
                if name == "letters":
                    seconds, files = time_writer(appeal, root / "letters", 1)
                    letters = sorted((root / "letters" / "letters").iterdir())
                    sizes = [p.stat().st_size for p in letters]
                elif name == "letters_pool":
                    seconds, files = time_writer(appeal, root / "pool", args.workers)
                elif name == "both":
                    seconds, files = time_writer(corrected, root / "both", 1)
                elif name == "zip":
                    if not (root / "letters" / "letters").exists():
                        time_writer(appeal, root / "letters", 1)
                    letters = sorted((root / "letters" / "letters").iterdir())
                    seconds, files = time_plain_zip(letters, root / "zip"), len(letters)
                else:
                    seconds = time_docxtpl(appeal, root / "docxtpl")
                    files = n
                    if seconds is None:
                        continue
                timings.setdefault(name, []).append(seconds * 1000 / files)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = {k: statistics.median(v) for k, v in timings.items()}
    zip_ms = med["zip"]
    print(f"render benchmark: {n} letters, {args.rounds} rounds (median), "
          f"median letter {statistics.median(sizes) / 1024:.1f} KB, peak RSS {peak:.0f} MB")
    print(f"{'approach':58} {'ms/file':>8} {'vs zip':>7}")
    rows = [
        ("appeals writer, letters, serial", "letters"),
        (f"appeals writer, letters, {args.workers} workers", "letters_pool"),
        ("appeals writer, letters + worksheets (per file), serial", "both"),
        ("zipfile only, same letters, all parts DEFLATED", "zip"),
        ("docxtpl, equivalent template (default python-docx template)", "docxtpl"),
    ]
    for label, key in rows:
        if key not in med:
            print(f"{label:58} {'-':>8} {'-':>7}  (docxtpl not installed: row skipped)")
            continue
        print(f"{label:58} {med[key]:8.2f} {med[key] / zip_ms:6.2f}x")
    target = med["letters"] / zip_ms
    verdict = "met" if target <= 2 else "MISSED"
    print(f"target: letter <= 2x a plain zip write: {target:.2f}x ({verdict})")
    if "docxtpl" in med:
        speed = med["docxtpl"] / med["letters"]
        print(f"target: >= 10x faster than docxtpl: {speed:.1f}x ({'met' if speed >= 10 else 'MISSED'})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

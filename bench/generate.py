"""Seeded synthetic remittance data at any size: spreadsheet exports, 835s, canonical frames.

    python bench/generate.py csv 1000000 bench/data/export_1m.csv
    python bench/generate.py xlsx 200000 bench/data/export_200k.xlsx
    python bench/generate.py 835 20000 bench/data/remit_20k.835      # claims, via gen_835.py

The mix is what a billing office's year looks like: mostly paid office visits and paid SCIG
administrations, a few percent of claims with an SCIG denial spread over every documented
pattern (each shape is built so the denial map's rule for it is the one that matches), some
denials that are not SCIG work, whole-claim denials and payment reversals, many payers
(Medicare MACs, UnitedHealthcare, Aetna, Cigna, Humana, others). Every patient, member id,
claim number and NPI is fictional. The same (size, seed, share) gives the same data.

Spreadsheets use headers from the loader's alias list. In CSV, money is text (``$1,234.50``)
and dates ``MM/DD/YYYY``; in XLSX (XlsxWriter), CPT codes that are all digits are number
cells, dates are date cells and money is numeric, as billing systems export them.
``canonical_frame`` returns the same lines as the loader would produce, in memory, for
classify-only measurements.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_835  # noqa: E402  (a sibling script, not a package)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SHARE = 0.05  # share of claims that carry an SCIG denial

# (payer name as exports write it, weight). Medicare is named by its MACs most of the time.
PAYERS = (
    ("Noridian Healthcare Solutions JF", 8), ("Palmetto GBA JM", 6), ("Novitas Solutions JH", 6),
    ("First Coast Service Options", 4), ("NGS J6", 3), ("WPS J8", 3),
    ("CGS Administrators J15", 3), ("Medicare Part B", 3),
    ("UnitedHealthcare", 9), ("UMR", 2), ("Optum", 1), ("Aetna", 7), ("Aetna Better Health", 2),
    ("Cigna HealthCare", 6), ("Humana", 4), ("Humana Medicare Advantage", 4),
    ("Example Blue Cross", 5), ("Sample State Medicaid", 3), ("Tricare East Example", 2),
    ("Demo Mutual Insurance", 2),
)
KX_PAYERS = tuple(name for name, _ in PAYERS if name.split()[0] in (
    "Noridian", "Palmetto", "Novitas", "First", "NGS", "WPS", "CGS", "Medicare", "Humana"))
SURNAMES = ("Testpatient", "Sample", "Example", "Demo", "Fictional", "Peña-Test", "Placeholder")
FIRST = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
         "Juliet", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo")
SCIG = (("J1559", "Hizentra"), ("J1555", "Cuvitru"), ("J1551", "Cutaquig"),
        ("J1558", "Xembify"), ("J1575", "HyQvia"))
PRICE = {"99213": 150.0, "99214": 210.0, "36415": 20.0, "96369": 260.0, "96370": 120.0,
         "96371": 80.0, "96365": 310.0, "96366": 150.0, "J1561": 3600.0}

# One line: code, modifiers, units, billed, paid, group, CARC, RARC.
Line = tuple[str, tuple[str, ...], int, float, float, str, str, str]

# (shape, weight within its family)
ROUTINE = (("office", 70), ("scig_paid", 30))
OTHER_DENIALS = (("office_denied", 60), ("whole_claim", 20), ("reversal", 20))
SCIG_DENIALS = (
    ("wrong_route", 10), ("units_over_cap", 12), ("units_over_cap_justified", 4),
    ("addon_without_primary", 10), ("site_of_care_home", 6), ("site_of_care_clinic", 6),
    ("missing_kx", 10), ("kx_on_admin_line", 8), ("kx_on_drug_line", 4),
    ("iv_and_sc_same_encounter", 8), ("time_units_mismatch", 10), ("needs_review", 6),
    ("gamunex_iv", 4),
)
SHAPES = tuple(s for s, _ in ROUTINE + OTHER_DENIALS + SCIG_DENIALS)

# Canonical record fields, in this order (see ``_records``).
FIELDS = (
    "claim_id", "payer_claim_number", "claim_status", "patient_name", "member_id",
    "patient_dob", "payer_name", "service_date", "place_of_service", "procedure_code",
    "modifiers", "units", "billed_amount", "allowed_amount", "paid_amount", "group", "carc",
    "rarc", "remit_date", "check_number", "rendering_npi", "infusion_start", "infusion_stop",
    "sites", "admin_route", "product", "justification", "shape",
)


def _pick(rng: random.Random, table) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _paid(code: str, units: int, mods: tuple[str, ...] = (), rate: float = 0.8) -> Line:
    billed = PRICE.get(code, 45.0) * units if not code.startswith("J1") or code == "J1561" else (
        60.0 * units)
    return (code, mods, units, billed, round(billed * rate, 2), "CO", "45", "")


def _denied(code: str, units: int, carc: str, rarc: str = "", mods: tuple[str, ...] = (),
            group: str = "CO") -> Line:
    billed = PRICE.get(code, 45.0) * units if not code.startswith("J1") else 60.0 * units
    return (code, mods, units, billed, 0.0, group, carc, rarc)


def _times(rng: random.Random, minutes: int) -> tuple[str, str]:
    start = rng.randrange(7 * 60, 13 * 60, 5)
    stop = start + minutes
    return f"{start // 60:02d}:{start % 60:02d}", f"{stop // 60:02d}:{stop % 60:02d}"


def _minutes_for(hours_units: int, rng: random.Random) -> int:
    """Infusion minutes that support exactly ``hours_units`` units of 96370."""
    if hours_units == 0:
        return rng.randrange(35, 61)
    return 60 + 60 * (hours_units - 1) + rng.randrange(31, 89)


def _shape_lines(shape: str, rng: random.Random, kx_payer: bool) -> tuple[list[Line], dict]:
    """Lines of one claim of ``shape`` and its chart facts (times, sites, route, product)."""
    jcode, product = rng.choice(SCIG)
    drug_mods = ("JB", "KX") if kx_payer else ("JB",)
    drug_units = rng.choice((40, 60, 80, 100))
    chart: dict = {}
    charted = rng.random() < 0.5  # half the clinics export the infusion record's times

    def scig_chart(hours: int, sites: int) -> None:
        if charted:
            start, stop = _times(rng, _minutes_for(hours, rng))
            chart.update(infusion_start=start, infusion_stop=stop, sites=sites, admin_route="SC",
                         product=product)

    if shape == "office":
        lines = [_paid(rng.choice(("99213", "99214")), 1)]
        if rng.random() < 0.3:
            lines.append(_paid("36415", 1))
        return lines, chart
    if shape == "office_denied":
        carc, rarc = rng.choice((("197", ""), ("16", "M51"), ("204", "N130"), ("50", "")))
        return [_denied(rng.choice(("99213", "99214")), 1, carc, rarc,
                        group="PR" if carc == "204" else "CO")], chart
    if shape == "whole_claim":
        return [_denied("99214", 1, "27", "")], chart
    if shape == "reversal":
        code = rng.choice(("99213", "96369"))
        billed = -PRICE[code]
        return [(code, (), 1, billed, round(billed * 0.8, 2), "CO", "45", "")], chart
    if shape == "scig_paid":
        hours, sites = rng.choice(((1, 2), (1, 3), (2, 2), (2, 3), (0, 1)))
        lines = [_paid("96369", 1)]
        if hours:
            lines.append(_paid("96370", hours))
        if sites > 1:
            lines.append(_paid("96371", sites - 1))
        lines.append(_paid(jcode, drug_units, drug_mods))
        scig_chart(hours, sites)
        return lines, chart
    if shape == "wrong_route":
        # 96365 billed for a subcutaneous pump infusion; sometimes the drug line falls too.
        lines = [_denied("96365", 1, "4", "N56"), _denied("96366", 1, "4", "N56")]
        if rng.random() < 0.4:
            lines.append(_denied(jcode, drug_units, "16", "N56", drug_mods))
        else:
            lines.append(_paid(jcode, drug_units, drug_mods))
        return lines, chart
    if shape in ("units_over_cap", "units_over_cap_justified"):
        lines = [_paid("96369", 1), _paid("96370", 1),
                 _denied("96371", 3, rng.choice(("119", "151")), "N362"),
                 _paid(jcode, drug_units, drug_mods)]
        scig_chart(1, 4)
        if shape.endswith("justified"):
            chart["justification"] = "Low subcutaneous fat: volume split over four sites"
        return lines, chart
    if shape == "addon_without_primary":
        lines = [_denied("96370", 1, "107", "N122"), _denied("96371", 1, "107", "N122"),
                 _paid(jcode, drug_units, drug_mods)]
        scig_chart(1, 2)
        return lines, chart
    if shape == "site_of_care_home":
        lines = [_denied("96369", 1, "171", "N428"), _denied("96370", 1, "171", "N428"),
                 _paid(jcode, drug_units, drug_mods)]
        chart["pos"] = "12"
        return lines, chart
    if shape == "site_of_care_clinic":
        lines = [_denied("96369", 1, "58", "N428"), _paid("96370", 1),
                 _paid(jcode, drug_units, drug_mods)]
        chart["pos"] = rng.choice(("19", "22"))
        scig_chart(1, 1)
        return lines, chart
    if shape == "missing_kx":
        lines = [_paid("96369", 1), _paid("96370", 1),
                 _denied(jcode, drug_units, "4", "N115", ("JB",))]
        scig_chart(1, 1)
        return lines, chart
    if shape == "kx_on_admin_line":
        lines = [_denied("96369", 1, "4", "", ("KX",)), _paid("96370", 1),
                 _paid(jcode, drug_units, ("JB",))]
        return lines, chart
    if shape == "kx_on_drug_line":
        lines = [_paid("96369", 1, ("KX",)), _paid("96370", 1),
                 _denied(jcode, drug_units, "16", "N115", ("JB",))]
        return lines, chart
    if shape == "iv_and_sc_same_encounter":
        lines = [_paid("96369", 1), _denied("96365", 1, "236", "N20"), _paid("96371", 1),
                 _paid(jcode, drug_units, drug_mods)]
        return lines, chart
    if shape == "time_units_mismatch":
        # Billed two further hours; the chart supports none (the extra time is 30 min or less).
        lines = [_paid("96369", 1), _denied("96370", 2, "151", ""),
                 _paid(jcode, drug_units, drug_mods)]
        start, stop = _times(rng, rng.randrange(70, 91))
        chart.update(infusion_start=start, infusion_stop=stop, sites=1, admin_route="SC",
                     product=product)
        return lines, chart
    if shape == "needs_review":
        # An SCIG line denied for prior authorisation: no documented pattern explains it.
        return [_denied("96369", 1, "197", "N54"), _paid("96370", 1),
                _paid(jcode, drug_units, drug_mods)], chart
    if shape == "gamunex_iv":
        chart.update(admin_route="IV", product="Gamunex-C")
        return [_denied("96365", 1, "197", ""), _denied("J1561", 100, "197", "")], chart
    raise ValueError(shape)


def _records(n_lines: int, seed: int, share: float) -> Iterator[tuple]:
    """Exactly ``n_lines`` canonical records (FIELDS order), claim after claim."""
    rng = random.Random(seed)  # seeded: the same arguments give the same data
    base = dt.date(2025, 1, 1)
    emitted = 0
    k = 0
    other_share = 0.06
    while emitted < n_lines:
        k += 1
        roll = rng.random()
        if roll < share:
            shape = _pick(rng, SCIG_DENIALS)
        elif roll < share + other_share:
            shape = _pick(rng, OTHER_DENIALS)
        else:
            shape = _pick(rng, ROUTINE)
        payer = rng.choice(KX_PAYERS) if shape == "missing_kx" else _pick(rng, PAYERS)
        kx_payer = payer in KX_PAYERS
        lines, chart = _shape_lines(shape, rng, kx_payer)
        dos = base + dt.timedelta(days=rng.randrange(365))
        remit = dos + dt.timedelta(days=rng.randrange(12, 45))
        dob = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 70))
        patient = rng.randrange(1, 60000)
        status = {"whole_claim": "4", "reversal": "22"}.get(shape, "1")
        pos = chart.get("pos") or rng.choice(("11", "11", "11", "22", "19"))
        head = (
            f"CLM{seed % 1000:03d}{k:08d}", f"ICN{rng.randrange(10**10):010d}", status,
            f"{rng.choice(SURNAMES)}, {FIRST[patient % len(FIRST)]}", f"ZZ{patient:08d}", dob,
            payer, dos, pos,
        )
        tail = (
            remit, f"EFT{remit:%y%m%d}{rng.randrange(100):02d}", "1999999984",
            chart.get("infusion_start", ""), chart.get("infusion_stop", ""),
            chart.get("sites"), chart.get("admin_route", ""), chart.get("product", ""),
            chart.get("justification", ""), shape,
        )
        for code, mods, units, billed, paid, group, carc, rarc in lines:
            if emitted == n_lines:
                break
            allowed = paid  # no patient share: what was allowed was paid
            yield head + (code, mods, units, billed, allowed, paid, group, carc, rarc) + tail
            emitted += 1


def _money(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


CSV_HEADERS = (
    "Patient Acct", "Payer Claim #", "Claim Status", "Pat Name", "Subscriber ID", "DOB",
    "Payer Name", "DOS", "POS", "CPT", "Mod1", "Mod2", "Units", "Billed Amt", "Allowed Amt",
    "Pd Amt", "Adj Reason", "Adj Amt", "Remark Code", "Check Date", "Check #",
    "Rendering NPI", "Start Time", "Stop Time", "Sites", "Route", "Product", "Justification",
)
XLSX_HEADERS = (
    "Claim #", "ICN", "Claim Status", "Patient Name", "Member ID", "Date of Birth", "Payer",
    "Date of Service", "Place of Service", "CPT/HCPCS", "Modifiers", "Units", "Charges",
    "Allowed", "Paid", "Group Code", "Reason Code", "Adjustment Amount", "Remark", "Paid Date", "EFT Number",
    "Rendering NPI", "Infusion Start", "Infusion Stop", "Number of Sites", "Route", "Product",
    "Clinical Justification",
)


def write_csv(path: str | Path, n_lines: int, *, seed: int = 42,
              share: float = DEFAULT_SHARE) -> Path:
    """A clearinghouse-style CSV: combined ``CO-119`` codes, money and dates as text."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(CSV_HEADERS)
        for r in _records(n_lines, seed, share):
            (claim, icn, status, name, member, dob, payer, dos, pos, code, mods, units, billed,
             allowed, paid, group, carc, rarc, remit, check, npi, start, stop, sites, route,
             product, why, _) = r
            out.writerow((
                claim, icn, status, name, member, f"{dob:%m/%d/%Y}", payer, f"{dos:%m/%d/%Y}",
                pos, code, mods[0] if mods else "", mods[1] if len(mods) > 1 else "", units,
                _money(billed), _money(allowed), _money(paid), f"{group}-{carc}" if carc else "",
                _money(billed - paid) if carc else "", rarc, f"{remit:%m/%d/%Y}", check, npi,
                start, stop, "" if sites is None else sites, route, product, why,
            ))
    return path


def write_xlsx(path: str | Path, n_lines: int, *, seed: int = 42,
               share: float = DEFAULT_SHARE) -> Path:
    """A practice-management Excel export: a title row above the header, typed cells."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not constant_memory: that mode writes every string inline, while Excel and the
    # exporting systems keep a shared-strings table, which readers parse differently.
    book = xlsxwriter.Workbook(str(path), {"default_date_format": "mm/dd/yyyy"})
    book.set_properties({"created": dt.datetime(2026, 1, 5)})  # deterministic bytes
    sheet = book.add_worksheet("Denial Detail")
    sheet.write(0, 0, "Example Infusion Clinic - Remittance Detail (synthetic, fictional data)")
    sheet.write_row(2, 0, XLSX_HEADERS)
    row = 3
    for r in _records(n_lines, seed, share):
        (claim, icn, status, name, member, dob, payer, dos, pos, code, mods, units, billed,
         allowed, paid, group, carc, rarc, remit, check, npi, start, stop, sites, route,
         product, why, _) = r
        sheet.write_row(row, 0, (
            claim, icn, int(status), name, member, dob, payer, dos, int(pos),
            int(code) if code.isdigit() else code, " ".join(mods), units, billed, allowed,
            paid, group if carc else "", int(carc) if carc.isdigit() else carc,
            round(billed - paid, 2) if carc else "", rarc, remit,
            check, npi, start, stop, "" if sites is None else sites, route, product, why,
        ))
        row += 1
    book.close()
    return path


def write_835(path: str | Path, claims: int, *, seed: int = 835) -> Path:
    """An 835 of ``claims`` claims (``bench/gen_835.py``'s generator)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(gen_835.generate(claims, seed=seed), encoding="ascii")
    return path


def canonical_frame(n_lines: int, *, seed: int = 42, share: float = DEFAULT_SHARE,
                    with_shape: bool = False) -> pd.DataFrame:
    """The same lines ``write_csv`` writes, as the loader's canonical frame (payer resolved)."""
    from appeals.rules.payers import load_payer_rules
    from appeals.schema import LINE_COLUMNS, conform

    columns: list[list] = [[] for _ in FIELDS]
    for record in _records(n_lines, seed, share):
        for column, value in zip(columns, record, strict=True):
            column.append(value)
    raw = dict(zip(FIELDS, columns, strict=True))
    group, carc, billed, paid = raw["group"], raw["carc"], raw["billed_amount"], raw["paid_amount"]
    frame = pd.DataFrame({
        "source_file": "generated",
        "source_sheet": "",
        "source_row": range(2, n_lines + 2),
        **{name: pd.Series(raw[name], dtype=object) for name in (
            "claim_id", "payer_claim_number", "claim_status", "patient_name", "member_id",
            "payer_name", "place_of_service", "procedure_code", "check_number",
            "rendering_npi", "infusion_start", "infusion_stop", "admin_route", "product",
            "justification")},
        "patient_dob": pd.to_datetime(pd.Series(raw["patient_dob"])),
        "service_date": pd.to_datetime(pd.Series(raw["service_date"])),
        "remit_date": pd.to_datetime(pd.Series(raw["remit_date"])),
        "units": pd.Series(raw["units"], dtype="float64"),
        "billed_amount": pd.Series(billed, dtype="float64"),
        "allowed_amount": pd.Series(raw["allowed_amount"], dtype="float64"),
        "paid_amount": pd.Series(paid, dtype="float64"),
        "sites": pd.Series([float("nan") if s is None else float(s) for s in raw["sites"]]),
        "modifiers": pd.Series([";".join(m) for m in raw["modifiers"]], dtype=object),
        "carcs": pd.Series(carc, dtype=object),
        "rarcs": pd.Series(raw["rarc"], dtype=object),
        "adjustments": pd.Series(
            [f"{g}-{c}:{b - p:.2f}" if c else "" for g, c, b, p in zip(
                group, carc, billed, paid, strict=True)], dtype=object),
    })
    rules = load_payer_rules()
    frame["payer"] = rules.resolve_series(frame["payer_name"]).astype(object)
    out = conform(frame, LINE_COLUMNS)
    if with_shape:
        out["shape"] = pd.Series(raw["shape"], dtype=object)
    return out


def cached(kind: str, size: int, *, seed: int | None = None, share: float = DEFAULT_SHARE,
           data_dir: Path = DATA_DIR) -> Path:
    """Path of a generated file in ``bench/data`` (gitignored), generating it when missing."""
    suffix = {"csv": "csv", "xlsx": "xlsx", "835": "835"}[kind]
    seed = (835 if kind == "835" else 42) if seed is None else seed
    path = data_dir / f"{kind}_{size}_s{seed}_{share:g}{'_ss' if kind == 'xlsx' else ''}.{suffix}"
    if not path.exists():
        tmp = path.with_name(path.name + ".part")
        if kind == "csv":
            write_csv(tmp, size, seed=seed, share=share)
        elif kind == "xlsx":
            write_xlsx(tmp, size, seed=seed, share=share)
        else:
            write_835(tmp, size, seed=seed)
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4) or args[0] not in ("csv", "xlsx", "835") or not args[1].isdigit():
        sys.stderr.write("usage: python bench/generate.py csv|xlsx|835 SIZE OUTPUT [SEED]\n")
        return 2
    kind, size, out = args[0], int(args[1]), args[2]
    seed = int(args[3]) if len(args) == 4 else None
    if kind == "csv":
        write_csv(out, size, seed=42 if seed is None else seed)
    elif kind == "xlsx":
        write_xlsx(out, size, seed=42 if seed is None else seed)
    else:
        write_835(out, size, seed=835 if seed is None else seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

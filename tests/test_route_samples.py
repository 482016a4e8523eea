"""samples/denials_routes.csv: one claim per routing-table row, each with the route, deadline
and documents samples/expected_routes.csv gives it, every document opened and read back.

The run uses samples/payers_office.csv: the packaged payer table with a sample office's own
settings (contracted or not with two Medicare Advantage plans, a contract's window, a MAC's
written reopening form), built by samples/make_routes_sample.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from appeals.jobs.run import classify_files, run
from appeals.resources import data_path, read_text_csv
from appeals.rules.payers import load_payer_rules
from appeals.rules.routes import load_routes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "denials_routes.csv"
OFFICE_PAYERS = ROOT / "samples" / "payers_office.csv"
EXPECTED = pd.read_csv(ROOT / "samples" / "expected_routes.csv", dtype=str,
                       keep_default_na=False)
TODAY = dt.date(2026, 4, 30)


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("routes") / "out"
    summary = run([SAMPLE], out, today=TODAY, workers=1, payers=OFFICE_PAYERS)
    book = openpyxl.load_workbook(out / "summary.xlsx")
    rows = list(book["Work queue"].iter_rows(values_only=True))
    queue = pd.DataFrame(rows[1:], columns=rows[0])
    return out, summary, queue


def test_every_route_has_a_sample():
    routes = set(EXPECTED["route"])
    assert routes == {"reopening", "redetermination", "reconsideration", "corrected_claim",
                      "new_claim", "other_supplier", "patient_responsibility", "no_action",
                      "review"}


# Rows no remitted line can reach, each for a reason: the closing safety net (every fix of
# every payer type has a row above it), and the documented-but-unbilled service, which only
# the scrub rule time_units_unbilled finds (scrubbed charges are not routed).
UNREACHABLE = {
    ("*", "*", "*", "*", "*"): "safety net",
    ("*", "*", "*", "*", "new_service"): "scrub only",
}


def test_every_routing_table_row_has_a_sample_claim():
    """A row added to routes.csv without a sample claim fails here, naming the row."""
    payer_rules = load_payer_rules(OFFICE_PAYERS)
    classified, _, _ = classify_files([SAMPLE], payer_rules=payer_rules, today=TODAY)
    table = load_routes()
    hit: dict[int, set[str]] = {}
    for line in classified[classified["route"] != ""].to_dict("records"):
        rule = table.find(line["payer_type"], line["claim_type"], line["denial_state"],
                          line["action"], payer_rules.get(line["payer"]).contract_status)
        assert rule.route == line["route"]
        hit.setdefault(rule.line, set()).add(line["claim_id"])
    rows = read_text_csv(data_path("routes.csv"))
    dims = ["payer_type", "claim_type", "contracted", "denial_state", "fix"]
    missing = []
    for i, row in enumerate(rows.to_dict("records")):
        key = tuple(row[d] for d in dims)
        if i + 2 not in hit and key not in UNREACHABLE:
            missing.append(f"routes.csv line {i + 2}: {','.join(key)} -> {row['route']}")
    assert not missing, "no sample claim for " + "; ".join(missing)
    assert set(EXPECTED["claim_id"]) >= set().union(*hit.values())


def test_the_office_payer_table_is_the_packaged_one_with_the_office_settings():
    packaged = read_text_csv(data_path("payers.csv")).set_index("payer")
    office = read_text_csv(OFFICE_PAYERS).set_index("payer")
    assert list(office.columns) == list(packaged.columns)
    changed = (office != packaged).stack()
    assert sorted(changed[changed].index.tolist()) == [
        ("cgs_j15", "reopening_form"), ("humana_ma", "contracted"),
        ("uhc_ma", "contract_window_days"), ("uhc_ma", "contracted"),
    ], "rebuild samples/payers_office.csv with python samples/make_routes_sample.py"


@pytest.mark.parametrize("claim", EXPECTED.to_dict("records"), ids=lambda c: c["claim_id"])
def test_route_deadline_and_documents(result, claim):
    out, _, queue = result
    cid = claim["claim_id"]
    rows = queue[(queue["Claim ID"] == cid) & queue["Status"].isin(["denied", "needs_review"])]
    assert set(rows["Route"]) == {claim["route"]}, cid
    deadlines = {"" if pd.isna(d) else d.date().isoformat() for d in rows["Deadline"]}
    assert deadlines == {claim["deadline"]}, cid
    letter, sheet = out / "letters" / f"{cid}.docx", out / "worksheets" / f"{cid}.docx"
    documents = claim["documents"]
    assert letter.exists() == documents.startswith("letter"), cid
    assert sheet.exists() == ("worksheet" in documents or "script" in documents), cid
    if documents.startswith("none"):
        assert rows["Next step"].str.len().min() > 0  # the queue row says who does what
    if letter.exists():
        text = _text(letter)
        medicare = claim["route"] == "redetermination"
        assert ("Request for redetermination" in text) == medicare
        assert ("Medicare number (MBI)" in text) == medicare
        assert ("Waiver of Liability" in text) == ("Waiver" in documents)
        assert ("good cause" in text) == ("good cause" in documents)
        dispute = "Payment dispute under our participation agreement" in text
        assert dispute == ("payment dispute" in documents)
        assert ("contract status not configured" in text) == ("placeholder" in documents)
    if sheet.exists():
        text = _text(sheet)
        heading = {"reopening script": "Reopening request", "new-claim": "New-claim worksheet",
                   "corrected-claim": "Corrected-claim worksheet"}
        want = next(v for k, v in heading.items() if documents.startswith(k))
        assert want in text, cid
        assert ("REF*F8" in text) == (claim["route"] == "corrected_claim")
        assert ("xx7" in text) == ("xx7" in documents)
        assert ("Separate new claim" in text) == ("new-claim lines" in documents)
        if claim["route"] == "reopening":
            assert ("Fields for the written form" in text) == ("written form" in documents)
            assert ("No written form is configured" in text) == ("written form" not in documents)
            assert ("Place of service\n22\n11" in text) == ("POS 22 -> 11" in documents)


def test_past_due_is_counted_and_first_in_the_queue(result):
    _, summary, queue = result
    late = EXPECTED.loc[EXPECTED["documents"].str.contains("past due"), "claim_id"].tolist()
    assert summary.past_due == len(late) == 1
    assert queue.iloc[0]["Claim ID"] == late[0] and queue.iloc[0]["Past due"] == "PAST DUE"


def test_group_codes_and_home_say_who_does_what(result):
    _, _, queue = result
    evidence = queue.set_index("Claim ID")["Evidence"].dropna().groupby(level=0).first()
    assert "valid ABN" in evidence["RT-12"]  # Medicare medical necessity under PR
    assert "L33794" in evidence["RT-17"] and "G0069" in evidence["RT-17"]  # Medicare home
    assert "home-infusion benefit" in evidence["RT-18"] and "L33794" not in evidence["RT-18"]
    assert "facility bills" in evidence["RT-16"]
    assert "mis-keyed" in evidence["RT-17"] and "mis-keyed" in evidence["RT-16"]
    assert "find the original" in evidence["RT-14"]

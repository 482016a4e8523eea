"""The JSON API through Starlette's TestClient: the same numbers as the library, the queue,
a filled blank in the DOCX, tracking, settings, bad input."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from appeals.cli import main as cli
from appeals.jobs.manifest import file_sha256
from appeals.jobs.run import run

AUTH_HEADER = "Authorization"


def auth(token: str) -> dict[str, str]:
    return {AUTH_HEADER: f"Bearer {token}"}


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_a_run_reports_what_the_library_reports(sample_run, samples, token, tmp_path):
    client, run_id = sample_run
    folder, names = samples
    expected = run([folder / n for n in names], tmp_path / "out",
                   today=__import__("datetime").date(2026, 4, 30))
    body = client.get(f"/api/runs/{run_id}", headers=auth(token)).json()
    assert body["lines_read"] == expected.lines_read == 69
    assert body["rows_rejected"] == expected.rows_rejected
    assert body["statuses"] == expected.statuses
    assert (body["letters"], body["worksheets"]) == (expected.letters, expected.worksheets)


def test_the_queue_matches_the_expected_classification(sample_run, samples, token):
    client, run_id = sample_run
    folder, _ = samples
    rows = client.get(f"/api/runs/{run_id}/queue?status=all&per_page=500",
                      headers=auth(token)).json()["rows"]
    got = {(r["source_file"], r["source_row"]): r["pattern"] or r["status"] for r in rows}
    with (folder / "expected_classification.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["expected"] == "rejected":
                continue
            assert got[(row["source_file"], row["source_row"])] == row["expected"], row


def test_queue_filters_sort_and_pages_on_the_server(sample_run, token):
    client, run_id = sample_run
    url = f"/api/runs/{run_id}/queue"
    first = client.get(url, headers=auth(token)).json()
    assert first["total"] == 28 and {r["status"] for r in first["rows"]} <= {"denied", "needs_review"}
    deadlines = [r["deadline"] for r in first["rows"] if r["deadline"]]
    assert deadlines == sorted(deadlines) and first["rows"][0]["past_due"] is True
    page2 = client.get(url + "?per_page=10&page=2", headers=auth(token)).json()
    assert page2["page"] == 2 and page2["pages"] == 3 and len(page2["rows"]) == 10
    assert page2["rows"][0] == first["rows"][10]
    kx = client.get(url + "?pattern=missing_kx", headers=auth(token)).json()
    assert kx["total"] == 3 and {r["pattern"] for r in kx["rows"]} == {"missing_kx"}
    overdue = client.get(url + "?overdue=1", headers=auth(token)).json()
    assert overdue["total"] > 0 and all(r["past_due"] for r in overdue["rows"])
    by_stake = client.get(url + "?sort=at_stake&order=desc", headers=auth(token)).json()
    stakes = [r["at_stake"] for r in by_stake["rows"]]
    assert stakes == sorted(stakes, reverse=True)
    payer = first["facets"]["payer"][0]
    only = client.get(url, params={"payer": payer}, headers=auth(token)).json()
    assert only["total"] > 0 and {r["payer"] for r in only["rows"]} == {payer}


def test_fill_a_blank_rewrites_the_claims_docx_manifest_and_workbook(client, parts, token):
    run_id = client.post("/api/runs", files=parts(), headers=auth(token)).json()["run_id"]
    claim = client.get(f"/api/runs/{run_id}/claims/SCIG-1003", headers=auth(token)).json()
    # SCIG-1003 is a redetermination (a line to add): a letter (Medicare reopenings get a
    # worksheet instead; PP-3003, billed at a facility POS, goes to the facility)
    assert "payer appeal address" in claim["placeholders"]
    letter = claim["files"]["letter"]
    before = client.get(f"/api/runs/{run_id}/files/{letter}", headers=auth(token))
    assert "[payer appeal address]" in docx_text(before.content)

    r = client.post(f"/api/runs/{run_id}/claims/SCIG-1003/fills",
                    json={"payer appeal address": "PO Box 0 (fictional)"}, headers=auth(token))
    assert r.status_code == 200 and "payer appeal address" not in r.json()["placeholders"]
    after = client.get(f"/api/runs/{run_id}/files/{letter}", headers=auth(token))
    text = docx_text(after.content)
    assert "PO Box 0 (fictional)" in text and "[payer appeal address]" not in text

    out = Path(client.app.starlette.state.store.runs) / run_id / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(e for e in manifest["outputs"] if e["file"] == letter)
    assert entry["sha256"] == file_sha256(out / letter)

    xlsx = client.get(f"/api/runs/{run_id}/summary.xlsx", headers=auth(token))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)["Work queue"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    col_claim, col_ph = header.index("Claim ID"), header.index("Placeholders to fill")
    blanks = [r[col_ph] or "" for r in rows[1:] if r[col_claim] == "SCIG-1003"]
    assert blanks and all("payer appeal address" not in b for b in blanks)


def test_documents_zip_holds_every_letter_and_worksheet(sample_run, token):
    client, run_id = sample_run
    info = client.get(f"/api/runs/{run_id}", headers=auth(token)).json()
    r = client.get(f"/api/runs/{run_id}/documents.zip", headers=auth(token))
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert sum(n.startswith("letters/") for n in names) == info["letters"]
    assert sum(n.startswith("worksheets/") for n in names) == info["worksheets"]


def test_track_submitted_then_outcome_shows_in_the_queue(client, parts, token):
    run_id = client.post("/api/runs", files=parts(), headers=auth(token)).json()["run_id"]
    url = f"/api/runs/{run_id}/claims/SCIG-1003/track"
    bad = client.post(url, json={"event": "submitted", "date": "May 1", "how": "fax"},
                      headers=auth(token))
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.json()["error"]
    ok = client.post(url, json={"event": "submitted", "date": "2026-05-01", "how": "fax"},
                     headers=auth(token))
    assert ok.json()["state"] == "submitted"
    client.post(url, json={"event": "outcome", "date": "2026-06-01", "outcome": "paid"},
                headers=auth(token))
    q = client.get(f"/api/runs/{run_id}/queue?state=paid", headers=auth(token)).json()
    assert {r["claim_id"] for r in q["rows"]} == {"SCIG-1003"}
    history = client.get(f"/api/runs/{run_id}/claims/SCIG-1003", headers=auth(token)).json()
    assert [h["event"] for h in history["track"]["history"]] == ["submitted", "outcome"]


def test_settings_fill_later_letters(client, parts, token):
    r = client.post("/api/settings/practice", headers=auth(token), json={
        "name": "Example Infusion Clinic (fictional)", "npi": "0000000000",
        "address": "1 Sample Way\nSpringfield, ST 00000", "signer_name": "Alex Example"})
    assert r.status_code == 200 and r.json()["practice"]["npi"] == "0000000000"
    r = client.post("/api/settings/payers", headers=auth(token),
                    json={"medicare.appeal_address": "PO Box 0000, Testville (fictional)",
                          "medicare.portal": "MAC portal"})
    assert r.json()["payers"]["medicare"]["appeal_address"] == (
        "PO Box 0000, Testville (fictional)")
    run_id = client.post("/api/runs", files=parts(), headers=auth(token)).json()["run_id"]
    claim = client.get(f"/api/runs/{run_id}/claims/SCIG-1003", headers=auth(token)).json()
    letter = client.get(f"/api/runs/{run_id}/files/{claim['files']['letter']}",
                        headers=auth(token))
    assert "Example Infusion Clinic (fictional)" in docx_text(letter.content)
    assert "PO Box 0000, Testville (fictional)" in docx_text(letter.content)
    assert "practice name" not in claim["placeholders"]
    assert "payer appeal address" not in claim["placeholders"]
    # PP-3002 is a Medicare reopening: its script names the portal the office configured
    claim = client.get(f"/api/runs/{run_id}/claims/PP-3002", headers=auth(token)).json()
    sheet = client.get(f"/api/runs/{run_id}/files/{claim['files']['worksheet']}",
                       headers=auth(token))
    assert "MAC portal" in docx_text(sheet.content)


def test_bad_practice_settings_get_the_libraries_message(client, token):
    r = client.post("/api/settings/practice", headers=auth(token), json={"name": 3})
    assert r.status_code == 400 and "JSON object of text values" in r.json()["error"]


# -- bad input -------------------------------------------------------------------------

def test_a_bad_file_gets_the_clis_message_and_the_others_still_run(client, parts, token,
                                                                   tmp_path):
    bad = tmp_path / "not_an_export.csv"
    bad.write_bytes(b"foo,bar\n1,2\n")
    result = CliRunner().invoke(cli, ["run", str(bad), "-o", str(tmp_path / "o")])
    cli_message = result.output.strip().removeprefix("Error: ").replace(str(bad), bad.name)
    r = client.post("/api/runs", files=parts((bad.name, bad.read_bytes())), headers=auth(token))
    assert r.status_code == 200
    files = {f["name"]: f["error"] for f in r.json()["files"]}
    assert files[bad.name] == cli_message
    assert r.json()["lines_read"] == 69


def test_only_bad_files_answer_422_and_keep_nothing(client, token, data_dir):
    r = client.post("/api/runs", files=[("files", ("x.csv", b"foo\n1\n"))], headers=auth(token))
    assert r.status_code == 422
    assert "no header row found" in r.json()["files"][0]["error"]
    assert list((data_dir / "runs").iterdir()) == []


def test_an_upload_over_the_limit_is_refused_and_nothing_is_written(client, token, data_dir):
    big = b"x" * 6_000_000
    r = client.post("/api/runs", files=[("files", ("big.csv", big))], headers=auth(token))
    assert r.status_code == 413 and "larger than the limit of 5 MB" in r.json()["error"]
    assert list((data_dir / "runs").iterdir()) == []


def test_no_files_and_not_multipart_are_clear(client, token):
    r = client.post("/api/runs", content=b"{}", headers={**auth(token),
                                                          "Content-Type": "application/json"})
    assert r.status_code == 415 and "multipart/form-data" in r.json()["error"]
    r = client.post("/api/runs", files=[("other", ("a.csv", b"a"))], headers=auth(token))
    assert r.status_code == 400 and "no files received" in r.json()["error"]


@pytest.mark.parametrize("run_id", ["20200101-000000-abcdef", "..", "x%2F..%2Fetc"])
def test_a_stale_run_id_is_a_clear_404(client, token, run_id):
    r = client.get(f"/api/runs/{run_id}/queue", headers=auth(token))
    assert r.status_code == 404 and r.json()["error"].startswith("no ")
    page = client.get(f"/runs/{run_id}/claims/X", headers=auth(token))
    assert page.status_code == 404 and "Traceback" not in page.text


def test_an_unknown_claim_or_document_is_a_clear_404(sample_run, token):
    client, run_id = sample_run
    r = client.get(f"/api/runs/{run_id}/claims/NOPE-1", headers=auth(token))
    assert r.status_code == 404 and "NOPE-1" in r.json()["error"]
    r = client.get(f"/api/runs/{run_id}/files/letters/..%2Frun.json", headers=auth(token))
    assert r.status_code == 404


def test_uploads_are_private(client, parts, token, data_dir):
    run_id = client.post("/api/runs", files=parts(), headers=auth(token)).json()["run_id"]
    uploads = data_dir / "runs" / run_id / "uploads"
    assert uploads.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "runs" / run_id).stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in uploads.iterdir()} == {0o600}


def test_the_workbook_comes_after_the_run_and_is_listed_in_the_manifest(client, parts, token):
    run_id = client.post("/api/runs", files=parts(), headers=auth(token)).json()["run_id"]
    out = Path(client.app.starlette.state.store.runs) / run_id / "out"
    r = client.get(f"/api/runs/{run_id}/summary.xlsx", headers=auth(token))
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert book["Work queue"].max_row == 65  # header + 64 classified lines
    manifest = json.loads((out / "manifest.json").read_text())
    entry = next(e for e in manifest["outputs"] if e["file"] == "summary.xlsx")
    assert entry["sha256"] == file_sha256(out / "summary.xlsx")
    assert (out / "summary.xlsx").read_bytes() == r.content


def test_the_run_page_says_still_working_until_the_run_is_done(client, parts, token):
    headers = auth(token)
    run_id = client.post("/api/runs?wait=0", files=parts(), headers=headers).json()["run_id"]
    store = client.app.starlette.state.store
    first = client.get(f"/runs/{run_id}", headers=headers)
    if not store.jobs[run_id].finished.is_set():
        assert first.status_code == 200 and "Still working" in first.text
    store.jobs[run_id].finished.wait(120)
    progress = client.get(f"/api/runs/{run_id}/progress", headers=headers).json()
    assert progress["stage"] == "done" and progress["done"] == progress["total"] > 0
    assert "Work queue" in client.get(f"/runs/{run_id}", headers=headers).text


def test_the_runs_child_writes_the_workbook_after_the_page_has_the_run(client, parts, token):
    import time

    run_id = client.post("/api/runs", files=parts(), headers=auth(token)).json()["run_id"]
    folder = Path(client.app.starlette.state.store.runs) / run_id
    deadline = time.monotonic() + 120
    while json.loads((folder / "run.json").read_text())["workbook_stale"]:
        assert time.monotonic() < deadline, "the workbook was never written"
        time.sleep(0.2)
    book = openpyxl.load_workbook(folder / "out" / "summary.xlsx", read_only=True)
    assert book["Work queue"].max_row == 65

"""Issue #12 (mixed patients) in the web app: a claim is its id + payer + member, so two
claims sharing a claim id get their own page, their own saved fills and their own documents;
a claim id holding "/" opens by its link like any other."""

from __future__ import annotations

import csv
import io

import docx
import pytest

HEADERS = ["Claim #", "Patient Name", "Member ID", "Payer", "DOS", "CPT", "Units", "Billed",
           "Paid", "Adj Reason", "Remark"]


def export(claim: str, name: str, member: str, payer: str) -> bytes:
    """96369 paid, 96371 x4 denied over the cap: a corrected-claim worksheet with blanks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerow([claim, name, member, payer, "03/05/2026", "96369", "1", "100", "100", "", ""])
    writer.writerow([claim, name, member, payer, "03/05/2026", "96371", "4", "400", "0", "CO-119",
                     "N362"])
    return buffer.getvalue().encode()


def text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def auth(token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def run_id(client, auth) -> str:
    files = [("files", ("a.csv", export("1001", "Testpatient, Alice", "ZZ0000001", "Aetna"))),
             ("files", ("b.csv", export("1001", "Testpatient, Bruno", "ZZ0000002", "Cigna"))),
             ("files", ("c.csv", export("A/77", "Testpatient, Carla", "ZZ0000003", "Aetna")))]
    r = client.post("/api/runs", files=files, headers=auth)
    assert r.status_code == 200, r.text
    return r.json()["run_id"]


def test_two_claims_with_one_id_have_their_own_pages_and_fills(client, run_id, auth) -> None:
    rows = client.get(f"/api/runs/{run_id}/queue?status=all", headers=auth).json()["rows"]
    assert sorted({(r["claim_id"], r["claim"]) for r in rows}) == [
        ("1001", "1001~1"), ("1001", "1001~2"), ("A/77", "A/77")]
    first = client.get(f"/api/runs/{run_id}/claims/1001~1", headers=auth).json()
    second = client.get(f"/api/runs/{run_id}/claims/1001~2", headers=auth).json()
    assert {r["source_file"] for r in first["lines"]} == {"a.csv"}  # Alice's export
    assert {r["source_file"] for r in second["lines"]} == {"b.csv"}  # Bruno's
    assert first["files"]["worksheet"] != second["files"]["worksheet"]
    assert "payer claim number" in first["placeholders"]

    r = client.post(f"/api/runs/{run_id}/claims/1001~1/fills",
                    json={"payer claim number": "PCN-ALICE-1"}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["fills"] == {"payer claim number": "PCN-ALICE-1"}

    second = client.get(f"/api/runs/{run_id}/claims/1001~2", headers=auth).json()
    assert second["fills"] == {}  # Bruno's claim does not get Alice's value
    assert "payer claim number" in second["placeholders"]
    mine = client.get(f"/api/runs/{run_id}/files/{first['files']['worksheet']}", headers=auth)
    theirs = client.get(f"/api/runs/{run_id}/files/{second['files']['worksheet']}", headers=auth)
    assert "PCN-ALICE-1" in text(mine.content) and "Bruno" not in text(mine.content)
    assert "PCN-ALICE-1" not in text(theirs.content) and "Bruno" in text(theirs.content)

    page = client.get(f"/runs/{run_id}/claims/1001~2", headers=auth)
    assert page.status_code == 200 and "Testpatient, Bruno" in page.text
    assert "Testpatient, Alice" not in page.text and "PCN-ALICE-1" not in page.text


def test_a_claim_id_with_a_slash_opens_by_its_link(client, run_id, auth) -> None:
    queue_page = client.get(f"/runs/{run_id}?status=all", headers=auth)
    assert f'href="/runs/{run_id}/claims/A/77"' in queue_page.text
    page = client.get(f"/runs/{run_id}/claims/A/77", headers=auth)
    assert page.status_code == 200, page.text
    assert "Claim A/77" in page.text and "Testpatient, Carla" in page.text
    detail = client.get(f"/api/runs/{run_id}/claims/A%2F77", headers=auth)
    assert detail.status_code == 200 and detail.json()["claim_id"] == "A/77"
    r = client.post(f"/api/runs/{run_id}/claims/A/77/fills",
                    json={"payer claim number": "PCN-CARLA-7"}, headers=auth)
    assert r.status_code == 200, r.text
    sheet = client.get(f"/api/runs/{run_id}/files/{detail.json()['files']['worksheet']}",
                       headers=auth)
    assert "PCN-CARLA-7" in text(sheet.content)
    track = client.post(f"/api/runs/{run_id}/claims/A/77/track", headers=auth,
                        json={"event": "submitted", "date": "2026-04-30", "how": "portal"})
    assert track.status_code == 200 and track.json()["state"] == "submitted"
    assert client.get(f"/api/runs/{run_id}/claims/A/78", headers=auth).status_code == 404


def test_an_export_without_billed_amounts_lists_its_queue(client, auth) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([h for h in HEADERS if h != "Billed"])
    writer.writerow(["4004", "Testpatient, Dora", "ZZ0000004", "Aetna", "03/05/2026", "96371",
                     "4", "0", "CO-119", "N362"])
    body = buffer.getvalue().encode()
    run = client.post("/api/runs", files=[("files", ("nobill.csv", body))], headers=auth)
    assert run.status_code == 200, run.text
    run_id = run.json()["run_id"]
    queue = client.get(f"/api/runs/{run_id}/queue?status=all", headers=auth)
    assert queue.status_code == 200, queue.text  # was a 500: NaN is not JSON
    assert [r["at_stake"] for r in queue.json()["rows"]] == [None]  # unknown, not $0.00
    page = client.get(f"/runs/{run_id}", headers=auth)
    assert page.status_code == 200 and "4004" in page.text and "$nan" not in page.text


def test_two_claims_with_one_id_are_tracked_apart(client, run_id, auth) -> None:
    r = client.post(f"/api/runs/{run_id}/claims/1001~2/track", headers=auth,
                    json={"event": "submitted", "date": "2026-04-30", "how": "fax"})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    first = client.get(f"/api/runs/{run_id}/claims/1001~1", headers=auth).json()["track"]
    second = client.get(f"/api/runs/{run_id}/claims/1001~2", headers=auth).json()["track"]
    assert (first["state"], first["history"]) == ("to do", [])
    assert second["state"] == "submitted" and second["history"][0]["how"] == "fax"
    rows = client.get(f"/api/runs/{run_id}/queue?status=all", headers=auth).json()["rows"]
    assert {(r["claim"], r["state"]) for r in rows if r["claim_id"] == "1001"} == {
        ("1001~1", "to do"), ("1001~2", "submitted")}
    submitted = client.get(f"/api/runs/{run_id}/queue?status=all&state=submitted",
                           headers=auth).json()["rows"]
    assert {r["claim"] for r in submitted} == {"1001~2"}

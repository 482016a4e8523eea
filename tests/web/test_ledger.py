"""Track with the office's ledger (``appeals serve --ledger``): runs are recorded, marks and
history go to the ledger, the queue shows its states."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from appeals.ledger import history, open_ledger, queue
from appeals.web import create_app


@pytest.fixture
def ledger_client(tmp_path, token):
    app = create_app(tmp_path / "data", token=token, hosts=("testserver",),
                     today=__import__("datetime").date(2026, 4, 30),
                     ledger=str(tmp_path / "office.sqlite"))
    with TestClient(app) as c:
        yield c, tmp_path / "office.sqlite"


def test_a_run_is_recorded_and_marks_go_to_the_ledger(ledger_client, parts, token):
    client, path = ledger_client
    headers = {"Authorization": f"Bearer {token}"}
    run_id = client.post("/api/runs", files=parts(), headers=headers).json()["run_id"]
    claim = client.get(f"/api/runs/{run_id}/claims/PP-3002", headers=headers).json()
    assert claim["track"]["state"] == "drafted"  # its documents were written

    r = client.post(f"/api/runs/{run_id}/claims/PP-3002/track", headers=headers,
                    json={"event": "submitted", "date": "2026-05-01", "how": "portal",
                          "note": "ref 123"})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    events = history(open_ledger(path), "PP-3002")
    submitted = [e for e in events if e["kind"] == "submitted"]
    assert submitted and submitted[0]["after"]["submitted_via"] == "portal"

    shown = client.get(f"/api/runs/{run_id}/claims/PP-3002", headers=headers).json()["track"]
    assert [h for h in shown["history"] if h["event"] == "submitted"][0]["how"] == "portal"
    q = client.get(f"/api/runs/{run_id}/queue?state=submitted", headers=headers).json()
    assert {r["claim_id"] for r in q["rows"]} == {"PP-3002"}

    closed = client.post(f"/api/runs/{run_id}/claims/PP-3002/track", headers=headers,
                         json={"event": "outcome", "date": "2026-06-01", "outcome": "closed"})
    assert closed.json()["state"] == "closed"
    page = client.get(f"/runs/{run_id}/claims/PP-3002", headers=headers).text
    assert "office&#39;s ledger" in page or "office's ledger" in page


def test_a_mark_the_ledger_refuses_is_a_clear_message(ledger_client, parts, token):
    client, _ = ledger_client
    headers = {"Authorization": f"Bearer {token}"}
    run_id = client.post("/api/runs", files=parts(), headers=headers).json()["run_id"]
    # PP-3014 was paid in full: the ledger holds no denied line of it, so nothing to mark
    r = client.post(f"/api/runs/{run_id}/claims/PP-3014/track", headers=headers,
                    json={"event": "submitted", "date": "2026-05-01", "how": "fax"})
    assert r.status_code == 422 and "no denied line" in r.json()["error"]


def _export(claim: str, name: str, member: str, payer: str) -> bytes:
    return ("Claim #,Patient Name,Member ID,Payer,DOS,CPT,Units,Billed,Paid,Adj Reason,Remark\n"
            f"{claim},\"{name}\",{member},{payer},03/05/2026,96369,1,100,100,,\n"
            f"{claim},\"{name}\",{member},{payer},03/05/2026,96371,4,400,0,CO-119,N362\n").encode()


def test_two_patients_sharing_a_claim_id_are_marked_apart_in_the_ledger(ledger_client, token):
    client, path = ledger_client
    headers = {"Authorization": f"Bearer {token}"}
    files = [("files", ("a.csv", _export("1001", "Testpatient, Alice", "ZZ0000001", "Aetna"))),
             ("files", ("b.csv", _export("1001", "Testpatient, Bruno", "ZZ0000002", "Cigna")))]
    run_id = client.post("/api/runs", files=files, headers=headers).json()["run_id"]
    r = client.post(f"/api/runs/{run_id}/claims/1001~2/track", headers=headers,
                    json={"event": "submitted", "date": "2026-05-01", "how": "portal"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "submitted"
    assert [h["event"] for h in r.json()["history"]].count("submitted") == 1
    with open_ledger(path) as ledger:
        states = {i["member_id"]: i["state"] for i in queue(ledger, private=True,
                                                             today=__import__("datetime").date(2026, 4, 30))}
    assert states == {"ZZ0000001": "drafted", "ZZ0000002": "submitted"}
    first = client.get(f"/api/runs/{run_id}/claims/1001~1", headers=headers).json()["track"]
    assert first["state"] == "drafted"
    assert not [h for h in first["history"] if h["event"] == "submitted"]
    rows = client.get(f"/api/runs/{run_id}/queue?state=submitted", headers=headers).json()["rows"]
    assert {r["claim"] for r in rows} == {"1001~2"}
    assert all("ledger_ref" not in r for r in rows)

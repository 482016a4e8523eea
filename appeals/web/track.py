"""Tracking a claim's appeal within one run: submitted (date, how), outcome, history.

Kept in the run's ``track.json``. Each change is appended to the claim's history and never
rewritten, so the page can show who-did-what-when in order.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

from appeals.web.work import write_json

TRACK = "track.json"
HOW = ("portal", "fax", "mail", "phone", "clearinghouse")
OUTCOMES = ("paid", "partly paid", "upheld (denied again)", "withdrawn")
_lock = threading.Lock()


class TrackError(ValueError):
    """A tracking entry that cannot be recorded (the message says which field and why)."""


def read_track(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / TRACK
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def states(folder: Path) -> dict[str, str]:
    return {cid: entry["state"] for cid, entry in read_track(folder).items()}


def check_date(value: str, name: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise TrackError(f"{name}: {value!r} is not a date; write it as YYYY-MM-DD") from None


def record(folder: Path, claim_id: str, event: dict[str, str]) -> dict[str, Any]:
    """Record ``submitted`` (date, how, note) or ``outcome`` (date, outcome, note)."""
    kind = event.get("event", "")
    entry: dict[str, Any] = {"event": kind, "note": event.get("note", "").strip()[:500],
                             "recorded": dt.datetime.now().isoformat(timespec="seconds")}
    if kind == "submitted":
        entry["date"] = check_date(event.get("date", ""), "date submitted")
        if event.get("how") not in HOW:
            raise TrackError(f"how: choose one of {', '.join(HOW)}")
        entry["how"] = event["how"]
        state = "submitted"
    elif kind == "outcome":
        entry["date"] = check_date(event.get("date", ""), "date of the outcome")
        if event.get("outcome") not in OUTCOMES:
            raise TrackError(f"outcome: choose one of {', '.join(OUTCOMES)}")
        entry["outcome"] = event["outcome"]
        state = event["outcome"]
    else:
        raise TrackError("event: send 'submitted' or 'outcome'")
    with _lock:
        data = read_track(folder)
        claim = data.setdefault(claim_id, {"state": "to do", "history": []})
        claim["history"].append(entry)
        claim["state"] = state
        write_json(folder / TRACK, data)
    return claim

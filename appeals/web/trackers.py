"""Where Track keeps what the biller records: the office's ledger, or the run's own file.

With ``appeals serve --ledger`` every run from the page is recorded in the ledger (as
``appeals run --ledger`` does), a claim's state and history come from it, marks go to it,
and outcomes also arrive from later remittances. Without a ledger the page still works on
one run at a time, keeping its marks in the run's ``track.json`` (``appeals.web.track``).
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from appeals.web import track
from appeals.web.queue import _SEP, NEW_STATE, ledger_ref


def claim_ref(tracker: Tracker, claim: str, lines: pd.DataFrame) -> str:
    """What ``tracker`` keys the claim by: the page's claim name, or its ledger reference."""
    if tracker.key == "claim":
        return claim
    first = lines.iloc[0]
    return ledger_ref(*(str(first.get(c, "") or "") for c in ("claim_id", "payer", "member_id")))


class Tracker(Protocol):
    how: tuple[str, ...]
    outcomes: tuple[str, ...]
    states_listed: tuple[str, ...]
    ledger: str | None
    # the queue column its states are keyed by: "claim" (id + payer + member, as the page
    # names claims) or "ledger_ref" (the same three, as the ledger stores them)
    key: str

    def states(self, folder: Path) -> dict[str, str]: ...
    def read(self, folder: Path, ref: str) -> dict[str, Any]: ...
    def record(self, folder: Path, ref: str, event: dict[str, str]) -> dict[str, Any]: ...
    def changed(self) -> None: ...


class RunTracker:
    """Marks kept with the run (no ledger)."""

    how: tuple[str, ...] = track.HOW
    outcomes: tuple[str, ...] = track.OUTCOMES
    states_listed: tuple[str, ...] = (NEW_STATE, "submitted", *track.OUTCOMES)
    ledger: str | None = None
    key = "claim"  # two patients' claims sharing an id are tracked apart

    def states(self, folder: Path) -> dict[str, str]:
        return track.states(folder)

    def read(self, folder: Path, claim_id: str) -> dict[str, Any]:
        return track.read_track(folder).get(claim_id, {"state": NEW_STATE, "history": []})

    def record(self, folder: Path, claim_id: str, event: dict[str, str]) -> dict[str, Any]:
        return track.record(folder, claim_id, event)

    def changed(self) -> None:
        """Nothing cached."""


class LedgerTracker:
    """Marks and states in the office's denial ledger (``appeals.ledger``)."""

    how: tuple[str, ...] = track.HOW
    # What a biller marks by hand; won, partly won and lost come from later remittances.
    outcomes: tuple[str, ...] = ("closed", "written_off", "open")
    key = "ledger_ref"  # claim id + payer + member: two patients sharing an id are apart

    # The ledger's imports (SQLAlchemy, the migrations) load only when the page keeps one.
    def __init__(self, target: str) -> None:
        from appeals.ledger import STATES, open_ledger

        self.ledger: str | None = target
        self.book = open_ledger(target)
        self.order = {state: n for n, state in enumerate(STATES)}
        self.states_listed: tuple[str, ...] = (NEW_STATE, *STATES)
        self._states: dict[str, str] | None = None
        self._lock = threading.Lock()

    def states(self, folder: Path) -> dict[str, str]:
        """Per claim, the least advanced state of its lines (the work still to do)."""
        with self._lock:
            if self._states is None:
                from sqlalchemy import select

                from appeals.ledger.tables import items

                out: dict[str, str] = {}
                query = select(items.c.claim_id, items.c.payer, items.c.member_id, items.c.state)
                with self.book.read() as conn:
                    for claim_id, payer, member, state in conn.execute(query):
                        ref = ledger_ref(claim_id, payer, member)
                        held = out.get(ref)
                        if held is None or self.order[state] < self.order[held]:
                            out[ref] = state
                self._states = out
            return self._states

    def read(self, folder: Path, ref: str) -> dict[str, Any]:
        from appeals.ledger import history

        claim_id, payer, member = ref.split(_SEP)
        entries: dict[tuple[str, str], dict[str, Any]] = {}
        # one event per line of the claim: shown once
        for event in history(self.book, claim_id, payer=payer, member=member):
            at = event["at"]
            after = event.get("after") or {}
            key = (str(at), event["kind"])
            entries.setdefault(key, {
                "event": event["kind"],
                "date": str(after.get("submitted_on") or after.get("resolved_on")
                            or (at.date().isoformat() if isinstance(at, dt.datetime) else at)),
                "how": after.get("submitted_via", ""),
                "outcome": after.get("state", "") if event["kind"] not in ("submitted",) else "",
                "note": after.get("note", ""),
                "recorded": at.isoformat(timespec="seconds") if isinstance(at, dt.datetime)
                else str(at),
            })
        return {"state": self.states(folder).get(ref, NEW_STATE),
                "history": list(entries.values())}

    def record(self, folder: Path, ref: str, event: dict[str, str]) -> dict[str, Any]:
        from appeals.ledger import mark

        claim_id, payer, member = ref.split(_SEP)
        whose = {"payer": payer, "member": member}
        kind = event.get("event", "")
        on = dt.date.fromisoformat(track.check_date(event.get("date", ""), "date"))
        note = event.get("note", "").strip()[:500]
        if kind == "submitted":
            if event.get("how") not in self.how:
                raise track.TrackError(f"how: choose one of {', '.join(self.how)}")
            mark(self.book, claim_id, "submitted", on=on, via=event["how"], note=note, **whose)
        elif kind == "outcome":
            if event.get("outcome") not in self.outcomes:
                raise track.TrackError(f"outcome: choose one of {', '.join(self.outcomes)}")
            mark(self.book, claim_id, event["outcome"], on=on, note=note, **whose)
        else:
            raise track.TrackError("event: send 'submitted' or 'outcome'")
        self.changed()
        return self.read(folder, ref)

    def changed(self) -> None:
        with self._lock:
            self._states = None


def make_tracker(ledger: str | None) -> Tracker:
    return LedgerTracker(ledger) if ledger else RunTracker()

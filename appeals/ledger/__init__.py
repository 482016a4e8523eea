"""The denial ledger: every denied line remembered across runs (SQLite, or PostgreSQL for a team).

``open_ledger(path_or_url)`` gives a ``Ledger``; the functions below each run in one
transaction on it. ``appeals.ledger.hook`` is what ``appeals run --ledger`` calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.ledger.ingest import IngestReport, file_digests
from appeals.ledger.ingest import record as _record
from appeals.ledger.marks import history as _history
from appeals.ledger.marks import mark as _mark
from appeals.ledger.queue import count_working as _count
from appeals.ledger.queue import queue as _queue
from appeals.ledger.states import STATES, WORKING
from appeals.ledger.stats import stats as _stats
from appeals.ledger.store import Ledger, open_ledger
from appeals.rules.payers import PayerRules, load_payer_rules

__all__ = [
    "STATES", "WORKING", "IngestReport", "Ledger", "count_items", "history", "mark", "open_ledger", "queue",
    "record_lines", "stats",
]


def record_lines(
    ledger: Ledger, classified: pd.DataFrame, paths: Iterable[str | Path], *,
    today: dt.date | None = None, payer_rules: PayerRules | None = None,
    digests: dict[str, str] | None = None,
) -> IngestReport:
    """Record a classified frame read from ``paths`` (skipping files already recorded)."""
    rules = payer_rules or load_payer_rules()
    digests = digests if digests is not None else file_digests(paths)
    with ledger.write() as conn:
        return _record(conn, classified, digests, today=today or dt.date.today(),
                       window_for=lambda p: rules.get(p).appeal_window_days)


def queue(ledger: Ledger, *, today: dt.date | None = None, states: tuple[str, ...] = WORKING,
          limit: int | None = None, private: bool = False) -> list[dict[str, Any]]:
    with ledger.read() as conn:
        return _queue(conn, today=today or dt.date.today(), states=states, limit=limit, private=private)


def count_items(ledger: Ledger, states: tuple[str, ...] = WORKING) -> int:
    with ledger.read() as conn:
        return _count(conn, states)


def mark(ledger: Ledger, claim: str, state: str, **options: Any) -> list[dict[str, Any]]:
    with ledger.write() as conn:
        return _mark(conn, claim, state, ledger_name=ledger.name, **options)


def history(ledger: Ledger, claim: str, **options: Any) -> list[dict[str, Any]]:
    with ledger.read() as conn:
        return _history(conn, claim, **options)


def stats(ledger: Ledger) -> dict[str, Any]:
    with ledger.read() as conn:
        return _stats(conn)

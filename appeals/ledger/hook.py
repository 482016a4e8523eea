"""What ``appeals run --ledger`` adds to the main job, called from ``jobs.run`` in three steps.

1. ``LedgerRun.open`` before any output: a ledger that is not one, a newer schema, a server
   that is down or a wrong password stops the run before a file is written.
2. ``to_draft``: claims whose denied lines all belong to items already submitted (or
   settled) and come from files the ledger already holds are not drafted again unless
   ``redraft``; a new remittance denying them again is drafted (the next level).
3. ``record`` before the output folder is moved into place: records the lines, marks the
   drafted items and writes ``ledger_queue.xlsx`` (every open item, not only this run's)
   into the staging folder, in one transaction that commits when the run's ``with`` block
   ends without error, so a failed run leaves the ledger exactly as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from appeals.errors import LedgerError
from appeals.ledger.bulk import fetch_keyed
from appeals.ledger.identity import item_keys
from appeals.ledger.ingest import file_digests, record
from appeals.ledger.marks import mark_drafted
from appeals.ledger.queue import queue
from appeals.ledger.states import DENIAL_STATUSES
from appeals.ledger.stats import stats
from appeals.ledger.store import open_ledger
from appeals.ledger.tables import files
from appeals.ledger.workbook import write_queue_workbook
from appeals.rules.payers import PayerRules
from appeals.schema import claim_keys

_HELD = ("submitted", "won", "partly_won", "closed", "written_off")


class LedgerRun:
    def __init__(self, ledger: Any, paths: list[str], *, redraft: bool) -> None:
        self.ledger = ledger
        self.paths = paths
        self.redraft = redraft
        self.digests = file_digests(paths)
        self.held_claims: list[str] = []
        self.conn: Any = None

    @classmethod
    def open(cls, target: str | Path, paths: Iterable[str | Path], *, redraft: bool = False) -> LedgerRun:
        return cls(open_ledger(target), [str(p) for p in paths], redraft=redraft)

    def to_draft(self, classified: pd.DataFrame) -> pd.DataFrame:
        """``classified`` without the claims already submitted from the same files."""
        if self.redraft:
            return classified
        with self.ledger.read() as conn:
            known = set(conn.scalars(select(files.c.digest)))
            again = [n for n, d in self.digests.items() if d in known]
            denied = classified[classified["status"].isin(DENIAL_STATUSES)
                                & classified["source_file"].isin(again)]
            if denied.empty:
                return classified
            keys = item_keys(denied)
            rows = fetch_keyed(conn, list(keys.unique()),
                               "SELECT i.item_key, i.state FROM items i JOIN run_keys k ON k.k = i.item_key")
        state = dict(rows)
        all_denied = classified[classified["status"].isin(DENIAL_STATUSES)]
        held = pd.Series(False, index=all_denied.index)
        held[denied.index] = keys.map(lambda k: state.get(k) in _HELD).to_numpy()
        # a claim is held back only when every one of its denied lines is already handled
        # a claim is its id + payer + member: one id shared by two patients is two claims
        by_claim = held.groupby(claim_keys(all_denied)).all()
        self.held_claims = sorted(by_claim[by_claim].index)
        return classified[~claim_keys(classified).isin(self.held_claims)]

    def record(
        self, classified: pd.DataFrame, documents: pd.DataFrame, staging: Path, *,
        out_dir: Path, today: dt.date, payer_rules: PayerRules,
    ) -> dict[str, Any]:
        """Record the run and mark drafted items in an open transaction (committed when the
        run's ``with`` block ends without error); write ``ledger_queue.xlsx`` into ``staging``."""
        written = documents[(documents["letter"] != "") | (documents["worksheet"] != "")] if len(documents) else documents
        claims = set(claim_keys(written)) if len(written) else set()
        drafted = classified[classified["status"].isin(DENIAL_STATUSES) & claim_keys(classified).isin(claims)]
        with self.ledger.errors():
            conn = self.conn = self.ledger.engine.connect().execution_options(ledger_write=True)
            conn.begin()
            report = record(conn, classified, self.digests, today=today,
                            window_for=lambda p: payer_rules.get(p).appeal_window_days)
            marked = mark_drafted(conn, list(item_keys(drafted).unique()), source=f"run {out_dir}")
            open_items = queue(conn, today=today)
            figures = stats(conn)
        write_queue_workbook(staging / "ledger_queue.xlsx", open_items, figures, today=today)
        return dict(report.as_dict(), drafted=marked, held_claims=len(self.held_claims),
                    open_items=len(open_items), ledger=self.ledger.name)

    def __enter__(self) -> LedgerRun:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        conn, self.conn = self.conn, None
        try:
            if conn is not None and exc_type is None:
                try:
                    with self.ledger.errors():
                        conn.commit()
                except LedgerError as error:
                    error.message += "; the documents were written, run again once it is fixed"
                    raise
        finally:
            if conn is not None:
                conn.close()  # without a commit: rolled back, the ledger as it was
            self.ledger.close()

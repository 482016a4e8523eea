"""What ``appeals run --ledger`` adds to the main job, called from ``jobs.run`` in three steps.

1. ``LedgerRun.open`` before any output: a ledger that is not one, a newer schema, a server
   that is down or a wrong password stops the run before a file is written.
2. ``to_draft``: claims whose denied lines all belong to items already submitted (or
   settled) and come from files the ledger already holds are not drafted again unless
   ``redraft``; a new remittance denying them again is drafted (the next level).
3. ``finish`` after the output folder is in place: records the lines, marks the drafted
   items and writes ``ledger_queue.xlsx`` (every open item, not only this run's), all in
   one transaction, so a failure leaves the ledger exactly as it was.
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
from appeals.rules.payers import PayerRules

_HELD = ("submitted", "won", "partly_won", "closed", "written_off")


class LedgerRun:
    def __init__(self, ledger: Any, paths: list[str], *, redraft: bool) -> None:
        self.ledger = ledger
        self.paths = paths
        self.redraft = redraft
        self.digests = file_digests(paths)
        self.held_claims: list[str] = []

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
        by_claim = held.groupby(all_denied["claim_id"]).all()
        self.held_claims = sorted(by_claim[by_claim].index)
        return classified[~classified["claim_id"].isin(self.held_claims)]

    def finish(
        self, classified: pd.DataFrame, documents: pd.DataFrame, out_dir: Path, *,
        today: dt.date, payer_rules: PayerRules,
    ) -> dict[str, Any]:
        """Record the run, mark drafted items, write the ledger's queue; one transaction."""
        from appeals.ledger.workbook import write_queue_workbook

        written = documents[(documents["letter"] != "") | (documents["worksheet"] != "")] if len(documents) else documents
        claims = set(written["claim_id"]) if len(written) else set()
        drafted = classified[classified["status"].isin(DENIAL_STATUSES) & classified["claim_id"].isin(claims)]
        try:
            with self.ledger.write() as conn:
                report = record(conn, classified, self.digests, today=today,
                                window_for=lambda p: payer_rules.get(p).appeal_window_days)
                marked = mark_drafted(conn, list(item_keys(drafted).unique()), source=f"run {out_dir}")
                open_items = queue(conn, today=today)
                figures = stats(conn)
        except LedgerError as exc:
            exc.message += f" (the documents in {out_dir} were written; run again once it is fixed)"
            raise
        finally:
            self.ledger.close()
        write_queue_workbook(out_dir / "ledger_queue.xlsx", open_items, figures, today=today)
        return dict(report.as_dict(), drafted=marked, held_claims=len(self.held_claims),
                    open_items=len(open_items), ledger=self.ledger.name)

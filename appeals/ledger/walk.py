"""The ingest's one pass over a run's lines, in the payer's order, item by item.

Items first seen in this run stay rows of the observation frame (no dict per item) until a
second line touches them, so a million new denials are written column-wise in one bulk
insert; only items that change after their first sighting become dicts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from appeals.ledger.bulk import insert_columns, insert_rows, update_rows
from appeals.ledger.states import DEADLINE_FIELDS, DENIAL_STATUSES, SEEN_FIELDS, apply_line
from appeals.ledger.tables import ITEM_TEXT, items

ITEM_COLUMNS = tuple(c.name for c in items.columns)
EVENT_COLUMNS = ("item_id", "at", "kind", "source", "before", "after")
_FROM_LINE = ("item_key", "line_key", *ITEM_TEXT, "service_date", "billed_amount", "paid_amount",
              "deadline", "last_row")
_OPENED = ("status", "pattern", "route", "deadline")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def event_json(values: Mapping[str, Any]) -> str:
    return json.dumps(values, default=str, sort_keys=True, allow_nan=False)


def _nan_to_none(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


class Walk:
    def __init__(
        self, obs: pd.DataFrame, existing: dict[str, dict[str, Any]],
        by_line: dict[str, dict[str, Any]], *, today: dt.date,
        stamp: dt.datetime, window_for: Callable[[str], int],
    ) -> None:
        self.arrays = {c: obs[c].to_numpy(dtype=object) for c in obs.columns}
        for name in ("next_level", "submitted_via"):
            self.arrays[name] = np.full(len(obs), "", dtype=object)
        self.floats = {c: obs[c].to_numpy(dtype=np.float64) for c in ("billed_amount", "paid_amount")}
        # lists for the per-line loop (indexing a list is cheaper than a numpy object array)
        self.cols = {c: a.tolist() for c, a in self.arrays.items()}
        self.n = len(obs)
        self.existing = existing
        self.by_line = by_line
        self.today, self.stamp, self.window_for = today, stamp, window_for
        self.events: list[tuple[Any, ...]] = []
        self.new_rows: dict[str, tuple[int, int]] = {}
        self.promoted: dict[str, dict[str, Any]] = {}
        self.touched: dict[int, dict[str, Any]] = {}
        self.opened_json: dict[tuple[Any, ...], str] = {}
        self.promoted_rows: list[tuple[int, int]] = []

    def source(self, i: int) -> str:
        return f"{self.cols['last_file'][i]} row {self.cols['last_row'][i]}"

    def run(self, conn: Connection, report: Any, order: Any) -> None:
        ids = self._new_ids(int(conn.scalar(select(func.coalesce(func.max(items.c.id), 0))) or 0) + 1)
        keys, status, lines = self.cols["item_key"], self.cols["status"], self.cols["line_key"]
        for i in order.tolist():
            key = keys[i]
            item = self.existing.get(key) or self.promoted.get(key) or self.by_line.get(lines[i])
            if item is None:
                seen = self.new_rows.get(key)
                if seen is None:
                    if status[i] in DENIAL_STATUSES:
                        self.new_rows[key] = (i, ids[key])
                    continue
                item = self.promoted[key] = self._item(*seen)
                self.promoted_rows.append(seen)
                del self.new_rows[key]
            self._apply(item, i, report)
        report.opened = len(self.new_rows) + len(self.promoted)
        report.updated = len(self.touched)
        report.events = len(self.events) + report.opened
        self._write(conn)

    def _new_ids(self, first: int) -> dict[str, int]:
        """Ids for the items this run opens, in key order: the table and its key index then
        grow at their ends instead of at random pages (several times faster at a million)."""
        c = self.cols
        new = {
            k for k, lk, st in zip(c["item_key"], c["line_key"], c["status"], strict=True)
            if st in DENIAL_STATUSES and k not in self.existing and lk not in self.by_line
        }
        return {k: first + n for n, k in enumerate(sorted(new))}

    def _opened(self, opened: list[tuple[int, int]]) -> dict[str, Any]:
        """The "opened" event of each new item, column by column."""
        texts = self.opened_json
        take = np.fromiter((i for i, _ in opened), dtype=np.int64, count=len(opened))
        after = []
        for values in zip(*(self.arrays[k][take] for k in _OPENED), strict=True):
            text = texts.get(values)
            if text is None:  # few distinct (status, pattern, route, deadline): encode each once
                text = texts[values] = event_json(dict(zip(_OPENED, values, strict=True), state="open"))
            after.append(text)
        n = len(opened)
        source = pd.Series(self.arrays["last_file"][take]).astype(str) + " row " + pd.Series(
            self.arrays["last_row"][take]).astype(str)
        return {
            "item_id": [j for _, j in opened], "at": repeat(self.stamp, n), "kind": repeat("opened", n),
            "source": source.to_numpy(dtype=object), "before": repeat("{}", n),
            "after": after,
        }

    def _apply(self, item: dict[str, Any], i: int, report: Any) -> None:
        c = self.cols
        line = {k: c[k][i] for k in (*SEEN_FIELDS, *DEADLINE_FIELDS, "remit_date")}
        kind, changes = apply_line(item, line, today=self.today, window_for=self.window_for)
        if not changes:
            return
        item["updated_at"] = self.stamp
        if item["item_key"] in self.existing:
            self.touched[item["id"]] = item
        before = {k: _nan_to_none(v[0]) for k, v in changes.items()}
        after = {k: _nan_to_none(v[1]) for k, v in changes.items()}
        self.events.append(
            (item["id"], self.stamp, kind, self.source(i), event_json(before), event_json(after))
        )
        if kind != "seen":
            report.outcomes[kind] += 1

    def _item(self, i: int, item_id: int) -> dict[str, Any]:
        return dict(zip(ITEM_COLUMNS, next(iter(self._rows([i], [item_id]))), strict=True))

    def _rows(self, idx: list[int], ids: list[int]) -> Any:
        """New items as tuples in ``ITEM_COLUMNS`` order."""
        base = self._columns(idx, ids)
        return zip(*(base[name] for name in ITEM_COLUMNS), strict=True)

    def _columns(self, idx: list[int], ids: list[int]) -> dict[str, Any]:
        """New items column by column (numpy takes): no per-row Python work until the driver's."""
        take, n = np.asarray(idx, dtype=np.int64), len(idx)
        arrays = self.arrays
        base: dict[str, Any] = {name: arrays[name][take] for name in _FROM_LINE}
        billed = self.floats["billed_amount"][take]
        paid = np.nan_to_num(self.floats["paid_amount"][take], nan=0.0)
        base.update({
            "id": ids, "state": repeat("open", n), "level": repeat(1, n),
            "paid_at_denial": paid.astype(object),
            "denied_amount": np.round(billed - paid, 2).astype(object),
            "recovered_amount": repeat(0.0, n), "written_off_amount": repeat(0.0, n),
            "denial_date": arrays["remit_date"][take],
            "submitted_on": repeat(None, n), "resolved_on": repeat(None, n),
            "first_seen_at": repeat(self.stamp, n), "updated_at": repeat(self.stamp, n),
        })
        return {name: base[name] for name in ITEM_COLUMNS}

    def _write(self, conn: Connection) -> None:
        fresh = sorted(self.new_rows.values(), key=lambda pair: pair[1])
        insert_columns(conn, "items", self._columns([i for i, _ in fresh], [j for _, j in fresh]), len(fresh))
        insert_rows(conn, "items", ITEM_COLUMNS, (
            tuple(item[c] for c in ITEM_COLUMNS) for item in self.promoted.values()))
        mutable = [c for c in ITEM_COLUMNS if c not in ("id", "item_key", "first_seen_at")]
        update_rows(conn, "items", mutable, (
            (*(item[c] for c in mutable), item["id"]) for item in self.touched.values()))
        opened = self._opened(sorted([*fresh, *self.promoted_rows], key=lambda pair: pair[1]))
        count = len(opened["item_id"])
        if self.events:
            # an item's later events follow its opening; the sort is stable
            rows = [*zip(*opened.values(), strict=True), *self.events]
            rows.sort(key=lambda e: e[0])
            opened = dict(zip(EVENT_COLUMNS, zip(*rows, strict=True), strict=True))
            count = len(rows)
        if count:
            insert_columns(conn, "events", opened, count)

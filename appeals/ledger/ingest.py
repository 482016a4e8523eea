"""Record a run's classified lines in the ledger: one transaction, bulk writes.

A file already recorded (same bytes, by SHA-256) is skipped whole, so loading a file twice
changes nothing. Lines are read in remittance-date order, then as they stand in their file,
so a reversal followed by its readjudication leaves the readjudication as the payer's
latest word (reversal lines themselves, CLP02 = 22, change no item). Denied and
needs-review lines open items; a later line for an existing item updates it
(``states.apply_line``); a paid line with no item is counted, not stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from appeals.ledger import identity
from appeals.ledger.bulk import fetch_keyed, insert_rows
from appeals.ledger.states import DENIAL_STATUSES, REVERSAL
from appeals.ledger.tables import ITEM_TEXT, files, items
from appeals.ledger.walk import ITEM_COLUMNS, Walk, now

_DATES = ("service_date", "denial_date", "deadline", "submitted_on", "resolved_on")
_STAMPS = ("first_seen_at", "updated_at")
_LINE_TEXT = tuple(c for c in ITEM_TEXT if c not in ("next_level", "submitted_via", "last_file"))


@dataclass
class IngestReport:
    files_recorded: list[str] = field(default_factory=list)
    files_already: list[str] = field(default_factory=list)
    lines: int = 0
    opened: int = 0
    updated: int = 0
    events: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "files_recorded": self.files_recorded, "files_already": self.files_already,
            "lines": self.lines, "opened": self.opened, "updated": self.updated,
            "events": self.events, "outcomes": dict(sorted(self.outcomes.items())),
        }


def file_digests(paths: Iterable[str | Path]) -> dict[str, str]:
    """SHA-256 of each input file, keyed by the name the readers put in ``source_file``."""
    out = {}
    for path in paths:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        out[str(path)] = digest.hexdigest()
    return out


def _dates(values: pd.Series) -> np.ndarray:
    """Python dates (None when absent); each distinct day converted once."""
    codes, uniques = pd.factorize(pd.to_datetime(values, errors="coerce"))
    days = np.array([v.date() for v in uniques] + [None], dtype=object)
    return days[codes]  # code -1 (missing) picks the trailing None


def observations(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines that can touch an item, with their key and the values an item keeps."""
    keep = lines["status"].isin(DENIAL_STATUSES | {"paid"}) & (lines["claim_status"] != REVERSAL)
    obs = lines.loc[keep]
    out = pd.DataFrame(index=obs.index)
    out["item_key"] = identity.item_keys(obs)
    out["line_key"] = identity.line_keys(obs)
    out["payer_type"] = identity.payer_types(obs)
    out["route"] = identity.routes(obs, out["payer_type"])
    deadline, basis = identity.deadlines(obs)
    for name in _LINE_TEXT:
        if name not in out.columns:
            out[name] = identity._text(obs, name) if name != "deadline_basis" else basis
    out["patterns"] = out["patterns"].where(out["patterns"] != "", out["pattern"])
    out["last_file"] = obs["source_file"].astype(str)
    out["last_row"] = obs["source_row"].astype("int64")
    for name in ("billed_amount", "paid_amount"):
        out[name] = pd.to_numeric(obs[name], errors="coerce").astype("float64")
    out["service_date"] = _dates(obs["service_date"])
    out["remit_date"] = _dates(obs["remit_date"])
    out["deadline"] = _dates(deadline)
    return out


def reading_order(obs: pd.DataFrame) -> np.ndarray:
    """Positions in the payer's order: remittance date, then as the lines stand in their file."""
    when = pd.to_datetime(pd.Series(obs["remit_date"]), errors="coerce").astype("datetime64[ns]")
    # an unknown remittance date reads as the earliest: the dated word of the payer comes later
    days = when.to_numpy().astype(np.int64)
    days[when.isna().to_numpy()] = np.iinfo(np.int64).min
    return np.argsort(days, kind="stable")


def record(
    conn: Connection, lines: pd.DataFrame, digests: Mapping[str, str], *,
    today: dt.date, window_for: Callable[[str], int],
) -> IngestReport:
    """Record ``lines`` (a classified frame) inside the caller's write transaction."""
    report = IngestReport()
    known = set(conn.scalars(select(files.c.digest).where(files.c.digest.in_(list(digests.values())))))
    fresh = {name: d for name, d in digests.items() if d not in known}
    report.files_already = sorted(n for n, d in digests.items() if d in known)
    report.files_recorded = sorted(fresh)
    lines = lines[lines["source_file"].isin(list(fresh))]
    report.lines = len(lines)
    if not fresh:
        return report
    stamp = now()
    file_ids = _record_files(conn, lines, fresh, stamp)
    _record_volume(conn, lines, file_ids)
    obs = observations(lines)
    existing, by_line = _existing(conn, obs)
    walk = Walk(obs, existing, by_line, today=today, stamp=stamp, window_for=window_for)
    walk.run(conn, report, reading_order(obs))
    return report


def _record_files(
    conn: Connection, lines: pd.DataFrame, fresh: Mapping[str, str], stamp: dt.datetime
) -> dict[str, int]:
    start = int(conn.scalar(select(func.coalesce(func.max(files.c.id), 0))) or 0)
    counts = lines["source_file"].value_counts()
    ids = {name: start + i + 1 for i, name in enumerate(sorted(fresh))}
    insert_rows(conn, "files", ("id", "digest", "name", "loaded_at", "lines"), [
        (ids[n], fresh[n], n, stamp, int(counts.get(n, 0))) for n in sorted(fresh)
    ])
    return ids


def _record_volume(conn: Connection, lines: pd.DataFrame, file_ids: Mapping[str, int]) -> None:
    when = pd.to_datetime(lines["remit_date"], errors="coerce").fillna(
        pd.to_datetime(lines["service_date"], errors="coerce"))
    frame = pd.DataFrame({
        "file_id": lines["source_file"].map(file_ids),
        "payer": lines["payer"].astype(str),
        "month": when.dt.strftime("%Y-%m").fillna(""),
        "denied": lines["status"].isin(DENIAL_STATUSES).astype(int),
        "billed_amount": pd.to_numeric(lines["billed_amount"], errors="coerce").fillna(0.0),
    })
    grouped = frame.groupby(["file_id", "payer", "month"], sort=True).agg(
        lines=("denied", "size"), denied=("denied", "sum"), billed_amount=("billed_amount", "sum"))
    insert_rows(conn, "volume", ("file_id", "payer", "month", "lines", "denied", "billed_amount"), [
        (int(f), p, m, int(r.lines), int(r.denied), round(float(r.billed_amount), 2))
        for (f, p, m), r in zip(grouped.index, grouped.itertuples(index=False), strict=True)
    ])


def _existing(
    conn: Connection, obs: pd.DataFrame
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Items the run's lines name, by item key, and by line key where that is unambiguous.

    Line keys are looked up through the claim id index (a claim has few lines), so the
    ledger keeps one index fewer to maintain on every insert.
    """
    if obs.empty or conn.scalar(select(items.c.id).limit(1)) is None:
        return {}, {}
    names = ", ".join(f'i."{c}"' for c in ITEM_COLUMNS)
    by_key = _fetch(conn, obs["item_key"].unique(), f"SELECT {names} FROM items i JOIN run_keys k ON k.k = i.item_key")
    missed = obs.loc[~obs["item_key"].isin(list(by_key)), "claim_id"].unique()
    if len(missed):
        by_claim = _fetch(conn, missed, f"SELECT {names} FROM items i JOIN run_keys k ON k.k = i.claim_id")
        wanted = set(obs["line_key"])
        by_key.update({k: v for k, v in by_claim.items() if v["line_key"] in wanted})
    counts = Counter(item["line_key"] for item in by_key.values())
    by_line = {item["line_key"]: item for item in by_key.values() if counts[item["line_key"]] == 1}
    return by_key, by_line


def _fetch(conn: Connection, keys: Any, sql: str) -> dict[str, dict[str, Any]]:
    out = {}
    for row in fetch_keyed(conn, list(keys), sql):
        item = dict(zip(ITEM_COLUMNS, row, strict=True))
        if conn.dialect.name == "sqlite":
            _parse_sqlite(item)
        out[item["item_key"]] = item
    return out


def _parse_sqlite(item: dict[str, Any]) -> None:
    for name in _DATES:
        if isinstance(item[name], str):
            item[name] = dt.date.fromisoformat(item[name])
    for name in _STAMPS:
        if isinstance(item[name], str):
            item[name] = dt.datetime.fromisoformat(item[name])


"""What the ledger commands share: opening the ledger and printing rows as text or JSON."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import click

from appeals.ledger import Ledger, open_ledger


def open_for_cli(target: str) -> Ledger:
    """The ledger for queue, mark, history and stats: never creates one."""
    return open_ledger(target, create=False)


def to_json(value: Any) -> str:
    def default(obj: Any) -> Any:
        if isinstance(obj, (dt.date, dt.datetime)):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default, indent=2)


def money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%m/%d/%Y")
    return str(value)


def echo_table(rows: list[dict[str, Any]], columns: list[tuple[str, str]]) -> None:
    """A plain aligned table: (field, header) pairs."""
    cells = [[h for _, h in columns]] + [[shown(r.get(f)) for f, _ in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())

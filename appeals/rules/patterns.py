"""The documented SCIG denial patterns: ids, titles, signals, fixes and sources."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from appeals.resources import read_data_csv


@dataclass(frozen=True)
class Pattern:
    id: str
    title: str
    signals: str
    fix: str
    default_action: str
    source: str


@cache
def load_patterns() -> dict[str, Pattern]:
    table = read_data_csv("patterns.csv")
    return {
        row["id"]: Pattern(
            id=row["id"],
            title=row["title"],
            signals=row["signals"],
            fix=row["fix"],
            default_action=row["default_action"],
            source=row["source"],
        )
        for row in table.to_dict("records")
    }


def pattern_ids() -> tuple[str, ...]:
    return tuple(load_patterns())

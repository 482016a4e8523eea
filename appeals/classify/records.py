"""Typed records that pass between stages inside a frame's object columns.

``add_lines`` holds, per line, a tuple of ``AddedLine``: the lines a fix adds. Classify
builds them, render and the workbooks read them; nobody encodes or parses them as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class AddedLine:
    """A line to bill that the original claim did not carry.

    ``new_claim``: a documented service never billed. It goes on a separate new claim, and
    only if the chart documents it; it is never slipped into a correction of billed lines.
    """

    code: str
    units: float
    modifiers: tuple[str, ...] = ()
    new_claim: bool = False
    reason: str = ""

    @property
    def units_text(self) -> str:
        return f"{self.units:g}"

    def __str__(self) -> str:
        mods = f" {' '.join(self.modifiers)}" if self.modifiers else ""
        where = " (new claim, only if the chart documents it)" if self.new_claim else ""
        return f"{self.code} x{self.units_text}{mods}{where}"


NO_LINES: tuple[AddedLine, ...] = ()


def added_text(lines: Iterable[AddedLine]) -> str:
    """A cell's words for a tuple of added lines ("96369 x1; 96371 x2 (new claim ...)")."""
    return "; ".join(str(line) for line in lines)


def added_to_json(lines: Iterable[AddedLine]) -> str:
    """The tuple as JSON, for stores that hold only scalars (the web page's Parquet files)."""
    return json.dumps([asdict(line) for line in lines])


def added_from_json(text: str) -> tuple[AddedLine, ...]:
    """Back from ``added_to_json``; an empty cell is no lines."""
    if not text:
        return NO_LINES
    return tuple(
        AddedLine(**{**item, "modifiers": tuple(item.get("modifiers", ()))})
        for item in json.loads(text)
    )

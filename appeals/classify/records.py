"""Typed records that pass between stages inside a frame's object columns.

``add_lines`` holds, per line, a tuple of ``AddedLine``: the lines a fix adds. Classify
builds them, render and the workbooks read them; nobody encodes or parses them as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


def encode(lines: Iterable[AddedLine]) -> list[dict]:
    """Plain dicts for storage that holds no Python objects (Parquet, JSON)."""
    return [{"code": a.code, "units": a.units, "modifiers": list(a.modifiers),
             "new_claim": a.new_claim, "reason": a.reason} for a in lines]


def decode(value: object) -> tuple[AddedLine, ...]:
    """Back from ``encode`` (or a column read from Parquet); typed records pass through."""
    if value is None or isinstance(value, str | float):
        return NO_LINES
    out = []
    for item in value:  # type: ignore[attr-defined]
        if isinstance(item, AddedLine):
            out.append(item)
        else:
            out.append(AddedLine(str(item["code"]), float(item["units"]),
                                 tuple(str(m) for m in item["modifiers"]),
                                 bool(item["new_claim"]), str(item["reason"])))
    return tuple(out)

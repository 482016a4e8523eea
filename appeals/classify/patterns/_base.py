"""What a pattern module works with: ``Line`` (one line to describe) and ``Fix`` (the
correction being built for the whole frame), and ``PatternUnit``, the registry's record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appeals.classify.conditions import Facts, encounter_any
from appeals.classify.records import AddedLine


def num(value: float) -> str:
    return "?" if value != value else f"{value:g}"


class Row(Mapping[str, Any]):
    """One line's values read from the frame's columns when asked (a copied dict per
    described line cost more than every pattern's evidence text)."""

    __slots__ = ("_cols", "_i", "_extra")

    def __init__(self, cols: dict[str, np.ndarray], i: int, **extra: Any) -> None:
        self._cols, self._i, self._extra = cols, i, extra

    def __getitem__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        return self._cols[name][self._i]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._cols), **self._extra})

    def __len__(self) -> int:
        return len(set(self._cols) | set(self._extra))


@dataclass
class Line:
    """One open line, with what its evidence may say about it and its encounter."""

    i: int
    code: str
    product: str  # "Hizentra (J1559)", or "an SCIG product"
    billed: str  # every line of the encounter: "96365 x1, J1559 x60 (JB)"
    dos: str
    tail: str  # " Denial: CO-4/N657." (remittances) or ""
    payer: str  # the payer's display name
    col: Mapping[str, Any]  # this line's other values by column name
    facts: Facts
    kx_admin: list[str] = field(default_factory=list)  # admin codes on the encounter with KX

    def __getattr__(self, name: str) -> Any:
        try:
            return self.col[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class Fix:
    """The correction under construction; each pattern's ``correct`` adds its part."""

    facts: Facts
    code: np.ndarray
    units: np.ndarray
    new_code: np.ndarray
    new_units: np.ndarray
    new_mods: np.ndarray
    new_pos: np.ndarray  # place of service the corrected claim reports
    remove: np.ndarray
    # Lines a fix adds, by line position (an int or a numpy int: equal keys); a defaultdict,
    # since most lines add none.
    add: dict[Any, list[AddedLine]]
    why: np.ndarray
    lists: list[set[str]]  # every pattern of each line
    corrective: np.ndarray  # lines whose fix changes the claim
    s70: np.ndarray  # units the chart supports (NaN: unknown)
    s71: np.ndarray
    capped71: np.ndarray  # 96371 the chart supports, at most the payer's cap
    # The pattern whose fix is running, and each line's change words per pattern, so a
    # document can give every cause its own reason (``why`` joins them for the line).
    current: str = ""
    # only the lines a fix touched have an entry (a dict per line cost a tenth of classify)
    by_pattern: defaultdict[int, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    @property
    def n(self) -> int:
        return len(self.code)

    def has(self, pattern: str) -> np.ndarray:
        """Correcting lines that carry ``pattern`` among their patterns."""
        found = np.zeros(self.n, dtype=bool)
        where = np.flatnonzero(self.corrective)
        found[where] = [pattern in self.lists[i] for i in where]
        return found

    def enc_has(self, pattern: str) -> np.ndarray:
        """Every line of an encounter where a correcting line carries ``pattern``."""
        return encounter_any(self.facts.encounter, self.facts.n_encounters, self.has(pattern))

    def note(self, mask: np.ndarray, text: str) -> None:
        for i in np.flatnonzero(mask).tolist():
            self.why[i] = f"{self.why[i]}; {text}" if self.why[i] else text
            own = self.by_pattern[i].get(self.current, "")
            self.by_pattern[i][self.current] = f"{own}; {text}" if own else text

    def modifier(self, mask: np.ndarray, *, add: str = "", drop: str = "") -> None:
        for i in np.flatnonzero(mask):
            mods = [m for m in self.new_mods[i].split(";") if m and m != drop]
            if add and add not in mods:
                mods.append(add)
            self.new_mods[i] = ";".join(mods)

    def is_code(self, code: str) -> np.ndarray:
        return self.facts.columns.member_of("procedure_code", frozenset({code}))


def unbilled(code: str, units: float, what: str) -> AddedLine:
    """A service the chart may support that the claim never billed: a new claim, only if
    the chart documents it, never part of a correction."""
    return AddedLine(code, float(units), new_claim=True,
                     reason=f"{code} for {what}: never billed; a new claim, only if the chart "
                     "documents it")


@dataclass(frozen=True)
class PatternUnit:
    id: str
    evidence: Callable[[Line], str]
    correct: Callable[[Fix], None] | None = None

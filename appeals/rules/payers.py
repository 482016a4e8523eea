"""Payer rules as data: name resolution, payer type, the 96371 cap, KX, windows, seed notes.

Every payer resolves to one row and its ``payer_type`` (``PAYER_TYPES``). Original Medicare
has one row per MAC and jurisdiction, so each keeps its own addresses, portal and LCD; plan
rows (Medicare Advantage) carry a lower priority number than the bare word "Medicare", so
"Humana Gold Plus" or "AARP Medicare Advantage" never resolve as Original Medicare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from appeals.errors import ConfigError
from appeals.resources import data_path, read_text_csv

OTHER = "other"
PAYER_TYPES = ("medicare_ab", "medicare_dme", "medicare_advantage", "medicaid", "commercial")
MEDICARE_TYPES = frozenset({"medicare_ab", "medicare_dme"})
_REQUIRED = (
    "payer",
    "display_name",
    "payer_type",
    "aliases",
    "priority",
    "cap_96371",
    "kx_required",
    "appeal_window_days",
    "receipt_days",
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class PayerRule:
    key: str
    display_name: str
    payer_type: str
    aliases: tuple[str, ...]
    priority: int
    cap_96371: int | None
    cap_source: str
    kx_required: bool
    kx_source: str
    appeal_window_days: int
    receipt_days: int
    window_source: str
    lcd: str
    appeal_address: str
    notes: str
    sources: str
    timely_filing_days: int = 365
    filing_source: str = ""
    contracted: bool | None = None  # None: not configured
    reopening_address: str = ""
    portal: str = ""
    contract_window_days: int | None = None  # the participation agreement's dispute window
    reopening_form: str = ""  # the MAC's written reopening form, as the office names it

    @property
    def contract_status(self) -> str:
        """``yes``, ``no`` or ``unknown`` (not configured): routes.csv's ``contracted``."""
        return "unknown" if self.contracted is None else ("yes" if self.contracted else "no")

    @property
    def original_medicare(self) -> bool:
        return self.payer_type in MEDICARE_TYPES


def _normal(name: str) -> str:
    return " " + _NON_WORD.sub(" ", name.lower()).strip() + " "


class PayerRules:
    """The payer table; resolves free-text payer names to a payer key."""

    def __init__(self, rules: list[PayerRule]) -> None:
        self.rules = {rule.key: rule for rule in rules}
        if OTHER not in self.rules:
            raise ConfigError("the payer rules need a row for payer 'other'")
        # Specific plans first, so "Humana Medicare Advantage" resolves to humana.
        self._aliases = [
            (_normal(alias), rule.key)
            for rule in sorted(rules, key=lambda r: (r.priority, r.key))
            for alias in rule.aliases
        ]

    def get(self, key: str) -> PayerRule:
        return self.rules.get(key) or self.rules[OTHER]

    def resolve(self, name: str) -> str:
        """The payer key for a free-text name; a key itself resolves to itself."""
        text = _normal(name)
        if text.strip() in self.rules:
            return text.strip()
        for alias, key in self._aliases:
            if alias in text:
                return key
        return OTHER

    def resolve_series(self, names: pd.Series) -> pd.Series:
        """Vectorised ``resolve``: each distinct name is resolved once."""
        codes, uniques = pd.factorize(names.astype(str), sort=False)
        keys = [self.resolve(u) for u in uniques]
        out = pd.Series(pd.array(keys, dtype=object)).take(codes) if len(keys) else None
        if out is None:
            return pd.Series([OTHER] * len(names), index=names.index, dtype=object)
        return pd.Series(out.to_numpy(), index=names.index, dtype=object)


def _int(row: pd.Series, field: str, path: Path, line: int, *, optional: bool = False) -> int | None:
    value = row[field].strip()
    if optional and value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(
            "expected a whole number", file=path, row=line, column=field, value=value,
            fix=f"write a number in {field}" + (" or leave it blank" if optional else ""),
        ) from None
    if number < 0:
        raise ConfigError("must not be negative", file=path, row=line, column=field, value=value)
    return number


def _filing_days(row: pd.Series, path: Path, line: int) -> int:
    if "timely_filing_days" not in row or not row["timely_filing_days"].strip():
        return 365
    return _int(row, "timely_filing_days", path, line) or 0


def _reopening_form(row: pd.Series, payer_type: str, path: Path, line: int) -> str:
    form = row.get("reopening_form", "").strip()
    if form and payer_type not in MEDICARE_TYPES:
        raise ConfigError(
            "a reopening form belongs to a Medicare MAC", file=path, row=line,
            column="reopening_form", value=form,
            fix="leave reopening_form blank on plans that are not an A/B or DME MAC",
        )
    return form


def load_payer_rules(path: str | Path | None = None) -> PayerRules:
    """Read payer rules (the packaged table unless ``path`` is given)."""
    path = Path(path) if path else data_path("payers.csv")
    table = read_text_csv(path)
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise ConfigError(
            f"missing columns {', '.join(missing)}", file=path,
            fix="start from the packaged payers.csv",
        )
    # header is line 1
    return PayerRules([_payer_rule(row, path, int(i) + 2) for i, row in table.iterrows()])


def _choice(row: pd.Series, column: str, allowed: tuple[str, ...], path: Path, line: int,
            message: str, fix: str | None = None) -> str:
    value = row.get(column, "").strip().lower()
    if value not in allowed:
        raise ConfigError(message, file=path, row=line, column=column, value=value, fix=fix)
    return value


def _payer_rule(row: pd.Series, path: Path, line: int) -> PayerRule:
    """One row of payers.csv, validated (errors name the file, line and column)."""
    key = row["payer"].strip().lower()
    if not key:
        raise ConfigError("blank payer key", file=path, row=line, column="payer")
    payer_type = _choice(row, "payer_type", PAYER_TYPES, path, line, "unknown payer type",
                         "use one of: " + ", ".join(PAYER_TYPES))
    contracted = _choice(row, "contracted", ("yes", "no", ""), path, line,
                         "expected yes, no or blank",
                         "write yes when the office has a contract with this payer")
    kx = _choice(row, "kx_required", ("yes", "no"), path, line, "expected yes or no")
    return PayerRule(
        key=key,
        display_name=row["display_name"].strip() or key,
        payer_type=payer_type,
        aliases=tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
        priority=_int(row, "priority", path, line) or 0,
        cap_96371=_int(row, "cap_96371", path, line, optional=True),
        cap_source=row.get("cap_source", ""),
        kx_required=kx == "yes",
        kx_source=row.get("kx_source", ""),
        appeal_window_days=_int(row, "appeal_window_days", path, line) or 0,
        receipt_days=_int(row, "receipt_days", path, line) or 0,
        window_source=row.get("window_source", ""),
        lcd=row.get("lcd", "").strip(),
        appeal_address=row.get("appeal_address", "").strip(),
        notes=row.get("notes", ""),
        sources=row.get("notes_source", ""),
        timely_filing_days=_filing_days(row, path, line),
        filing_source=row.get("filing_source", ""),
        contracted=None if contracted == "" else contracted == "yes",
        reopening_address=row.get("reopening_address", "").strip(),
        portal=row.get("portal", "").strip(),
        contract_window_days=_int(row, "contract_window_days", path, line,
                                  optional=True) if "contract_window_days" in row else None,
        reopening_form=_reopening_form(row, payer_type, path, line),
    )

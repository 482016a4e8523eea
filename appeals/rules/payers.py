"""Payer rules as data: name resolution, the 96371 cap, KX, appeal windows, seed notes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from appeals.errors import ConfigError
from appeals.resources import data_path, read_text_csv

OTHER = "other"
_REQUIRED = (
    "payer",
    "display_name",
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
    rules = []
    for i, row in table.iterrows():
        line = int(i) + 2  # header is line 1
        key = row["payer"].strip().lower()
        if not key:
            raise ConfigError("blank payer key", file=path, row=line, column="payer")
        kx = row["kx_required"].strip().lower()
        if kx not in ("yes", "no"):
            raise ConfigError(
                "expected yes or no", file=path, row=line, column="kx_required", value=kx
            )
        rules.append(
            PayerRule(
                key=key,
                display_name=row["display_name"].strip() or key,
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
            )
        )
    return PayerRules(rules)

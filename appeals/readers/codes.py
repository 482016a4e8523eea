"""Codes: procedure, revenue, place of service, modifiers, group codes, CARCs and RARCs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from appeals.readers._cells import _BAD, _STR, _per_unique, _strip_float, as_text
from appeals.readers.amounts import format_amounts

GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")

_GROUP_WORDS = [
    (re.compile(r"CONTRACTUAL\s+OBLIGATIONS?"), "CO"),
    (re.compile(r"PATIENT\s+RESPONSIBILITY"), "PR"),
    (re.compile(r"OTHER\s+ADJUSTMENTS?"), "OA"),
    (re.compile(r"PAYE?R\s+INITIATED(\s+REDUCTIONS?)?"), "PI"),
    (re.compile(r"CORRECTIONS?\s*(AND|&)\s*REVERSALS?"), "CR"),
]
_GROUP_PREFIX = "|".join(GROUP_CODES)
_CARC = r"(?:\d{1,3}|[ABDPWY]\d{1,2})"
_RARC = r"(?:MA|M|N)\d{1,4}"
_TOKEN = re.compile(
    rf"(?:(?P<group>{_GROUP_PREFIX})-?)?(?P<code>{_CARC}|{_RARC})(?:\.0+)?"
    rf"(?::(?P<amount>-?\d+(?:\.\d+)?))?",
    re.ASCII,  # codes are ASCII digits; "𐴰" (a Unicode digit) is unrecognised, not a CARC
)
_RARC_RE = re.compile(_RARC, re.ASCII)
_SEPARATORS = re.compile(r"[,;/|\s]+")

def _one_procedure(text: str) -> tuple[str, str]:
    code = _strip_float(text.upper())
    m = re.fullmatch(r"([A-Z0-9]{5})(?:\s*[-:\s]\s*|\s+)([A-Z0-9]{2}(?:[\s,;:\-]+[A-Z0-9]{2})*)", code)
    if m:  # "96369-KX", "J1561 JB KX": modifiers typed into the code cell
        return m.group(1), ";".join(re.split(r"[\s,;:\-]+", m.group(2)))
    return code, ""


def parse_procedure(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """CPT/HCPCS as upper-case text (``0450`` keeps its zero); (codes, modifiers in the cell)."""
    code, mods = _per_unique(as_text(values), _one_procedure, "ss")
    return code, mods


def _one_revenue(text: str) -> tuple[str, bool]:
    code = _strip_float(text.upper())
    if re.fullmatch(r"\d{1,4}", code):
        return code.zfill(4), False
    return code, bool(code)


def parse_revenue(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Revenue codes as 4 digits (``450`` → ``0450``); (codes, bad)."""
    codes, bad = _per_unique(as_text(values), _one_revenue, "sb")
    return codes, bad


_POS_WORDS = {"OFFICE": "11", "HOME": "12"}


def _one_pos(text: str) -> tuple[str, bool]:
    code = _strip_float(text.upper())
    if re.fullmatch(r"0*\d{1,2}", code):
        return code.lstrip("0").zfill(2), False
    if code in _POS_WORDS:
        return _POS_WORDS[code], False
    return code, bool(code)


def parse_pos(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Place of service as 2 digits: ``11.0`` → ``11``, ``011`` → ``11``, ``1`` → ``01``; (pos, bad)."""
    pos, bad = _per_unique(as_text(values), _one_pos, "sb")
    return pos, bad


def _one_modifiers(text: str) -> tuple[str, bool]:
    if not text:
        return "", False
    tokens = [_strip_float(t) for t in re.split(r"[\s,;/|+\-]+", text.upper()) if t]
    return ";".join(dict.fromkeys(tokens)), any(len(t) != 2 for t in tokens)


def parse_modifiers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``JB KX``, ``JB,KX`` → ``JB;KX``; (modifiers, odd) where odd flags tokens not 2 long."""
    mods, odd = _per_unique(as_text(values), _one_modifiers, "sb")
    return mods, odd


def join_lists(*columns: pd.Series) -> pd.Series:
    """Join ``;``-lists column by column, dropping empties and repeats, keeping order."""
    if not columns:
        raise ValueError("join_lists needs at least one column")
    filled = [c.fillna("").astype(_STR) for c in columns]
    used = [c for c in filled if (c != "").any()]
    if len(used) <= 1:  # the common case: nothing to merge
        return (used or filled)[0]
    joined = used[0]
    for col in used[1:]:
        joined = joined + ";" + col
    (out,) = _per_unique(
        joined, lambda v: (";".join(dict.fromkeys(t for t in v.split(";") if t)),), "s"
    )
    return out


def _group_of(text: str) -> str:
    upper = text.upper()
    for pattern, code in _GROUP_WORDS:
        upper = pattern.sub(code, upper)
    m = re.match(rf"\s*({_GROUP_PREFIX})\b", upper)
    return m.group(1) if m else _BAD


def parse_group(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Group codes ``CO``/``co``/"Contractual Obligation" → ``CO``; (groups, bad)."""

    def one(value: str) -> tuple[str, bool]:
        group = _group_of(value) if value else ""
        return ("", True) if group == _BAD else (group, False)

    groups, bad = _per_unique(as_text(values), one, "sb")
    return groups, bad


def _tokens(cell: str) -> list[str]:
    text = cell.upper()
    for pattern, code in _GROUP_WORDS:
        text = pattern.sub(code, text)
    text = re.sub(r"\s*-\s*", "-", text)
    tokens = []
    for token in _SEPARATORS.split(text):
        if token in GROUP_CODES or _TOKEN.fullmatch(token) or "-" not in token:
            tokens.append(token)
        else:  # "119-N362": a hyphen used as a separator
            tokens.extend(token.split("-"))
    return [t for t in tokens if t]


def _split(cell: str, group: str) -> tuple[str, str, str, str, bool]:
    """(carcs, rarcs, adjustments, unrecognised, wants_amount).

    ``wants_amount``: the cell has one grouped CARC and no amount of its own, so the row's
    adjustment amount belongs after its trailing ``:``.
    """
    carcs: dict[str, None] = {}
    rarcs: dict[str, None] = {}
    unknown: dict[str, None] = {}
    adjustments: list[tuple[str, str, str | None]] = []
    pending = ""
    for token in _tokens(cell):
        if token in GROUP_CODES:
            pending = token
            continue
        m = _TOKEN.fullmatch(token)
        code = m.group("code") if m else ""
        if code and not _RARC_RE.fullmatch(code) and code.isdigit():
            code = code.lstrip("0")
        if not code:
            unknown[token] = None
        elif _RARC_RE.fullmatch(code):
            rarcs[code] = None
        else:
            assert m is not None  # a code comes only from a matched token
            carcs[code] = None
            grp = m.group("group") or pending or group
            if grp:
                given = m.group("amount")
                adjustments.append((grp, code, f"{float(given):.2f}" if given else None))
        pending = ""
    wants = len(adjustments) == 1 and adjustments[0][2] is None
    adj = ";".join(dict.fromkeys(f"{g}-{c}:{a or ''}" for g, c, a in adjustments))
    return ";".join(carcs), ";".join(rarcs), adj, ";".join(unknown), wants


def split_codes(
    cell: str, group: str = "", amount: float = float("nan")
) -> tuple[str, str, str, str]:
    """One cell of adjustment codes → (carcs, rarcs, adjustments, unrecognised), ``;``-joined.

    ``CO-119/N362``, ``CO119``, ``CO 119``, bare ``119`` (``group`` supplies the group),
    words for groups; RARCs are ``M``/``N``/``MA`` + digits, CARCs 1-3 digits or
    ``A``/``B``/``D``/``P``/``W``/``Y`` + digits. ``amount`` goes to the adjustment only when
    the cell has a single grouped CARC; otherwise the amount is left "" (unknown).
    """
    carcs, rarcs, adj, unknown, wants = _split(cell, group)
    if wants and amount == amount:
        adj += f"{amount:.2f}"
    return carcs, rarcs, adj, unknown


def parse_codes(
    codes: pd.Series, group: pd.Series | None = None, amount: pd.Series | None = None
) -> pd.DataFrame:
    """Vectorised ``split_codes``: columns carcs, rarcs, adjustments, unrecognised.

    ``group`` holds parsed group codes ("" when unknown), ``amount`` parsed floats. Cells are
    split once per distinct (codes, group) pair; amounts are filled in column-wise.
    """
    text = as_text(codes)
    if group is None:
        parts = _per_unique(text, lambda v: _split(v, ""), "ssssb")
    else:
        key = text + "\x1f" + group.fillna("").astype(_STR)
        parts = _per_unique(key, lambda k: _split(*k.split("\x1f")) if k else _split("", ""),
                            "ssssb")
    carcs, rarcs, adjustments, unknown, wants = parts
    if amount is not None:
        values = amount.to_numpy(dtype="float64")
        fill = wants.to_numpy() & ~np.isnan(values)
        if fill.any():
            text_amounts = pc.if_else(pa.array(fill), format_amounts(np.nan_to_num(values)), "")
            base = pa.array(adjustments).cast(pa.string())
            joined = pc.binary_join_element_wise(base, text_amounts, "")
            adjustments = pd.Series(joined, index=text.index, dtype=_STR)
    return pd.DataFrame(
        {"carcs": carcs, "rarcs": rarcs, "adjustments": adjustments, "unrecognised": unknown},
        index=text.index,
    )


"""Money and counts: ``$1,234.50``, ``(12.00)``, ``3.0``; amounts back to text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from appeals.readers._cells import _STR, as_text

_MONEY = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?")
_BLANKISH = ("N/A", "NA", "NONE", "NULL", "-")


_PLAIN_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)"


def _to_float(text: pd.Series) -> pd.Series:
    """Text already known to be plain numbers → float64, via Arrow's fast cast."""
    try:
        arr = pa.array(text.astype(_STR))
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        cast = pc.cast(arr, pa.float64())
        return pd.Series(cast.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
    except Exception:  # noqa: BLE001 - any Arrow quirk: the slow, sure path
        return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``$1,234.50`` → 1234.5, ``(12.00)`` and ``12.00-`` → -12.0, ``$ -`` → 0; (amounts, bad)."""
    text = as_text(values)
    numbers = pd.Series(np.nan, index=text.index, dtype="float64")
    bad = pd.Series(False, index=text.index)
    plain = text.str.fullmatch(_PLAIN_NUMBER).to_numpy(dtype=bool)
    # Most exports hold plain numbers, cast in one Arrow call: 1.14x on a 300k-line load
    # (bench/tricks.py money_plain), under the 1.3x a trick must buy. It stays until the text
    # path reads "5." and non-ASCII digits as this one does; dropping it now changes output.
    if plain.any():
        numbers[plain] = _to_float(text[plain]).to_numpy()
        # a non-ASCII digit ("𐴰") matches the pattern but is no number: flagged, not lost
        bad[plain] = numbers[plain].isna().to_numpy()
    rest = ~plain & (text != "").to_numpy(dtype=bool)
    if rest.any():
        parsed, unread = _money_text(text[rest])
        numbers[rest] = parsed.to_numpy()
        bad[rest] = unread.to_numpy()
    return numbers, bad


def _money_text(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    bare = text
    for mark in ("$", " ", "\t", "\xa0"):  # literal replaces stay inside Arrow; a regex may not
        bare = bare.str.replace(mark, "", regex=False)
    paren = bare.str.startswith("(") & bare.str.endswith(")")
    core = bare.str.replace("(", "", regex=False).str.replace(")", "", regex=False)
    trailing = core.str.endswith("-") & (core.str.len() > 1)
    core = core.where(~trailing, "-" + core.str[:-1])
    dash = core.isin(["-", "$-"])
    blank = text.str.upper().isin(_BLANKISH[:-1])
    ok = core.str.fullmatch(_MONEY.pattern) & core.str.contains(r"\d", regex=True)
    plain = core.where(ok, "").str.replace(",", "", regex=False)
    numbers = _to_float(plain)
    numbers = numbers.where(~(paren | trailing), -numbers.abs())
    numbers = numbers.where(~dash, 0.0)
    bad = ~blank & ~dash & ~ok.fillna(False).astype(bool)
    return numbers.where(~bad), bad.astype(bool)


def parse_count(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole non-negative counts (units, sites): ``3``, ``3.0``; (numbers, bad).

    Negative, fractional and text values are bad: units decide payment, never guess them.
    """
    text = as_text(values)
    ok = text.str.fullmatch(r"\+?\d{1,7}(?:\.0*)?").to_numpy(dtype=bool)
    numbers = pd.Series(np.nan, index=text.index, dtype="float64")
    if ok.any():
        numbers[ok] = _to_float(text[ok].str.lstrip("+")).to_numpy()
    # a non-ASCII digit matches \d but is no number: flagged, never silently empty
    bad = (text != "").to_numpy(dtype=bool) & (~ok | numbers.isna().to_numpy())
    return numbers, pd.Series(bad, index=text.index)



def format_amounts(values: np.ndarray) -> pa.Array:
    """Floats → ``"1234.50"`` / ``"-12.00"`` text, vectorised (cents rounded half-even)."""
    cents = np.round(np.abs(values) * 100).astype(np.int64)
    whole = pc.cast(pa.array(cents // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0")
    sign = pa.array(np.where(values < 0, "-", ""), type=pa.string())
    return pc.binary_join_element_wise(sign, whole, ".", frac, "")


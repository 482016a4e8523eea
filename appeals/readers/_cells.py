"""What every cell parser shares: raw cells as text, and work done once per distinct value.

Exports repeat the same codes, dates and statuses over and over, so work that needs Python
runs once per distinct value (``pd.factorize``), not once per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa

_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str", Arrow-backed
_BAD = "bad"  # a parser's "cannot read this cell"


def _per_unique(values: pd.Series, func: Callable[[str], tuple], kinds: str) -> list[pd.Series]:
    """Apply ``func`` once per distinct value and spread its results back over the rows.

    ``func`` returns a tuple; ``kinds`` names each item's type: ``s`` text (an Arrow-backed
    str Series, built by ``take``), ``b`` bool, ``d`` a date (datetime64[ns], NaT for None).
    """
    codes, uniques = pd.factorize(values)
    results = [func(u) for u in uniques]
    results.append(func(""))  # factorize marks missing values -1, the last slot
    take = np.where(codes < 0, len(uniques), codes)
    out = []
    for k, kind in enumerate(kinds):
        items = [r[k] for r in results]
        if kind == "s":
            column = pa.array(items, type=pa.string()).take(pa.array(take))
            out.append(pd.Series(column, index=values.index, dtype=_STR))
        elif kind == "b":
            out.append(pd.Series(np.asarray(items, dtype=bool)[take], index=values.index))
        else:
            days = np.array([np.datetime64("NaT") if d is None else d for d in items],
                            dtype="datetime64[D]")
            out.append(pd.Series(days[take].astype("datetime64[ns]"), index=values.index))
    return out


def as_text(values: pd.Series) -> pd.Series:
    """Raw cells as stripped text, ``""`` for blanks; NUL bytes removed."""
    text = values.astype(_STR) if values.dtype == _STR and not values.hasnans else (
        values.fillna("").astype(_STR))
    if text.str.contains("\x00", regex=False).any():
        text = text.str.replace("\x00", "", regex=False)
    return text.str.strip()


def _strip_float(text: str) -> str:
    """``96369.0`` (a number cell) → ``96369``."""
    return text[: text.index(".")] if re.fullmatch(r"\d+\.0+", text) else text


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

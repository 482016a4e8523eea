"""A column as its distinct values plus, per row, which one it holds.

Exports repeat the same codes, dates, amounts and payer names over and over: a million-row
column often has a few hundred distinct values. Every cell parser is a function of the cell
alone, so parsing the distinct values and spreading the results back over the rows gives the
same result as parsing every row, at a fraction of the cost, and the rows of a text column
share one Python string per distinct value instead of holding a million copies.

A column whose values are mostly unique (claim numbers) is kept row by row (``codes`` is
None): hashing it would cost more than it saves.

What it buys: loading a 300k-line CSV is 1.96x faster than parsing every row (bench/tricks.py
distinct: 18.9 s vs 41.9 s on the shared machine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SAMPLE_ROWS = 20_000
# Hashing pays when rows repeat (even twice: the rows then share one string); a sample of
# almost only distinct values says they do not.
MAX_DISTINCT_SHARE = 0.9
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str", Arrow-backed


@dataclass
class Distinct:
    """``values`` (Series or DataFrame, RangeIndex) and ``codes``: row i holds values[codes[i]].

    ``codes`` None: ``values`` has one entry per row.
    """

    values: pd.Series | pd.DataFrame
    codes: np.ndarray | None

    def derive(self, values: pd.Series | pd.DataFrame) -> Distinct:
        """Results computed on ``values`` (same length and order), on the same rows."""
        return Distinct(values.reset_index(drop=True), self.codes)

    def per_value(self, mask: pd.Series | np.ndarray) -> np.ndarray:
        """A boolean computed on ``values`` → one per row."""
        mask = np.asarray(mask, dtype=bool)
        return mask if self.codes is None else mask[self.codes]

    def rows(self, select: np.ndarray | None = None) -> np.ndarray:
        """The values of the rows (all, a boolean mask or positions) as a numpy array;
        text comes back as Python ``str`` objects."""
        if self.codes is None:
            values = self.values if select is None else self.values[select]
            return _numpy(values)
        codes = self.codes if select is None else self.codes[select]
        return _numpy(self.values)[codes]

    def first(self, mask: np.ndarray):
        """The value of the first row where ``mask`` holds."""
        return self.rows(np.flatnonzero(mask)[:1])[0]

    def series(self) -> pd.Series | pd.DataFrame:
        """One entry per row (RangeIndex), in the values' own dtype."""
        if self.codes is None:
            return self.values
        return self.values.take(self.codes).reset_index(drop=True)


def _numpy(values: pd.Series) -> np.ndarray:
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == object:
        return values.fillna("").to_numpy(dtype=object)
    return values.to_numpy()


def of_column(column: pd.Series, keep: np.ndarray | None = None) -> Distinct:
    """A text column (Arrow-backed str, no missing values) restricted to the ``keep`` rows."""
    if keep is not None and keep.all():
        keep = None
    if not isinstance(column.dtype, pd.StringDtype):
        column = column.fillna("").astype(_STR)
    arrow = column.array.__arrow_array__()  # the Arrow data itself, no copy
    n = len(arrow)
    sample = arrow.slice(0, SAMPLE_ROWS)
    if n > SAMPLE_ROWS and pc.count_distinct(sample).as_py() > MAX_DISTINCT_SHARE * len(sample):
        values = column if keep is None else column[keep]
        return Distinct(values.reset_index(drop=True), None)
    # one hash table over the whole column: encoding chunk by chunk and unifying the
    # dictionaries afterwards is many times slower when a column has many values
    encoded = pc.dictionary_encode(arrow.combine_chunks())
    dictionary = encoded.dictionary
    blank = len(dictionary)
    if encoded.null_count:  # a missing cell reads as blank, as everywhere else
        dictionary = pa.concat_arrays([dictionary, pa.array([""], type=dictionary.type)])
    codes = _indices(encoded, blank)
    if keep is not None:
        codes = codes[keep]
    values = pd.Series(dictionary, dtype=column.dtype)
    return Distinct(values, codes)


def of_columns(columns: list[pd.Series], keep: np.ndarray | None = None) -> list[Distinct]:
    """``of_column`` of each column (one at a time: threads bought 1.02x on a 300k-line load,
    bench/tricks.py distinct_threads)."""
    return [of_column(c, keep) for c in columns]


def _indices(chunk: pa.DictionaryArray, blank: int) -> np.ndarray:
    indices = chunk.indices
    if indices.null_count:
        indices = pc.fill_null(indices, blank)
    return indices.to_numpy().astype(np.int32, copy=False)


def combine(*columns: Distinct) -> tuple[np.ndarray | None, list[pd.Series | pd.DataFrame]]:
    """The distinct combinations of several columns' values on the same rows.

    Returns (codes of the combinations, each column's values per combination); codes is
    None (and the values per row) when one of the columns is kept row by row.
    """
    column_codes = [c.codes for c in columns]
    if any(c is None for c in column_codes):
        return None, [c.series() for c in columns]
    key = column_codes[0].astype(np.int64)  # type: ignore[union-attr]  # None ruled out above
    picks = [np.arange(len(columns[0].values))]
    for col, col_codes in zip(columns[1:], column_codes[1:], strict=True):
        width = max(len(col.values), 1)
        joint, uniques = pd.factorize(key * width + col_codes)  # type: ignore[operator]
        picks = [p[uniques // width] for p in picks] + [uniques % width]
        key = joint.astype(np.int64)
    codes = key.astype(np.int32)
    return codes, [c.values.take(p).reset_index(drop=True) for c, p in zip(columns, picks, strict=True)]


def release_memory() -> None:
    """Hand memory Arrow has freed back to the system (its allocator keeps it otherwise)."""
    pa.default_memory_pool().release_unused()

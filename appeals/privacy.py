"""What may reach a terminal or a log: files, rows, columns and claim ids, not patients.

The output folder holds patient data by design; messages and reports printed on a screen
do not. A rejected row's cell value is hidden when its column holds a patient's name,
member id or birth date, or when the reader could not place it in a column at all (the
cells beyond the header's last column of a row with an unquoted comma, often a name).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from appeals.readers.aliases import match_header
from appeals.readers.base import FileReport

PATIENT_FIELDS = ("patient_name", "member_id", "patient_dob")
SPILL_COLUMN = "(beyond the last column)"
HIDDEN = "(hidden: may hold patient data; --verbose shows it)"


def patient_headers(reports: Iterable[FileReport]) -> dict[str, set[str]]:
    """Per file, the headers mapped to a patient field (by alias or by ``--columns``)."""
    out: dict[str, set[str]] = {}
    for report in reports:
        out.setdefault(report.file, set()).update(
            str(header) for field, header in report.mapping.items() if field in PATIENT_FIELDS
        )
    return out


def is_patient_column(column: str, mapped: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether a rejected row's column (several joined by ", ") may hold patient data."""
    if not column:
        return False
    if column == SPILL_COLUMN:
        return True
    for part in [column, *column.split(", ")]:
        if part in mapped:
            return True
        hit = match_header(part)
        if hit is not None and hit[0] in PATIENT_FIELDS:
            return True
    return False


def redact_rejected(
    rejected: pd.DataFrame, reports: Iterable[FileReport] = ()
) -> pd.DataFrame:
    """A copy of the rejected rows with patient values replaced by ``HIDDEN``."""
    mapped = patient_headers(reports)
    if rejected.empty:
        return rejected.copy()
    hide = [
        bool(value) and is_patient_column(str(column), mapped.get(str(source), set()))
        for source, column, value in zip(
            rejected["source_file"], rejected["column"].fillna(""), rejected["value"].fillna(""),
            strict=True,
        )
    ]
    out = rejected.copy()
    out["value"] = out["value"].astype(object)
    out.loc[hide, "value"] = HIDDEN
    return out

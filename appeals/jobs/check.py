"""Validate exports without writing documents: what was mapped, rejected and not recognised."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.errors import AppealsError
from appeals.privacy import redact_rejected
from appeals.readers.base import FileReport
from appeals.readers.loader import (
    LoadResult,
    drop_repeated_lines,
    load_files,
    set_claim_keys,
)
from appeals.rules.payers import PayerRules, load_payer_rules
from appeals.rules.reference import carc_codes, rarc_codes
from appeals.schema import LINE_COLUMNS, conform, split_list

_PROCEDURE = re.compile(r"^[A-Z0-9]{5}$")
_REVENUE = re.compile(r"^\d{4}$")


def _unrecognised(lines, column: str, known: frozenset[str]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for cell, n in lines[column].value_counts().items():
        for code in split_list(cell):
            if code not in known:
                counts[code] += int(n)
    return dict(sorted(counts.items()))


def check_files(
    paths: Iterable[str | Path],
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    payer_rules: PayerRules | None = None,
    show_patient_data: bool = False,
) -> dict[str, Any]:
    """Read each file on its own and report on it; a file that cannot be read is reported,
    not raised, so one bad file does not hide the others' problems. What only shows across
    files (a line given in two exports, one claim id for two members) is reported as a run
    would warn about it.

    The report is meant for screens and scripts: cell values that may hold patient data
    (names, member ids, birth dates) are hidden unless ``show_patient_data``."""
    payer_rules = payer_rules or load_payer_rules()
    files, readable = [], []
    for path in paths:
        try:
            loaded = load_files([path], sheet=sheet, columns=columns, payer_rules=payer_rules)
        except AppealsError as exc:
            files.append({"file": str(path), "verdict": "unreadable",
                          "error": exc.describe(verbose=show_patient_data)})
            continue
        files.append(_file_entry(str(path), loaded, show_patient_data))
        readable.append(loaded)
    warnings = across_files(readable)
    verdicts = {f["verdict"] for f in files} | ({"usable with problems"} if warnings else set())
    overall = "ok" if verdicts <= {"ok"} else (
        "unusable" if verdicts & {"unreadable", "no usable lines"} else "usable with problems")
    return {"verdict": overall, "files": files, "warnings": warnings}


def across_files(loads: list[LoadResult]) -> list[str]:
    """The warnings ``run`` gives for these files together that no file gives on its own."""
    if len(loads) < 2:
        return []
    own = {w for loaded in loads for w in loaded.warnings}
    lines = conform(pd.concat([loaded.lines for loaded in loads], ignore_index=True),
                    LINE_COLUMNS)
    lines, warnings = drop_repeated_lines(lines)
    warnings += set_claim_keys(lines)
    return [w for w in warnings if w not in own]


def _file_entry(file: str, loaded: LoadResult, show_patient_data: bool) -> dict[str, Any]:
    (report,) = loaded.reports
    lines = loaded.lines
    rejected = loaded.rejected if show_patient_data else redact_rejected(
        loaded.rejected, loaded.reports)
    entry: dict[str, Any] = {
        "file": file,
        "format": report.format,
        "sheet": report.sheet,
        "header_row": report.header_row,
        "mapping": report.mapping,
        "unmapped_headers": report.unmapped_headers,
        "rows_read": loaded.rows_read,
        "lines": len(lines),
        "rejected": [{k: (None if v != v else v) for k, v in row.items()}
                     for row in rejected.astype(object).to_dict("records")],
        "warnings": [*report.warnings, *loaded.warnings, *_missing_columns(report, lines)],
        "unrecognised": _unrecognised_codes(lines),
    }
    # a total row is listed so every row is accounted for, but it is not a problem
    real_rejects = [r for r in entry["rejected"] if r.get("code") != "total-row"]
    problems = real_rejects or entry["unrecognised"]["procedure_codes"]
    entry["verdict"] = "ok" if not problems and not entry["warnings"] else (
        "usable with problems" if entry["lines"] else "no usable lines"
    )
    return entry


def _unrecognised_codes(lines: pd.DataFrame) -> dict[str, Any]:
    procedures = lines["procedure_code"]
    odd = procedures[(procedures != "") & ~procedures.str.match(_PROCEDURE)]
    revenue = lines["revenue_code"]
    odd_revenue = revenue[(revenue != "") & ~revenue.str.match(_REVENUE)]
    return {
        "procedure_codes": {k: int(v) for k, v in odd.value_counts().items()},
        "revenue_codes": {k: int(v) for k, v in odd_revenue.value_counts().items()},
        "carcs_without_description": _unrecognised(lines, "carcs", carc_codes()),
        "rarcs_without_description": _unrecognised(lines, "rarcs", rarc_codes()),
        "payers_not_resolved": sorted(
            set(lines.loc[(lines["payer"] == "other") & (lines["payer_name"] != ""),
                          "payer_name"])
        ),
    }


# Columns the patterns need, though a file reads without them: named so a run's
# needs_review lines are no surprise (their evidence says the same).
_NEEDED = (
    ("units", "units", "the 96370/96371 units rules (over the cap, unsupported by the chart) "
     "cannot be checked: those lines will be needs_review"),
    ("payer_name", "payer", "the payer's 96371 cap cannot be checked: those lines will be "
     "needs_review"),
)


def _missing_columns(report: FileReport, lines: pd.DataFrame) -> list[str]:
    if report.format == "x12-835" or not len(lines):
        return []
    mapping = report.mapping
    out = []
    for field, what, effect in _NEEDED:
        if field not in mapping:
            out.append(f"no {what} column was found, so {effect}; if the file has one under "
                       f"another name, pass --columns {field}=HEADER")
    return out

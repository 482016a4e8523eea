"""Load any mix of export files into one frame of canonical lines plus rejected rows.

Each file goes to the first reader of ``appeals.readers.registry`` that claims its first
bytes (an X12 interchange, else a spreadsheet), never by its extension alone. Payer names are resolved to payer keys here so every later step sees the
same ``payer`` column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from appeals.errors import ConfigError, InputFileError
from appeals.readers.base import FileReport, ReadOptions, ReadResult
from appeals.readers.files import require_regular_file
from appeals.readers.registry import SNIFF_BYTES, reader_for
from appeals.readers.x12 import X12_SUFFIXES
from appeals.rules.payers import PayerRules, load_payer_rules
from appeals.schema import (
    LINE_COLUMNS,
    claim_keys,
    conform,
    conform_rejected,
    empty_lines,
    empty_rejected,
)


@dataclass
class LoadResult:
    lines: pd.DataFrame
    rejected: pd.DataFrame
    reports: list[FileReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # across files: repeats, shared claim ids

    @property
    def rows_read(self) -> int:
        return len(self.lines) + len(self.rejected)


def parse_column_mapping(items: Iterable[str]) -> dict[str, str]:
    """``FIELD=HEADER`` pairs, or paths of files holding such pairs one per line
    (a two-column CSV ``field,header`` works too)."""
    mapping: dict[str, str] = {}
    for item in items:
        if "=" in item and not Path(item).exists():
            pairs = [(item, "option --columns", 0)]
        else:
            path = Path(item)
            require_regular_file(path, error=ConfigError, what="the column mapping")
            try:
                text = path.read_text(encoding="utf-8-sig")
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the column mapping ({exc.strerror})", file=path,
                    fix="pass FIELD=HEADER or the path of a file of such lines",
                ) from None
            pairs = []
            for number, row in enumerate(csv.reader(text.splitlines()), start=1):
                if not row or not "".join(row).strip() or row[0].startswith("#"):
                    continue
                joined = row[0] if len(row) == 1 else f"{row[0]}={','.join(row[1:])}"
                pairs.append((joined, str(path), number))
        for text, where, number in pairs:
            name, sep, header = text.partition("=")
            if not sep or not name.strip() or not header.strip():
                raise ConfigError(
                    "expected FIELD=HEADER", file=where, row=number or None, value=text,
                    fix="write for example claim_id=Encounter Nbr",
                )
            if name.strip().lower() in ("field", "canonical") and header.strip().lower() == "header":
                continue  # a CSV header row
            mapping[name.strip()] = header.strip()
    return mapping


def _head(path: Path) -> bytes:
    require_regular_file(path)
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise InputFileError("file not found", file=path, fix="check the path") from None
    except IsADirectoryError:
        raise InputFileError(
            "is a folder, not a file", file=path, fix="name the export files inside it"
        ) from None
    except OSError as exc:
        raise InputFileError(
            f"cannot read the file ({exc.strerror or exc})", file=path,
            fix="check the file's permissions, or copy it somewhere you can read it",
        ) from None


def read_file(path: Path, options: ReadOptions) -> ReadResult:
    """One file through the first reader that claims it (by content, not by name)."""
    reader = reader_for(_head(path), path)
    try:
        return reader.read(path, options)
    except InputFileError as exc:
        named_x12 = path.suffix.lower() in X12_SUFFIXES
        if reader.name != "table" or not named_x12 or not exc.message.startswith("no header row"):
            raise
        # named like a remittance, read as neither: the 835 view is the useful one
        raise InputFileError(
            "not an X12 835 remittance file (no ISA or ST segment), and no denial table "
            "either (no header row such as 'Claim #', 'CPT', 'Adj Reason')",
            file=path,
            fix="supply the 835/ERA file as the payer or clearinghouse sent it (it starts "
            "with ISA*), or a CSV/Excel export",
            private=exc.private,
        ) from exc


def load_files(
    paths: Iterable[str | Path],
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    payer_rules: PayerRules | None = None,
    require_denial: bool = True,
) -> LoadResult:
    """Read every file; lines keep their source file and row, rejected rows their reason.

    ``require_denial=False`` accepts charge exports (no CARC, RARC or paid column)."""
    payer_rules = payer_rules or load_payer_rules()
    options = ReadOptions(sheet=sheet, columns=columns, require_denial=require_denial)
    frames, rejected, reports = [], [], []
    paths, skipped = _without_lock_files(paths)
    for raw in paths:
        result = read_file(Path(raw), options)
        if len(result.lines):
            frames.append(result.lines)
        if len(result.rejected):
            rejected.append(result.rejected)
        reports.append(result.report)
    if len(frames) == 1 and tuple(frames[0].columns) == LINE_COLUMNS:
        # The readers conform their own output: one file needs no copy (0.5 s, 200 MB at 1M).
        lines = frames[0]
        if not lines.index.equals(pd.RangeIndex(len(lines))):
            lines = lines.reset_index(drop=True)
    elif frames:
        lines = conform(pd.concat(frames, ignore_index=True), LINE_COLUMNS)
    else:
        lines = empty_lines()
    blank = lines["payer"] == ""
    if blank.any():
        lines.loc[blank, "payer"] = payer_rules.resolve_series(lines.loc[blank, "payer_name"])
    warnings: list[str] = [f"skipped {name}: Excel's lock file for an open workbook, not an "
                           "export" for name in skipped]
    if len(reports) > 1:
        lines, repeated = drop_repeated_lines(lines)
        warnings += repeated
    warnings += set_claim_keys(lines)
    lines, reversed_rows, notes = cancel_reversed(lines)
    warnings += notes
    if len(reversed_rows):
        rejected.append(reversed_rows)
    bad_rows = conform_rejected(pd.concat(rejected, ignore_index=True)) if rejected else empty_rejected()
    return LoadResult(lines=lines, rejected=bad_rows, reports=reports, warnings=warnings)


def _without_lock_files(paths: Iterable[str | Path]) -> tuple[list[str | Path], list[str]]:
    """Excel writes ``~$name.xlsx`` beside an open workbook; a ``*.xlsx`` glob picks it up."""
    kept: list[str | Path] = []
    skipped: list[str | Path] = []
    for raw in paths:
        name = Path(raw).name
        small = Path(raw).is_file() and Path(raw).stat().st_size < 1024
        (skipped if name.startswith("~$") and small else kept).append(raw)
    if skipped and not kept:
        raise InputFileError(
            "only Excel lock files were given (~$ names), no export", file=skipped[0],
            fix="name the workbook itself, without the ~$",
        )
    return kept, [Path(s).name for s in skipped]


_SOURCE = ("source_file", "source_sheet", "source_row", "claim_key")
_SHOWN = 10


def drop_repeated_lines(lines: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Keep once a line that another file (or the same file given twice) already supplied.

    Two exports with overlapping dates, or one export given twice, would otherwise count
    each line twice: units doubled in a letter, a worksheet listing every line twice. Repeats
    inside one file are left alone: a file may list two identical services.
    """
    if lines.empty:
        return lines, []
    content = [c for c in lines.columns if c not in _SOURCE]
    digest = pd.util.hash_pandas_object(lines[content], index=False).to_numpy()
    where = pd.DataFrame({"digest": digest, "file": lines["source_file"] + "\x1f" +
                          lines["source_sheet"], "row": lines["source_row"]})
    first_file = where.groupby("digest", sort=False)["file"].transform("first")
    repeat = (where["file"] != first_file) | where.duplicated(["digest", "file", "row"])
    if not repeat.any():
        return lines, []
    first_at = where.drop_duplicates("digest").set_index("digest")
    shown = []
    for i in np.flatnonzero(repeat.to_numpy())[:_SHOWN]:
        original = first_at.loc[digest[i]]
        shown.append(f"{_place(lines, i)} repeats {_name(original['file'])} row {original['row']}")
    more = int(repeat.sum()) - len(shown)
    text = (f"{int(repeat.sum())} line(s) given more than once were kept once: "
            + "; ".join(shown) + (f"; and {more} more" if more > 0 else ""))
    kept = lines[~repeat.to_numpy()].reset_index(drop=True)
    return kept, [text]


def set_claim_keys(lines: pd.DataFrame) -> list[str]:
    """A claim is its id + payer + member (or patient): where one claim id belongs to two
    members or payers, give each its own ``claim_key`` and say so."""
    if lines.empty:
        return []
    member = lines["member_id"]
    no_member = (member == "").to_numpy()
    who = member.mask(no_member, lines["patient_name"][no_member].str.strip().str.upper())
    ids, _ = pd.factorize(lines["claim_id"])
    payers, _ = pd.factorize(lines["payer"])
    whos, known = pd.factorize(who)
    idents = payers.astype(np.int64) * (len(known) + 1) + whos  # one int per (payer, who)
    pairs = pd.DataFrame({"id": ids, "ident": idents}).drop_duplicates()
    counts = pairs.groupby("id")["ident"].size()
    shared = counts[counts > 1].index.to_numpy()
    if not len(shared):
        return []
    mask = np.isin(ids, shared)
    identity = lines["payer"][mask] + "\x1f" + who[mask]
    lines.loc[mask, "claim_key"] = lines.loc[mask, "claim_id"] + "\x1f" + identity
    out = []
    for k in shared[:_SHOWN]:
        rows = np.flatnonzero(ids == k)
        claim = lines["claim_id"].iat[rows[0]]
        places = "; ".join(dict.fromkeys(_place(lines, i) for i in rows[:6]))
        out.append(
            f"claim {claim} belongs to {int(counts[k])} different members or payers "
            f"({places}): read as {int(counts[k])} separate claims"
        )
    if len(shared) > _SHOWN:
        out.append(f"and {len(shared) - _SHOWN} more claim ids shared by different members")
    return out


def _before(i: int, r: int, remit: np.ndarray) -> bool:
    """Line ``i`` was adjudicated before reversal ``r``: an earlier remit date, or the same
    (or an unknown) date and earlier in the input."""
    if np.isnat(remit[i]) or np.isnat(remit[r]) or remit[i] == remit[r]:
        return i < r
    return bool(remit[i] < remit[r])


def _name(file_sheet: str) -> str:
    file, _, sheet = file_sheet.partition("\x1f")
    return Path(file).name + (f" sheet {sheet!r}" if sheet else "")


def _place(lines: pd.DataFrame, i: int) -> str:
    sheet = lines["source_sheet"].iat[i]
    return (Path(lines["source_file"].iat[i]).name + (f" sheet {sheet!r}" if sheet else "")
            + f" row {lines['source_row'].iat[i]}")


def cancel_reversed(lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """An 835 reversal (claim status 22) cancels the adjudication it reverses; the latest
    adjudication stands.

    The reversed line (same claim, code and date of service, remitted earlier) leaves the
    lines, listed with the rejected rows saying why, so its units and denial do not count
    twice beside the readjudication; the reversal itself stays for the record, as a claim
    of its own so its negative units cancel nothing else.
    """
    reversal = (lines["claim_status"] == "22").to_numpy()
    if not reversal.any():
        return lines, empty_rejected(), []
    key = claim_keys(lines).to_numpy(dtype=object)
    code = lines["procedure_code"].to_numpy(dtype=object)
    dos = lines["service_date"].to_numpy()
    remit = lines["remit_date"].to_numpy()
    # Lines of the reversed claims by claim, code and date of service (NaT a date like any
    # other), built once: scanning every line for each reversal took 23 s of a 24 s load
    # of 300k lines.
    day = dos.astype("datetime64[ns]").view("int64")
    adjudications: dict[tuple[Any, Any, int], list[int]] = {}
    reversed_claims = pd.Series(key).isin(set(key[reversal].tolist())).to_numpy()
    for i in np.flatnonzero(~reversal & reversed_claims).tolist():
        adjudications.setdefault((key[i], code[i], int(day[i])), []).append(i)
    cancelled: dict[int, int] = {}
    for r in map(int, np.flatnonzero(reversal)):
        same = adjudications.get((key[r], code[r], int(day[r])), [])
        earlier = [i for i in same if i not in cancelled and _before(i, r, remit)]
        if earlier:  # the latest adjudication before the reversal is the one it reverses
            cancelled[max(earlier, key=lambda i: (np.nan_to_num(remit[i].astype("int64")), i))] = r
    # a shallow copy: copy-on-write copies the one column set here, not the whole frame
    lines = lines.copy(deep=False)
    claim_key = lines["claim_key"].to_numpy(dtype=object).copy()
    claim_key[reversal] = key[reversal] + "\x1freversal"
    lines["claim_key"] = claim_key
    if not cancelled:
        return lines, empty_rejected(), []
    rows = sorted(cancelled)
    rejected = pd.DataFrame({
        "source_file": lines["source_file"].to_numpy()[rows],
        "source_sheet": lines["source_sheet"].to_numpy()[rows],
        "source_row": lines["source_row"].to_numpy()[rows],
        "column": "", "value": "",
        "reason": [f"reversed by the payer (claim status 22, {_place(lines, cancelled[i])}); "
                   "the later adjudication stands" for i in rows],
    })
    rejected["source_row"] = rejected["source_row"].astype("Int64")
    keep = np.ones(len(lines), dtype=bool)
    keep[rows] = False
    kept = lines[keep].reset_index(drop=True)
    note = (f"{len(rows)} line(s) reversed by the payer were set aside (listed with the "
            f"rejected rows); the later adjudication stands")
    return kept, rejected, [note]

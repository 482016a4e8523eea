"""What every input reader is and gives back: the ``Reader`` protocol and its ``FileReport``.

A reader recognises its files from their first bytes (``detect``) and turns one file into
canonical lines (``appeals.schema.LINE_COLUMNS``), rejected rows (``REJECTED_COLUMNS``, each
with its reason and code) and a ``FileReport``. ``appeals.readers.registry`` holds the
readers in the order they are asked; the loader reads every file through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd


@dataclass
class FileReport:
    """What one reader found in one file, for ``appeals check``, the manifest and messages.

    ``mapping`` (field → the file's header) is required: the messages hide the values of
    columns mapped to patient fields, so a reader must say what it mapped (``{}`` when the
    format has no headers, as X12).
    """

    file: str
    format: str  # "x12-835", "csv", "xlsx", ...
    mapping: dict[str, str]
    rows_read: int = 0
    lines: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    # tables
    sheet: str = ""
    header_row: int | None = None
    encoding: str = ""
    delimiter: str = ""
    unmapped_headers: list[str] = field(default_factory=list)
    unrecognised_codes: dict[str, int] = field(default_factory=dict)
    # X12 835
    interchanges: int = 0
    transactions: int = 0
    claims: int = 0
    service_lines: int = 0


@dataclass(frozen=True)
class ReadOptions:
    """The user's choices that apply to every file of a run."""

    sheet: str | None = None
    columns: Mapping[str, str] | None = None  # FIELD → HEADER, wins over the aliases
    require_denial: bool = True  # False: charge exports (no CARC, RARC or paid column)


@dataclass
class ReadResult:
    lines: pd.DataFrame
    rejected: pd.DataFrame
    report: FileReport


class Reader(Protocol):
    """One input format."""

    name: str

    def detect(self, head: bytes, path: Path) -> bool:
        """Whether ``head`` (the file's first bytes) looks like this format."""
        ...

    def read(self, path: Path, options: ReadOptions) -> ReadResult:
        """Read the whole file; raise ``InputFileError`` only when it cannot be used at all."""
        ...

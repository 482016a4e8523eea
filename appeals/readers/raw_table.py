"""What a spreadsheet reader returns: ``RawTable``, the header and the text cells of one
table with the row numbers the user sees; and the messages the Excel and text readers share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from appeals.errors import InputFileError
from appeals.readers.aliases import HEADER_SCAN_ROWS

# ``RawTable.extra`` of a record whose cell holds line breaks followed by what reads as
# further records: a quote opened and never closed swallowed the next lines.
UNCLOSED_QUOTE = "\x00unclosed quote"
_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str", Arrow-backed
EXPORT_FIX = "export the report from your billing system as CSV or Excel (.xlsx)"


@dataclass
class RawTable:
    """The header and the text cells of one table, with user-visible row numbers."""

    format: str
    headers: list[str]
    cells: pd.DataFrame  # columns 0..n-1 in header order, every cell str, "" when blank
    rows: np.ndarray  # int64, the user's row number of each cells row
    header_row: int
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ""
    extra: pd.Series | None = None  # CSV: text beyond the header's last column, else ""
    warnings: list[str] = field(default_factory=list)



def no_header(path: Path, sheet: str | None, rows: list[list[str]]) -> InputFileError:
    first = next((r for r in rows if any(str(c).strip() for c in r)), None)
    seen = None
    if first is not None:
        # a file without a header may start with a service line: its cells are patient data
        seen = "first row with text: " + ", ".join(repr(str(c)) for c in first if str(c).strip())
    return InputFileError(
        f"no header row found in the first {HEADER_SCAN_ROWS} rows (looked for headers "
        "such as 'Claim #', 'CPT', 'DOS', 'Adj Reason')",
        file=path,
        sheet=sheet,
        fix="check this is the denial export, or map columns with --columns FIELD=HEADER",
        private=seen[:300] if seen else None,
    )


# --- delimited text ------------------------------------------------------------------

"""Inputs are regular files: a device (/dev/zero), a pipe or a socket is refused up front.

Such a source can be endless (memory grows without limit), block forever (a FIFO nobody
writes to), or be read only once (``<(cat x.csv)`` lost its first 4 KB to the sniffer).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from appeals.errors import AppealsError, InputFileError


def require_regular_file(
    path: str | Path, *, error: type[AppealsError] = InputFileError, what: str = "the file"
) -> None:
    """Raise ``error`` when ``path`` exists but is not a regular file or folder; missing
    paths and folders are left to the caller's own messages."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    kind = ("a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device")
    raise error(
        f"{what} is {kind}, not a regular file: it may never end or be readable only once",
        file=path, fix="save the data to a file first and name that file",
    )

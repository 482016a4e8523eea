"""The readers, in the order they are asked whether a file is theirs.

To read a new input format: write a module with a class that has ``name``, ``detect`` and
``read`` (``appeals.readers.base.Reader``) and add an instance to ``READERS`` before the
table reader, which takes whatever no other reader claimed.
"""

from __future__ import annotations

from pathlib import Path

from appeals.readers.base import Reader, ReadOptions, ReadResult
from appeals.readers.table import TableReader
from appeals.readers.x12 import X12Reader

READERS: tuple[Reader, ...] = (X12Reader(), TableReader())
SNIFF_BYTES = 4096


def reader_for(head: bytes, path: Path) -> Reader:
    """The first reader that claims the file (the table reader claims any)."""
    for reader in READERS:
        if reader.detect(head, path):
            return reader
    raise LookupError(f"no reader for {path}")  # unreachable: the table reader claims all


__all__ = ["READERS", "SNIFF_BYTES", "ReadOptions", "ReadResult", "Reader", "reader_for"]

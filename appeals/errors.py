"""The project's exceptions: one base, a few kinds, each message says where and how to fix."""

from __future__ import annotations

from typing import Any

PRIVATE_HIDDEN = "cells not shown: they may hold patient data; --verbose shows them"


class AppealsError(Exception):
    """A problem with the user's input, configuration or output folder.

    The CLI turns it into one line on stderr and exit code 1. Location fields are optional;
    whatever is known is named in the message, in the order a biller looks: file, sheet, row,
    column, the value as typed, then what to do.

    ``private`` is text that may hold patient data (cells of a row the reader could not
    place): ``str()`` leaves it out, ``describe(verbose=True)`` includes it, so logs and
    terminals see it only when the user asks.
    """

    def __init__(
        self,
        message: str,
        *,
        file: Any = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        fix: str | None = None,
        private: str | None = None,
    ) -> None:
        self.message = message
        self.private = private
        self.file = None if file is None else str(file)
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        self.fix = fix
        super().__init__(str(self))

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.describe()

    def describe(self, *, verbose: bool = False) -> str:
        """The one-line message; ``verbose`` adds the text that may hold patient data."""
        text = self.message
        if self.private:
            text += f"; {self.private}" if verbose else f" ({PRIVATE_HIDDEN})"
        if self.value is not None:
            shown = str(self.value)
            if len(shown) > 60:
                shown = shown[:57] + "..."
            text += f" (value {shown!r})"
        where = self.where()
        if where:
            text = f"{where}: {text}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text.replace("\n", " ")


class InputFileError(AppealsError):
    """An input file cannot be read or lacks what the tool needs."""


class ConfigError(AppealsError):
    """denial_map.csv, payer rules, practice.toml, templates or a column mapping is wrong."""


class RenderError(AppealsError):
    """A letter or worksheet template cannot be rendered."""


class OutputError(AppealsError):
    """The output folder cannot be written as asked."""


class LedgerError(AppealsError):
    """The denial ledger cannot be opened, upgraded, locked or written as asked."""


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so the same clean-up runs; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

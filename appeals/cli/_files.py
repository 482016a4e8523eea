"""Files named by options (--payers, --practice, ...): a folder or an unreadable file is one
``Error:`` line naming the option, like an unreadable input, not click's usage error (exit 2)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from appeals.errors import ConfigError

# keyword -> (option, what the file is); the command's own keyword names
_OPTIONS = {
    "payers": ("--payers", "your payers.csv"),
    "payer_rules": ("--payer-rules", "your payers.csv"),
    "denial_map": ("--denial-map", "your denial_map.csv"),
    "practice": ("--practice", "your practice.toml"),
    "letterhead": ("--letterhead", "your letterhead .docx"),
    "infusion_log": ("--infusion-log", "the infusion log CSV or workbook"),
    "columns": ("--columns", "a file of FIELD=HEADER lines"),
}

# click lets every path through so the command can say what is wrong in its own words
option_file = click.Path(readable=False)


def check_option_files(kwargs: Mapping[str, Any]) -> None:
    """Raise ConfigError for the first option file that is a folder or cannot be read;
    a missing file is left to the reader of that file, which says what it expected."""
    for option, what, path in _given(kwargs):
        if path.is_dir():
            raise ConfigError(
                f"{option} names a folder, not a file", file=path,
                fix=f"give {option} the path of {what} itself",
            )
        if path.exists() and not os.access(path, os.R_OK):
            raise ConfigError(
                f"{option} names a file that cannot be read (permission denied)", file=path,
                fix="check the file's permissions, or copy it somewhere you can read it",
            )


def _given(kwargs: Mapping[str, Any]) -> Iterator[tuple[str, str, Path]]:
    for key, (option, what) in _OPTIONS.items():
        value = kwargs.get(key)
        if not value:
            continue
        for item in (value if isinstance(value, (tuple, list)) else [value]):
            if key == "columns" and "=" in str(item) and not Path(item).exists():
                continue  # FIELD=HEADER, not a file
            yield option, what, Path(item)

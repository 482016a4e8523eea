"""What every command shares: error reporting, debug switch, common options."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import click
import pandas as pd

from appeals.cli._files import check_option_files
from appeals.errors import AppealsError
from appeals.privacy import HIDDEN, redact_rejected
from appeals.readers.base import FileReport

debug_option = click.option(
    "--debug", is_flag=True, help="Show the full traceback when something fails."
)


def reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the project's errors into one line on stderr and exit code 1.

    Anything else is a bug: one line too, unless --debug asks for the traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        try:
            check_option_files(kwargs)
            return func(*args, **kwargs)
        except AppealsError as exc:
            if debug:
                raise
            # --verbose (on commands that read patient data) shows the cells a message hides
            click.echo(f"Error: {exc.describe(verbose=kwargs.get('verbose', False))}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # The reader (head, less) went away: stop quietly like other Unix tools.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt as exc:
            # the job says what became of the output folder; anything else wrote nothing
            outcome = getattr(exc, "outcome", None)
            click.echo(f"Interrupted; {outcome}." if outcome else "Interrupted.", err=True)
            sys.exit(128 + getattr(exc, "signum", 2))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last resort, never a traceback without --debug
            if debug:
                raise
            # a library's own message may quote a cell: shown only with --verbose
            detail = f": {exc}" if kwargs.get("verbose") else ""
            click.echo(
                f"Error: unexpected {type(exc).__name__}{detail}. "
                "Run again with --debug and report the traceback.",
                err=True,
            )
            sys.exit(1)

    return debug_option(wrapper)


def rejected_lines(
    rejected: pd.DataFrame, reports: Iterable[FileReport] = (), *,
    verbose: bool = False, limit: int = 20,
) -> list[str]:
    """``rejected FILE sheet 'S' row N, column 'C' (value 'V'): reason`` for the first rows;
    values that may hold patient data are hidden unless ``verbose``."""
    shown = rejected.head(limit)
    if not verbose:
        shown = redact_rejected(shown, reports)
    out = []
    for row in shown.itertuples():
        where = f"{row.source_file}" + (f" sheet {row.source_sheet!r}" if row.source_sheet else "")
        where += f" row {row.source_row}"
        if row.column:
            where += f", column {row.column!r}"
        value = "" if row.value is None or row.value != row.value else str(row.value)
        if value:
            where += f" {value}" if value == HIDDEN else f" (value {_short(value)!r})"
        out.append(f"  rejected {where}: {row.reason}")
    if len(rejected) > limit:
        out.append(f"  ... and {len(rejected) - limit} more rejected rows")
    return out


def plain_source(text: str) -> str:
    """A rule's source as a user can look it up: "seed 000" is the project's internal name
    for its SCIG coding reference."""
    return text.replace("seed 000", "the SCIG coding reference")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."

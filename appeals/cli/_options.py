"""Options several commands share, declared once."""

from __future__ import annotations

import datetime as dt

import click

from appeals.cli._files import option_file
from appeals.readers.aliases import MAPPABLE_FIELDS
from appeals.readers.loader import parse_column_mapping

input_files = click.argument(
    # folders are let through: the loader says "is a folder" in the one-line error format
    "files", nargs=-1, required=True, type=click.Path(path_type=str)
)
sheet = click.option("--sheet", help="Workbook sheet to read (default: the one with the denial table).")
columns = click.option(
    "--columns",
    "columns",
    multiple=True,
    metavar="FIELD=HEADER|FILE",
    help="Map a canonical field to your export's header when the built-in aliases miss it; "
    "repeat, or give a file of FIELD=HEADER lines. Fields: " + ", ".join(MAPPABLE_FIELDS) + ".",
)
denial_map = click.option(
    "--denial-map", type=option_file, help="Your own denial_map.csv (see `appeals init`)."
)
payers = click.option("--payers", type=option_file, help="Your own payer rules CSV.")
infusion_log = click.option(
    "--infusion-log",
    type=option_file,
    help="Infusion log (CSV/Excel: claim or member + date of service, site, start, stop).",
)


def mapping(values: tuple[str, ...]) -> dict[str, str] | None:
    return parse_column_mapping(values) if values else None
verbose = click.option(
    "--verbose", "-v", is_flag=True,
    help="Show cell values that may hold patient data (names, member ids) in messages; "
    "by default only files, rows, columns and claim ids are shown.",
)
ledger = click.option(
    "--ledger", envvar="APPEALS_LEDGER", metavar="PATH|URL",
    help="Denial ledger: a SQLite file (created if new; it holds patient data) or "
    "postgresql://user:password@host/database. Default: $APPEALS_LEDGER.",
)
required_ledger = click.option(
    "--ledger", envvar="APPEALS_LEDGER", metavar="PATH|URL", required=True,
    help="Denial ledger: a SQLite file or postgresql://user:password@host/database. "
    "Default: $APPEALS_LEDGER.",
)
json_output = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")


def day(text: str | None) -> dt.date | None:
    """A date as billers type it (MM/DD/YYYY) or ISO (YYYY-MM-DD)."""
    if not text:
        return None
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise click.BadParameter(f"{text!r} is not a date; use MM/DD/YYYY or YYYY-MM-DD")

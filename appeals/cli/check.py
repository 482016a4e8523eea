"""appeals check: read and validate exports without writing anything."""

from __future__ import annotations

import json
import sys

import click

from appeals.cli import _options as opt
from appeals.cli._common import reports_errors
from appeals.jobs.check import check_files
from appeals.privacy import HIDDEN


@click.command("check")
@opt.input_files
@opt.sheet
@opt.columns
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@opt.verbose
@reports_errors
def command(files, sheet, columns, as_json, verbose):
    """Read and validate exports: the column mapping chosen, rows rejected with reasons,
    codes not recognised, and a verdict. Writes no documents. Exit code 0 when every file
    is clean, 1 otherwise.

    \b
    Examples:
      appeals check samples/remit_scig.835
      appeals check samples/remit_scig.835 samples/denials_practicepro.xlsx --sheet Denials --json
    """
    report = check_files(
        files, sheet=sheet, columns=opt.mapping(columns), show_patient_data=verbose
    )
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
    else:
        for entry in report["files"]:
            _show(entry)
        if report["warnings"]:
            click.echo(click.style("Across the files", bold=True) + ":")
            for warning in report["warnings"]:
                click.echo(f"  warning: {warning}")
        click.echo(f"Verdict: {report['verdict']}")
    sys.exit(0 if report["verdict"] == "ok" else 1)


def _show(entry: dict) -> None:
    click.echo(click.style(entry["file"], bold=True) + f": {entry['verdict']}")
    if "error" in entry:
        click.echo(f"  {entry['error']}")
        return
    where = f"sheet {entry['sheet']!r}, " if entry.get("sheet") else ""
    if entry.get("header_row"):
        where += f"header on row {entry['header_row']}"
    click.echo(f"  {entry['format']} {where}".rstrip())
    for field, header in entry["mapping"].items():
        click.echo(f"    {field:<22} <- {header}")
    if entry["unmapped_headers"]:
        click.echo("  columns not used: " + ", ".join(entry["unmapped_headers"]))
    click.echo(f"  rows read {entry['rows_read']}: {entry['lines']} lines, {len(entry['rejected'])} rejected")
    for row in entry["rejected"]:
        column = f" column {row['column']!r}" if row.get("column") else ""
        value = str(row.get("value") or "")
        if value:
            column += f" {value}" if value == HIDDEN else f" (value {value[:60]!r})"
        click.echo(f"    row {row['source_row']}{column}: {row['reason']}")
    for warning in entry["warnings"]:
        click.echo(f"  warning: {warning}")
    for kind, codes in entry["unrecognised"].items():
        if codes:
            shown = ", ".join(codes) if isinstance(codes, list) else ", ".join(f"{c} ({n})" for c, n in codes.items())
            click.echo(f"  {kind.replace('_', ' ')}: {shown}")

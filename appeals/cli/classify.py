"""appeals classify: the classification of every line, as a table or CSV."""

from __future__ import annotations

import sys

import click
import pandas as pd

from appeals.cli import _options as opt
from appeals.cli._common import rejected_lines, reports_errors
from appeals.errors import OutputError
from appeals.jobs.run import classify_files
from appeals.rules.practice import load_practice

CSV_COLUMNS = (
    "source_file", "source_row", "claim_id", "payer_claim_number", "payer_name", "payer",
    "service_date", "place_of_service", "procedure_code", "modifiers", "units",
    "billed_amount", "paid_amount", "carcs", "rarcs", "status", "pattern", "patterns",
    "action", "route", "payer_type", "claim_type", "evidence", "correction", "deadline",
    "deadline_basis", "past_due",
)
TABLE_COLUMNS = ("claim_id", "service_date", "procedure_code", "modifiers", "units", "carcs",
                 "rarcs", "status", "pattern", "route", "deadline")


# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets, and some
# of the text comes from files a payer controls (an 835's claim ids and remarks).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_frame(classified: pd.DataFrame, *, raw: bool = False) -> pd.DataFrame:
    """The CSV columns; unless ``raw``, text that a spreadsheet would run as a formula is
    prefixed with ``'`` (shown as text, never executed)."""
    frame = classified[list(CSV_COLUMNS)].copy()
    for name in ("service_date", "deadline"):
        frame[name] = frame[name].dt.strftime("%Y-%m-%d").fillna("")
    frame["past_due"] = frame["past_due"].map({True: "yes", False: ""})
    if not raw:
        for name in frame.columns:
            if frame[name].dtype == object:
                frame[name] = frame[name].map(_neutralise)
    return frame


def _neutralise(value: object) -> object:
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


@click.command("classify")
@opt.input_files
@opt.sheet
@opt.columns
@opt.denial_map
@opt.payers
@opt.infusion_log
@click.option("--practice", type=click.Path(dir_okay=False),
              help="practice.toml: its claim_type is used where the data does not say.")
@click.option("--csv", "csv_path", metavar="PATH", help="Write every line as CSV ('-' for stdout).")
@click.option("--raw", is_flag=True,
              help="Keep CSV cells as they are (by default a cell starting with = + - @ gets a "
                   "leading ' so a spreadsheet shows it as text, never runs it).")
@click.option("--all", "show_all", is_flag=True, help="Show paid lines in the table too.")
@opt.verbose
@reports_errors
def command(files, sheet, columns, denial_map, payers, infusion_log, practice, csv_path, raw,
            show_all, verbose):
    """Classify every line of the exports and show the result.

    FILES are CSV, TSV, Excel or X12 835 files, in any mix. Lists in the CSV are
    joined with ';'.

    \b
    Examples:
      appeals classify samples/denials_practicepro.xlsx
      appeals classify samples/denials_clearinghouse.csv samples/remit_scig.835 --csv out.csv
      appeals classify samples/remit_scig.835 --csv - | head
      appeals classify samples/denials_clearinghouse.csv --columns "claim_id=Patient Acct"
    """
    classified, loaded, log_report = classify_files(
        files, sheet=sheet, columns=opt.mapping(columns), denial_map=denial_map,
        payers=payers, infusion_log=infusion_log,
        claim_type=load_practice(practice).claim_type if practice else "",
    )
    if csv_path == "-":
        csv_frame(classified, raw=raw).to_csv(sys.stdout, index=False)
    elif csv_path:
        try:
            csv_frame(classified, raw=raw).to_csv(csv_path, index=False)
        except OSError as exc:
            raise OutputError(f"cannot write the CSV ({exc.strerror or exc})", file=csv_path,
                              fix="choose a writable path with --csv") from None
    else:
        shown = classified if show_all else classified[classified["status"] != "paid"]
        table = shown[list(TABLE_COLUMNS)].copy()
        table["service_date"] = table["service_date"].dt.strftime("%m/%d/%Y").fillna("")
        table["deadline"] = table["deadline"].dt.strftime("%m/%d/%Y").fillna("")
        table["units"] = table["units"].map(lambda u: "" if pd.isna(u) else f"{u:g}")
        click.echo(table.to_string(index=False) if len(table) else "(no denied lines)")
    _summary(classified, loaded, err=csv_path == "-", verbose=verbose)


def _summary(classified: pd.DataFrame, loaded, *, err: bool, verbose: bool) -> None:
    counts = classified["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {s}" for s in ("denied", "needs_review", "out_of_scope", "paid")]
    click.echo(
        f"{loaded.rows_read} rows read: {len(classified)} lines classified ({', '.join(parts)}), "
        f"{len(loaded.rejected)} rejected.",
        err=err,
    )
    late = int(classified["past_due"].sum())
    if late:
        click.echo(f"{late} open line(s) past their route's deadline: see deadline_basis.",
                   err=err)
    for line in rejected_lines(loaded.rejected, loaded.reports, verbose=verbose):
        click.echo(line, err=True)
    for warning in loaded.warnings:
        click.echo(f"  warning: {warning}", err=True)
    for report in loaded.reports:
        for warning in report.warnings[:10]:
            click.echo(f"  warning {report.file}: {warning}", err=True)

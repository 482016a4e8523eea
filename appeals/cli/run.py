"""appeals run: the main job, letters + worksheets + work queue into one folder."""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any

import click

from appeals.cli import _options as opt
from appeals.cli._common import rejected_lines, reports_errors
from appeals.cli._files import option_file
from appeals.jobs.run import run


class _Bar:
    """A click progress bar opened once the number of documents is known."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None  # click's ProgressBar, a private class

    def start(self, total: int) -> None:
        if self.enabled and total:
            self.bar = click.progressbar(length=total, label="Writing documents", file=sys.stderr)
            self.bar.__enter__()

    def step(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("run")
@opt.input_files
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder (letters/, worksheets/, summary.xlsx).")
@click.option("--practice", type=option_file, help="practice.toml: name, address, NPI, TIN, signer.")
@click.option("--letterhead", type=option_file, help="Your letterhead .docx (styles, header, footer, logo).")
@click.option("--templates", type=click.Path(file_okay=False), help="Your own templates folder (see `appeals init`).")
@opt.sheet
@opt.columns
@opt.denial_map
@opt.payers
@opt.infusion_log
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that write documents (default: all cores for big batches).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d", "%m/%d/%Y"]), default=None,
              help="Date for letters and days-left, YYYY-MM-DD or MM/DD/YYYY (default: today).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@opt.ledger
@click.option("--redraft", is_flag=True,
              help="With --ledger: draft again claims the ledger already has as submitted.")
@opt.verbose
@reports_errors
def command(files, out_dir, practice, letterhead, templates, sheet, columns, denial_map, payers,
            infusion_log, force, workers, today, quiet, ledger, redraft, verbose):
    """Classify the exports and write appeal letters, corrected-claim worksheets and
    the work-queue workbook.

    \b
    Examples:
      appeals run samples/denials_practicepro.xlsx -o out/
      appeals run samples/remit_scig.835 samples/denials_clearinghouse.csv -o out/ --force \\
          --practice templates/practice.toml
      appeals run samples/remit_scig.835 -o out/ --force --ledger office.sqlite
    """
    bar = _Bar(enabled=not quiet)
    try:
        summary = run(
            files, out_dir, sheet=sheet, columns=opt.mapping(columns), denial_map=denial_map,
            payers=payers, templates=templates, practice=practice, letterhead=letterhead,
            infusion_log=infusion_log, force=force,
            today=today.date() if today else dt.date.today(),
            workers=workers or (os.cpu_count() or 1), on_total=bar.start, progress=bar.step,
            ledger=ledger, redraft=redraft,
        )
    finally:
        bar.close()
    for note in summary.notes:
        click.echo(f"Note: {note}", err=True)
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    s = summary.statuses
    click.echo(f"Lines read: {summary.lines_read}  (classified {summary.lines_read - summary.rows_rejected}, rejected {summary.rows_rejected})")
    click.echo(
        "Status: " + ", ".join(f"{s.get(k, 0)} {k}" for k in ("denied", "needs_review", "out_of_scope", "paid"))
    )
    if summary.patterns:
        click.echo("Denied by pattern: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.patterns.items())))
    if summary.routes:
        click.echo("Open lines by route: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.routes.items())))
    if summary.past_due:
        click.echo(f"PAST DUE: {summary.past_due} open line(s) past their route's deadline "
                   "(first in the work queue)")
    click.echo(f"Letters written: {summary.letters}   Worksheets written: {summary.worksheets}")
    click.echo(f"Placeholders left to fill: {summary.placeholders} (listed in the work queue)")
    for line in summary.log.get("summary", []):
        click.echo(f"Infusion log: {line}")
    for line in rejected_lines(summary.rejected, summary.files, verbose=verbose):
        click.echo(line, err=True)
    click.echo(f"Work queue: {summary.out_dir / 'summary.xlsx'}")
    if summary.ledger:
        _echo_ledger(summary.ledger, summary.out_dir)


def _echo_ledger(rec: dict, out_dir) -> None:
    outcomes = ", ".join(f"{v} {k}" for k, v in rec["outcomes"].items()) or "none"
    click.echo(
        f"Ledger {rec['ledger']}: {rec['opened']} new items, {rec['updated']} updated "
        f"(outcomes: {outcomes}), {rec['drafted']} drafted, {rec['open_items']} open in all"
    )
    if rec["files_already"]:
        click.echo(f"  already in the ledger, not recorded again: {', '.join(rec['files_already'])}")
    if rec["held_claims"]:
        click.echo(f"  {rec['held_claims']} claims already submitted were not drafted again (--redraft drafts them)")
    click.echo(f"Ledger queue: {out_dir / 'ledger_queue.xlsx'}")

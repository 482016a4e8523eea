"""``appeals scrub``: check outgoing charges before they are sent."""

from __future__ import annotations

from pathlib import Path

import click

from appeals.cli import _options as opt
from appeals.cli._common import rejected_lines, reports_errors
from appeals.cli._files import option_file
from appeals.jobs.scrub import WORKBOOK, scrub_to_folder
from appeals.rules.denial_map import load_denial_map
from appeals.rules.payers import load_payer_rules
from appeals.schema import claim_keys


@click.command("scrub")
@opt.input_files
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder of its own (scrub.xlsx, worksheets/, manifest.json).")  # fmt: skip
@opt.infusion_log
@opt.sheet
@opt.columns
@opt.denial_map
@opt.payers
@click.option("--practice", type=option_file, help="practice.toml for worksheets.")
@click.option("--force", is_flag=True, help="Replace an earlier scrub's output folder.")
@opt.verbose
@reports_errors
def command(files, out_dir, infusion_log, sheet, columns, denial_map, payers, practice, force,
            verbose):
    """Flag every claim in the charge exports that would meet a documented SCIG denial.

    FILES are charge or claim exports (CSV, TSV or Excel; no CARC/RARC needed). The same
    rules and payer data as `appeals classify` decide; each flagged claim gets the corrected
    lines and the reason in scrub.xlsx and a corrected-claim worksheet.

    \b
    Examples:
      appeals scrub samples/charges.csv -o scrub/ --infusion-log samples/infusion_log.csv
      appeals scrub samples/charges.csv -o scrub/ --force
    """
    out = Path(out_dir)
    done = scrub_to_folder(
        files, out, force=force, infusion_log=infusion_log, sheet=sheet,
        columns=opt.mapping(columns), rules=load_denial_map(denial_map),
        payer_rules=load_payer_rules(payers), practice=practice,
    )  # fmt: skip
    result, documents = done.result, done.documents
    for note in done.notes:
        click.echo(f"Note: {note}", err=True)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    lines = result.summary()
    click.echo(lines[0])
    for line in lines[1:]:
        click.echo(line)
    keys = claim_keys(result.flagged)
    for key in result.flagged_claims:
        rows = result.flagged[keys == key]
        patterns = ", ".join(dict.fromkeys(rows["pattern"]))
        click.echo(f"  fix {rows['claim_id'].iloc[0]}: {patterns}")
    for line in rejected_lines(result.rejected, result.files, verbose=verbose):
        click.echo(line, err=True)
    written = int((documents["worksheet"] != "").sum()) if len(documents) else 0
    click.echo(f"Wrote {out / WORKBOOK} and {written} worksheet(s) in {out / 'worksheets'}.")

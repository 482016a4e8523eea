"""appeals stats: what denials cost, by payer, pattern, route and month."""

from __future__ import annotations

import click

from appeals.cli import _options as opt
from appeals.cli._common import reports_errors
from appeals.cli._ledger import echo_table, money, open_for_cli, to_json
from appeals.ledger import stats


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


@click.command("stats")
@opt.required_ledger
@opt.json_output
@opt.verbose
@reports_errors
def command(ledger, as_json, verbose):
    """Show denial rates, dollars denied, recovered and written off, overturn rates and
    days to resolution, by payer, pattern, route and month, across every recorded run.

    \b
    Examples:
      appeals stats --ledger office.sqlite
      appeals stats --ledger office.sqlite --json
    """
    with open_for_cli(ledger) as book:
        figures = stats(book)
    if as_json:
        click.echo(to_json(figures))
        return
    t = figures["totals"]
    click.echo(
        f"Lines recorded: {t['lines']}   denied: {t['denied']} ({_pct(t['denial_rate'])})   "
        f"denied $ {money(t.get('denied_amount'))}   recovered $ {money(t.get('recovered_amount'))}   "
        f"written off $ {money(t.get('written_off_amount'))}"
    )
    click.echo(f"Overturn rate: {_pct(t.get('overturn_rate'))}   "
               f"average days to resolution: {t.get('days_to_resolution') or ''}")
    for dim in ("payer", "pattern", "route", "month"):
        rows = [dict(r, denial_rate=_pct(r["denial_rate"]), overturn_rate=_pct(r.get("overturn_rate")),
                     denied_amount=money(r["denied_amount"]), recovered_amount=money(r["recovered_amount"]),
                     written_off_amount=money(r["written_off_amount"])) for r in figures[f"by_{dim}"]]
        click.echo("")
        columns = [(dim, dim), ("denied", "denied"), ("denial_rate", "rate"),
                   ("denied_amount", "denied $"), ("recovered_amount", "recovered $"),
                   ("written_off_amount", "written off $")]
        if dim != "month":
            columns += [("overturn_rate", "overturned"), ("days_to_resolution", "days")]
        echo_table(rows, columns)

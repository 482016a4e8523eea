"""appeals queue: the ledger's open items across all runs, by deadline."""

from __future__ import annotations

import datetime as dt

import click

from appeals.cli import _options as opt
from appeals.cli._common import reports_errors
from appeals.cli._ledger import echo_table, money, open_for_cli, to_json
from appeals.ledger import STATES, WORKING, count_items, queue

TABLE_LIMIT = 200

_COLUMNS = [
    ("deadline", "deadline"), ("days", "days"), ("state", "state"), ("claim_id", "claim"),
    ("payer_claim_number", "payer claim #"), ("service_date", "DOS"), ("procedure_code", "code"),
    ("modifiers", "mods"), ("payer", "payer"), ("pattern", "pattern"), ("route", "route"),
    ("step", "next step"), ("denied", "denied $"),
]


@click.command("queue")
@opt.required_ledger
@opt.json_output
@click.option("--state", "states", multiple=True, type=click.Choice(STATES),
              help="Only items in this state (repeat). Default: every state still worked.")
@click.option("--limit", type=click.IntRange(1), default=None,
              help=f"Show the first N items (the table shows {TABLE_LIMIT} unless --all; JSON shows all).")
@click.option("--all", "show_all", is_flag=True, help="Show every item in the table.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date for days left and past due (default: today).")
@opt.verbose
@reports_errors
def command(ledger, as_json, states, limit, show_all, today, verbose):
    """List the ledger's open denials across all runs, soonest deadline first.

    Patient names and member ids are shown only with --verbose.

    \b
    Examples:
      appeals queue --ledger office.sqlite
      appeals queue --ledger office.sqlite --json
      APPEALS_LEDGER=postgresql://biller@db/appeals appeals queue --state lost
    """
    day = today.date() if today else dt.date.today()
    chosen = tuple(states) or WORKING
    if limit is None and not as_json and not show_all:
        limit = TABLE_LIMIT
    with open_for_cli(ledger) as book:
        rows = queue(book, today=day, states=chosen, limit=limit, private=verbose)
        total = count_items(book, chosen) if limit is not None and len(rows) == limit else len(rows)
    if as_json:
        click.echo(to_json(rows))
        return
    if not rows:
        click.echo("No open items in the ledger.")
        return
    for row in rows:
        row["days"] = "" if row["days_left"] is None else (
            f"{row['days_left']} PAST DUE" if row["past_due"] else str(row["days_left"]))
        row["step"] = row["next_level"] if row["level"] > 1 else row["route"]
        row["denied"] = money(row["denied_amount"])
    columns = _COLUMNS + ([("patient_name", "patient"), ("member_id", "member")] if verbose else [])
    echo_table(rows, columns)
    shown = f"{len(rows)} of {total}" if total > len(rows) else f"{total}"
    more = " (--all shows every one)" if total > len(rows) else ""
    click.echo(f"{shown} open items (as of {day.isoformat()}){more}.")

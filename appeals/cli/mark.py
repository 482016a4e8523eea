"""appeals mark: record what the biller did with a claim's denied lines."""

from __future__ import annotations

import datetime as dt

import click

from appeals.cli import _options as opt
from appeals.cli._common import reports_errors
from appeals.cli._ledger import open_for_cli, shown, to_json
from appeals.ledger import mark


@click.command("mark")
@click.argument("claim")
@opt.required_ledger
@click.option("--submitted", metavar="DATE", help="The appeal or corrected claim went out on DATE.")
@click.option("--via", help="How it was sent (portal, fax, mail, 837, phone).")
@click.option("--drafted", is_flag=True, help="Documents are ready (runs set this themselves).")
@click.option("--written-off", "written_off", is_flag=True, help="The balance is written off.")
@click.option("--amount", type=float, help="Amount written off (default: denied less recovered).")
@click.option("--closed", is_flag=True, help="Nothing more to do.")
@click.option("--reopen", is_flag=True, help="Put the lines back in the queue.")
@click.option("--note", default="", help="A note kept in the history.")
@click.option("--procedure", help="Only the line(s) with this procedure code.")
@click.option("--dos", help="Only the line(s) with this date of service.")
@click.option("--on", "on_date", metavar="DATE", help="Date of a write-off or closing (default: today).")
@opt.member
@opt.payer_of_claim
@opt.json_output
@opt.verbose
@reports_errors
def command(claim, ledger, submitted, via, drafted, written_off, amount, closed, reopen, note,
            procedure, dos, on_date, member, payer, as_json, verbose):
    """Record what happened to CLAIM (claim id or payer claim number): submitted, written
    off, closed or reopened. Every change is kept in the history with your user name.

    \b
    Examples:
      appeals mark --ledger office.sqlite SCIG-1001 --submitted 06/03/2026 --via portal
      appeals mark --ledger office.sqlite SCIG-1001 --written-off --note "below threshold"
      appeals mark --ledger office.sqlite SCIG-1002 --closed --procedure 96371
      appeals mark --ledger office.sqlite SCIG-1001 --closed --member ZZ0000001

    A claim id on two patients' (or payers') lines is refused until --member or --payer
    says whose.
    """
    chosen = [s for s, on in (("submitted", bool(submitted)), ("drafted", drafted),
                               ("written_off", written_off), ("closed", closed), ("open", reopen)) if on]
    if len(chosen) > 1:
        raise click.UsageError("give one of --submitted, --drafted, --written-off, --closed, --reopen")
    if not chosen and not note:
        raise click.UsageError("say what happened: --submitted DATE, --written-off, --closed, --reopen or --note")
    state = chosen[0] if chosen else "note"
    when = opt.day(submitted) or opt.day(on_date) or dt.date.today()
    with open_for_cli(ledger) as book:
        changes = mark(book, claim, state, on=when, via=via or "", amount=amount, note=note,
                       procedure=procedure, service_date=opt.day(dos), member=member, payer=payer)
    if as_json:
        click.echo(to_json(changes))
        return
    if not changes:
        click.echo(f"{claim}: nothing to change (already {state}).")
        return
    for change in changes:
        after = ", ".join(f"{k} {shown(v) or '(cleared)'}" for k, v in change["after"].items())
        click.echo(f"{claim} {change['procedure_code']} {shown(change['service_date'])}: {after}")
    click.echo(f"{len(changes)} line(s) updated in {book.name}.")

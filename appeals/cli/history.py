"""appeals history: every event on a claim's denied lines, oldest first."""

from __future__ import annotations

import click

from appeals.cli import _options as opt
from appeals.cli._common import reports_errors
from appeals.cli._ledger import open_for_cli, shown, to_json
from appeals.errors import LedgerError
from appeals.ledger import history


@click.command("history")
@click.argument("claim")
@opt.required_ledger
@opt.member
@opt.payer_of_claim
@opt.json_output
@opt.verbose
@reports_errors
def command(claim, ledger, member, payer, as_json, verbose):
    """Show every event on CLAIM (claim id or payer claim number), oldest first: each
    remittance that opened or changed a line, each run that drafted it, each mark.

    \b
    Examples:
      appeals history --ledger office.sqlite SCIG-1001
      appeals history --ledger office.sqlite 25100100001 --json
    """
    with open_for_cli(ledger) as book:
        events = history(book, claim, member=member, payer=payer)
    if not events:
        raise LedgerError("has no denied line for that claim", file=book.name,
                          fix="check the claim id or payer claim number (`appeals queue` lists them)")
    if as_json:
        click.echo(to_json(events))
        return
    for e in events:
        changes = ", ".join(
            f"{k} {shown(e['before'].get(k)) or '-'} -> {shown(v)}" if k in e["before"] else f"{k} {shown(v)}"
            for k, v in e["after"].items()
        )
        line = f"{e['procedure_code']} {e['modifiers']}".strip()
        click.echo(f"{e['at']:%Y-%m-%d %H:%M}  {line} {shown(e['service_date'])}  {e['kind']:<10} "
                   f"{changes}  [{e['source']}]")

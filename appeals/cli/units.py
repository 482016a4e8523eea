"""``appeals units``: the SCIG administration units documented times and sites support."""

from __future__ import annotations

import json

import click

from appeals.classify.units import UnitsResult, units_for_sites, units_for_times
from appeals.cli._common import plain_source, reports_errors
from appeals.cli._files import option_file
from appeals.rules.payers import OTHER, load_payer_rules


def _site_pair(text: str) -> tuple[str, str]:
    start, sep, stop = text.partition("-")
    if not sep:
        raise click.BadParameter(f"{text!r}: write one site as START-STOP, e.g. 09:05-10:30")
    return start.strip(), stop.strip()


@click.command(name="units")
@click.option("--start", help="Infusion start, e.g. 09:05, 9:05 AM or 0905.")
@click.option("--stop", help="Infusion stop; earlier than --start means past midnight.")
@click.option("--sites", type=float, help="Number of simultaneous subcutaneous sites.")
@click.option(
    "--site",
    "site_times",
    multiple=True,
    metavar="START-STOP",
    help="One site's times (repeat per site), instead of --start/--stop/--sites.",
)
@click.option("--payer", help="Payer name or key; applies that payer's 96371 cap.")
@click.option("--payer-rules", type=option_file, help="Your own payers.csv.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object for scripts.")
@reports_errors
def command(
    start: str | None,
    stop: str | None,
    sites: float | None,
    site_times: tuple[str, ...],
    payer: str | None,
    payer_rules: str | None,
    as_json: bool,
) -> None:
    """Show the 96369/96370/96371 units the documented times and sites support.

    \b
    Examples:
      appeals units --start 09:05 --stop 10:50 --sites 3 --payer Medicare
      appeals units --site 09:05-10:30 --site 09:10-10:50 --json
    """
    if site_times and (start or stop or sites is not None):
        raise click.UsageError("give either --site (per site) or --start/--stop/--sites")
    if not site_times and not (start or stop):
        raise click.UsageError("give --start and --stop (or --site START-STOP per site)")

    cap = None
    payer_key = None
    payer_note = "no payer given: 96371 shown without a payer cap (most MAC LCDs cap it at 2)"
    if payer:
        rules = load_payer_rules(payer_rules)
        payer_key = rules.resolve(payer)
        rule = rules.get(payer_key)
        cap = rule.cap_96371
        unknown = " (name not recognised: default rules)" if payer_key == OTHER else ""
        limit = f"96371 cap {cap}" if cap is not None else "no 96371 cap on file"
        payer_note = f"payer {rule.display_name}{unknown}: {limit}"
        if rule.cap_source:
            payer_note += f" ({plain_source(rule.cap_source)})"

    if site_times:
        result = units_for_sites([_site_pair(t) for t in site_times], cap=cap)
    else:
        result = units_for_times(start, stop, sites, cap=cap)

    if as_json:
        data = {"payer": payer_key, "payer_note": payer_note, **result.to_dict()}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif result.ok:
        _print(result, payer_note)
    if not result.ok:  # said first and alone: no codes printed above a "cannot compute"
        for problem in result.problems:
            click.echo(f"Cannot compute: {problem}", err=True)
        raise SystemExit(1)


def _print(result: UnitsResult, payer_note: str) -> None:
    if result.units:
        for code, units in result.units.items():
            click.echo(f"{code} × {units}")
    else:
        click.echo("No units can be computed from this input.")
    if result.minutes is not None:
        click.echo(f"Infusion time: {result.minutes} minutes ({result.start} to {result.stop})")
    click.echo("")
    click.echo("How:")
    for step in result.steps:
        click.echo(f"  {step}")
    if result.site_times:
        click.echo("")
        click.echo("Sites:")
        for site in result.site_times:
            minutes = "" if site.minutes is None else f" ({site.minutes} minutes)"
            click.echo(f"  site {site.site}: {site.start or '?'} to {site.stop or '?'}{minutes}")
    click.echo("")
    click.echo(payer_note[0].upper() + payer_note[1:] + ".")

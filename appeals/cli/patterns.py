"""appeals patterns: the documented denial patterns, their signals and actions."""

from __future__ import annotations

import click

from appeals.classify.conditions import CONDITIONS
from appeals.cli import _options as opt
from appeals.cli._common import plain_source, reports_errors
from appeals.rules.denial_map import load_denial_map
from appeals.rules.patterns import load_patterns


@click.command("patterns")
@opt.denial_map
@click.option("--rules", "show_rules", is_flag=True, help="Also list every denial_map.csv rule.")
@reports_errors
def command(denial_map, show_rules):
    """List the SCIG denial patterns, what signals them and what to do.

    \b
    Examples:
      appeals patterns
      appeals patterns --rules --denial-map denial_map.csv
    """
    rules = load_denial_map(denial_map)
    for pattern in load_patterns().values():
        actions = sorted({r.action for r in rules if r.pattern == pattern.id})
        click.echo(click.style(f"{pattern.id}", bold=True) + f": {pattern.title}")
        click.echo(f"  signals: {pattern.signals}")
        click.echo(f"  fix:     {pattern.fix}")
        click.echo(f"  action:  {', '.join(actions) or 'no rule in denial_map.csv'}")
        click.echo(f"  source:  {plain_source(pattern.source)}")
    if show_rules:
        click.echo("\nRules (tried in priority order; first match wins):")
        for r in rules:
            codes = ";".join(sorted(r.procedure_codes)) or "any code"
            signals = ";".join(sorted(r.carcs | r.rarcs)) or "any denial"
            click.echo(
                f"  {r.priority:>4} {r.rule_id}: {codes} | {signals} | "
                f"{r.describe_conditions() or 'no condition'} -> {r.pattern} / {r.action}"
            )
        click.echo("\nConditions a rule may name (prefix ! to negate):")
        for name, text in CONDITIONS.items():
            click.echo(f"  {name}: {text}")

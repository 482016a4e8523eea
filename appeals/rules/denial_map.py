"""denial_map.csv: the denial rules as data, validated when loaded.

One row is one rule. A line matches a rule when its procedure code is listed (``*`` or blank
for any code), it carries at least one of the listed CARCs or RARCs (both blank: any denial),
and every named condition holds (``!name`` negates). ``scig_jcodes`` among the codes stands for
every J-code of the packaged SCIG product list, so that list lives in one place. The ``scrub`` column says which path
uses the rule: ``yes`` both, ``no`` remittances only, ``only`` charge scrubbing only. Rules are
tried by ascending priority;
the first match wins. Conditions come from a fixed vocabulary in ``appeals.classify.conditions``;
nothing in a cell is ever evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from appeals.classify.conditions import CONDITIONS
from appeals.errors import ConfigError
from appeals.resources import denial_map_path, read_text_csv
from appeals.rules.patterns import load_patterns
from appeals.rules.reference import scig_jcodes
from appeals.schema import ACTIONS

COLUMNS = (
    "rule_id",
    "priority",
    "procedure_codes",
    "carcs",
    "rarcs",
    "conditions",
    "pattern",
    "action",
    "template",
    "scrub",
    "note",
)
_SPLIT = re.compile(r"[;,\s]+")
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Rule:
    rule_id: str
    priority: int
    procedure_codes: frozenset[str]  # empty: any code
    carcs: frozenset[str]
    rarcs: frozenset[str]
    conditions: tuple[tuple[str, bool], ...]  # (name, wanted value)
    pattern: str
    action: str
    template: str
    scrub: bool  # used when scrubbing charges
    denials: bool  # used when classifying remittances ("only" in the scrub column: False)
    note: str
    line: int  # line in the CSV, header = 1

    def describe_conditions(self) -> str:
        return " and ".join(("not " if not want else "") + name for name, want in self.conditions)


def _codes(cell: str) -> frozenset[str]:
    items = {c.strip().upper() for c in _SPLIT.split(cell) if c.strip()}
    return frozenset() if items in (set(), {"*"}) else frozenset(items)


SCIG_JCODES = "SCIG_JCODES"


def _procedure_codes(cell: str) -> frozenset[str]:
    codes = _codes(cell)
    return (codes - {SCIG_JCODES}) | scig_jcodes() if SCIG_JCODES in codes else codes


def load_denial_map(path: str | Path | None = None) -> list[Rule]:
    """Read and validate the rules; errors name the CSV line and column."""
    path = denial_map_path(path)
    table = read_text_csv(path)
    missing = [c for c in COLUMNS if c not in table.columns and c != "note"]
    if missing:
        raise ConfigError(
            f"missing columns {', '.join(missing)}; found {', '.join(table.columns)}",
            file=path,
            fix="keep the header row of the packaged denial_map.csv",
        )
    patterns = load_patterns()
    seen: dict[str, int] = {}
    rules = [_rule(row, i + 2, path, patterns, seen)
             for i, row in enumerate(table.to_dict("records"))]
    if not rules:
        raise ConfigError("no rules", file=path, fix="add at least one rule row")
    return sorted(rules, key=lambda r: (r.priority, r.line))


def _rule(row: dict[str, str], line: int, path: Path, patterns: Collection[str],
          seen: dict[str, int]) -> Rule:
    """One validated rule from its CSV row (``line``: the row's line in the file)."""

    def fail(column: str, message: str, value: str, fix: str) -> ConfigError:
        return ConfigError(message, file=path, row=line, column=column, value=value, fix=fix)

    rule_id = row["rule_id"].strip()
    if not rule_id:
        raise fail("rule_id", "blank rule id", "", "give every rule a unique name")
    if rule_id in seen:
        raise fail(
            "rule_id", f"duplicate rule id (also on line {seen[rule_id]})", rule_id,
            "give every rule a unique name",
        )
    seen[rule_id] = line
    try:
        priority = int(row["priority"])
    except ValueError:
        raise fail("priority", "priority must be a whole number", row["priority"],
                   "write a number; lower numbers are tried first") from None
    conditions = []
    for token in _codes(row["conditions"].lower()) if row["conditions"].strip() else ():
        want = not token.startswith("!")
        name = token.lstrip("!").lower()
        if name not in CONDITIONS:
            raise fail(
                "conditions", "unknown condition", token.lower(),
                "use one of: " + ", ".join(sorted(CONDITIONS)),
            )
        conditions.append((name, want))
    pattern = row["pattern"].strip()
    if pattern not in patterns:
        raise fail("pattern", "unknown pattern", pattern, "use one of: " + ", ".join(patterns))
    action = row["action"].strip()
    if action not in ACTIONS:
        raise fail("action", "unknown action", action, "use one of: " + ", ".join(ACTIONS))
    template = row["template"].strip() or pattern
    if not _TEMPLATE_NAME.match(template):
        raise fail("template", "template names use a-z, 0-9 and _", template,
                   "name a file under templates/patterns/ without its extension")
    scrub = row["scrub"].strip().lower()
    if scrub not in ("yes", "no", "only", ""):
        raise fail("scrub", "expected yes, no or only", scrub,
                   "write yes (both paths), no (remittances only) or only (scrub only)")
    return Rule(
        rule_id=rule_id, priority=priority, procedure_codes=_procedure_codes(row["procedure_codes"]),
        carcs=_codes(row["carcs"]), rarcs=_codes(row["rarcs"]),
        conditions=tuple(sorted(conditions)), pattern=pattern, action=action, template=template,
        scrub=scrub != "no", denials=scrub != "only", note=row.get("note", "").strip(), line=line,
    )

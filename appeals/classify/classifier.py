"""Decide, for every line, its status, the denial pattern, the action and the evidence.

One engine serves two paths: ``mode="denials"`` classifies remitted lines by their CARC/RARC
codes and claim conditions; ``mode="scrub"`` checks outgoing charge lines against the same
rules' conditions, ignoring codes, to flag what would be denied before it is sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd

from appeals.classify.conditions import Columns, Facts, compute_facts
from appeals.classify.corrections import apply_corrections
from appeals.classify.deadlines import route_deadlines
from appeals.classify.evidence import describe
from appeals.classify.routing import assign_routes, escalate, join_patterns
from appeals.rules.denial_map import Rule, load_denial_map
from appeals.rules.payers import PayerRules, load_payer_rules
from appeals.rules.reference import routine_carcs
from appeals.rules.routes import RouteTable, load_routes
from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS, conform, text_series

Mode = Literal["denials", "scrub"]
REVERSAL = "22"
DENIED_CLAIM = "4"


def denied_mask(lines: pd.DataFrame, cols: Columns | None = None) -> np.ndarray:
    """A line is denied when it carries a CARC other than a routine adjustment, its claim
    was denied whole, or it has remarks but no CARC and was not paid."""
    cols = cols or Columns(lines)
    routine = routine_carcs()
    denial_carc = cols.test("carcs", lambda u: any(c not in routine for c in u.split(";") if c))
    paid = lines["paid_amount"].to_numpy(dtype=np.float64)
    unpaid = np.isnan(paid) | (paid <= 0)
    no_carc = ~cols.test("carcs", bool)
    remark_only = no_carc & cols.test("rarcs", bool) & unpaid
    whole_claim = cols.member_of("claim_status", frozenset({DENIED_CLAIM})) & unpaid
    return denial_carc | remark_only | whole_claim


def rule_masks(lines: pd.DataFrame, facts: Facts, rule: Rule, mode: Mode) -> np.ndarray:
    cols = facts.columns
    mask = np.ones(facts.n, dtype=bool)
    if rule.procedure_codes:
        mask &= cols.member_of("procedure_code", rule.procedure_codes)
    if mode == "denials" and (rule.carcs or rule.rarcs):
        hit = np.zeros(facts.n, dtype=bool)
        if rule.carcs:
            hit |= cols.list_has_any("carcs", rule.carcs)
        if rule.rarcs:
            hit |= cols.list_has_any("rarcs", rule.rarcs)
        mask &= hit
    for name, want in rule.conditions:
        value = facts.conditions[name]
        mask &= value if want else ~value
    return mask


def classify(
    lines: pd.DataFrame,
    *,
    rules: list[Rule] | None = None,
    payer_rules: PayerRules | None = None,
    mode: Mode = "denials",
    routes: RouteTable | None = None,
    today: dt.date | None = None,
    claim_type: str = "",
) -> pd.DataFrame:
    """Return ``lines`` (same order and index) with the classification columns added.

    Statuses in ``denials`` mode: ``denied`` (a pattern matched), ``needs_review`` (an SCIG
    denial no rule explains), ``out_of_scope`` (a denial that is not SCIG work, or a payment
    reversal), ``paid`` (no denial). In ``scrub`` mode: ``flagged`` or ``clean``.
    ``claim_type`` (the office's setting) is used only for claims whose data does not say.
    """
    rules = load_denial_map() if rules is None else rules
    payer_rules = load_payer_rules() if payer_rules is None else payer_rules
    frame = conform(lines, LINE_COLUMNS)
    unresolved = frame["payer"] == ""
    if unresolved.any():
        frame.loc[unresolved, "payer"] = payer_rules.resolve_series(frame.loc[unresolved, "payer_name"])
    facts = compute_facts(frame, payer_rules, claim_type=claim_type)
    n = len(frame)

    if mode == "denials":
        reversal = facts.columns.member_of("claim_status", frozenset({REVERSAL}))
        denied = denied_mask(frame, facts.columns)
        candidate_pool = denied & ~reversal
    else:
        reversal = denied = np.zeros(n, dtype=bool)
        candidate_pool = np.ones(n, dtype=bool)
    candidates = candidate_pool & facts.scig_related
    active = [r for r in rules if (r.denials if mode == "denials" else r.scrub)]
    chosen, also = _match_rules(frame, facts, active, candidates, mode)
    if mode == "denials":
        status = np.select(
            # A reversal is never appealed; with denial codes it is kept as out of scope.
            [chosen >= 0, candidates, candidate_pool | (reversal & denied)],
            ["denied", "needs_review", "out_of_scope"],
            default="paid",
        )
    else:
        status = np.where(chosen >= 0, "flagged", "clean")
    out = frame  # conform() already made it a frame of our own
    _label(out, status, active, chosen, also)
    chosen_routes = assign_routes(out, facts, payer_rules, load_routes() if routes is None else routes)
    names = {key: rule.display_name for key, rule in payer_rules.rules.items()}
    evidence, causes = describe(out, facts, reversal=reversal, mode=mode, payer_names=names)
    out["evidence"] = text_series(evidence, out.index)
    apply_corrections(out, facts, causes)
    route_deadlines(out, chosen_routes, payer_rules, today or dt.date.today())
    return conform(out, LINE_COLUMNS + CLASSIFIED_COLUMNS)


def _match_rules(frame: pd.DataFrame, facts: Facts, active: list[Rule], candidates: np.ndarray,
                 mode: Mode) -> tuple[np.ndarray, dict[int, list[int]]]:
    """Per line, the first rule that holds (-1: none) and every rule that holds."""
    chosen = np.full(facts.n, -1, dtype=np.int64)
    # Every rule that holds is kept: a line may have more than one cause, and each fix
    # must reach the one correction (the J-code keeps its KX under wrong_route).
    also: dict[int, list[int]] = {}
    for k, rule in enumerate(active):
        hits = candidates & rule_masks(frame, facts, rule, mode)
        if not hits.any():
            continue
        first = hits & (chosen == -1)
        chosen[first] = k
        for i in np.flatnonzero(hits).tolist():
            also.setdefault(i, []).append(k)
    return chosen, also


def _label(out: pd.DataFrame, status: np.ndarray, active: list[Rule], chosen: np.ndarray,
           also: dict[int, list[int]]) -> None:
    """Status, pattern(s), template, rule id and action columns from the matched rules."""
    matched = chosen >= 0

    def pick(attr: str) -> np.ndarray:
        values = np.array([getattr(r, attr) for r in active] + [""], dtype=object)
        return values[np.where(matched, chosen, len(active))]

    # Only matched lines have patterns: the per-line lists are built for them alone.
    hit = np.flatnonzero(matched)
    patterns = np.full(len(status), "", dtype=object)
    patterns[hit] = join_patterns([[active[k].pattern for k in also[i]] for i in hit.tolist()])
    action = pick("action")
    action[hit] = escalate(action[hit], [[active[k].action for k in also[i]] for i in hit.tolist()])
    action[(status == "needs_review")] = "review"
    out["status"] = text_series(status, out.index)
    out["pattern"] = text_series(pick("pattern"), out.index)
    out["patterns"] = text_series(patterns, out.index)
    out["template"] = text_series(pick("template"), out.index)
    out["rule_id"] = text_series(pick("rule_id"), out.index)
    out["action"] = text_series(action, out.index)

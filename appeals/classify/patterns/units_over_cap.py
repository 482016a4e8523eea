"""units_over_cap: 96371 units above the payer's per-encounter cap (seed 000)."""

from __future__ import annotations

import numpy as np

from appeals.classify.patterns._base import Fix, Line, PatternUnit, num


def evidence(ln: Line) -> str:
    facts = ln.facts
    text = (f"96371 billed x{num(facts.enc_96371_units[ln.i])} for the encounter of {ln.dos}; "
            f"the cap configured for {ln.payer} is {num(facts.cap[ln.i])} per encounter "
            "(a default from the seeds: verify against CPT and the MUE).")
    if ln.action == "disagree":
        text += " Justification on file: " + (
            ln.justification or f"chart reference {ln.chart_reference}") + "."
    return text + ln.tail


def correct(fx: Fix) -> None:
    over = fx.has("units_over_cap")
    if over.any():
        excess = np.maximum(fx.facts.enc_96371_units - np.nan_to_num(fx.facts.cap), 0)
        m = over & (fx.code == "96371")
        fx.new_units[m] = np.maximum(fx.units[m] - excess[m], 0)
        fx.note(m, "96371 units reduced to the payer's cap")


UNIT = PatternUnit("units_over_cap", evidence, correct)

"""wrong_route: 96365/96366 billed for a subcutaneous SCIG infusion (seed 000)."""

from __future__ import annotations

import numpy as np

from appeals.classify.patterns._base import Fix, Line, PatternUnit, unbilled


def evidence(ln: Line) -> str:
    if ln.facts.is_iv_admin[ln.i]:
        text = (f"{ln.code} (IV infusion) billed for {ln.product} given subcutaneously, with no "
                "96369-96371 on the encounter; an SC pump infusion is coded 96369 "
                "(+96370/96371).")
    else:
        text = (f"{ln.product} line sits on an encounter billed with IV administration codes "
                "and no SC administration codes; correct the administration codes.")
    return text + ln.tail + f" Billed: {ln.billed}."


def correct(fx: Fix) -> None:
    wrong = fx.enc_has("wrong_route")
    m = wrong & (fx.code == "96365")
    fx.new_code[m], fx.new_units[m] = "96369", 1.0
    fx.note(m, "96365 -> 96369: subcutaneous SCIG by pump")
    m = wrong & (fx.code == "96366")
    fx.new_code[m] = "96370"
    timed = m & ~np.isnan(fx.s70)
    fx.new_units[timed] = fx.s70[timed]
    fx.note(m, "96366 -> 96370: additional hour of SC infusion")
    # What the chart supports but the IV coding had no line for: further hours when no
    # 96366 was billed, and further sites (IV codes have no way to bill them at all). Never
    # added to the correction: separate new-claim lines, only if the chart documents them.
    facts = fx.facts
    initial = wrong & (fx.code == "96365")
    no_96366 = ~facts.enc_any(fx.is_code("96366"))
    hours = initial & no_96366 & (np.nan_to_num(fx.s70) > 0) & (facts.enc_96370_units == 0)
    for i in np.flatnonzero(hours):
        fx.add[i].append(unbilled("96370", fx.s70[i], "a further hour the chart's times support"))
    sites = initial & (np.nan_to_num(fx.capped71) > 0) & (facts.enc_96371_units == 0)
    for i in np.flatnonzero(sites):
        fx.add[i].append(unbilled("96371", fx.capped71[i], "a further simultaneous site the "
                                  "chart documents"))


UNIT = PatternUnit("wrong_route", evidence, correct)

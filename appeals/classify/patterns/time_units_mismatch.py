"""time_units_mismatch: 96370/96371 units the documented times or sites do not support."""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.classify.patterns._base import Fix, Line, PatternUnit, num, unbilled


def evidence(ln: Line) -> str:
    facts = ln.facts
    if facts.supported is None:
        return f"Matched rule {ln.rule_id}." + ln.tail
    row = facts.supported.iloc[ln.i]
    billed = facts.enc_96370_units[ln.i] if ln.code == "96370" else facts.enc_96371_units[ln.i]
    want = row["u96370"] if ln.code == "96370" else row["u96371"]
    return (f"Chart: {ln.infusion_start} to {ln.infusion_stop} = {num(row['minutes'])} minutes, "
            f"{num(ln.sites)} site(s), supporting {ln.code} x{num(want)}; billed "
            f"x{num(billed)}." + ln.tail)


def correct(fx: Fix) -> None:
    facts = fx.facts
    if facts.supported is None:
        return
    timed = fx.enc_has("time_units_mismatch")
    for i in np.flatnonzero(timed & fx.is_code("96369")):
        if np.nan_to_num(fx.s70[i]) > 0 and facts.enc_96370_units[i] == 0:
            fx.add[i].append(unbilled("96370", fx.s70[i], "further hours the chart's times support"))
        if np.nan_to_num(fx.capped71[i]) > 0 and facts.enc_96371_units[i] == 0:
            fx.add[i].append(unbilled("96371", fx.capped71[i], "further simultaneous sites the "
                                      "chart documents"))
    for target, column in (("96370", "u96370"), ("96371", "u96371")):
        is_code = timed & fx.is_code(target)
        want = facts.supported[column].to_numpy(dtype=np.float64)
        # Several lines of one code on an encounter: the first carries the units.
        first = is_code & ~pd.Series(facts.encounter).where(is_code).duplicated().to_numpy()
        ok = first & ~np.isnan(want)
        fx.new_units[ok] = want[ok]
        fx.new_units[is_code & ~first] = 0
        zero = is_code & (fx.new_units == 0)
        fx.remove |= zero
        fx.note(ok & ~zero, f"{target} units set to what the chart's times and sites support")
        fx.note(zero, f"drop {target}: the chart's times and sites do not support it")


UNIT = PatternUnit("time_units_mismatch", evidence, correct)

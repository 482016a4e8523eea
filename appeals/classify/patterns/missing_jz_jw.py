"""missing_jz_jw: an Original Medicare drug line without JZ or JW (CMS, CR 13056)."""

from __future__ import annotations

from appeals.classify.patterns._base import Fix, Line, PatternUnit


def evidence(ln: Line) -> str:
    return (f"{ln.product} line billed to Original Medicare without JZ (none discarded) or JW "
            "(the discarded amount on its own line)." + ln.tail)


def correct(fx: Fix) -> None:
    jz = fx.has("missing_jz_jw")
    fx.modifier(jz, add="JZ")
    fx.note(jz, "append JZ: no drug discarded (check the chart; if some was, bill the "
            "discarded amount on its own line with JW instead)")


UNIT = PatternUnit("missing_jz_jw", evidence, correct)

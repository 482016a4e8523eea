"""kx_on_admin_line: KX on 96369-96371 instead of the drug line (seed 000)."""

from __future__ import annotations

from appeals.classify.patterns._base import Fix, Line, PatternUnit


def evidence(ln: Line) -> str:
    on = ", ".join(dict.fromkeys(ln.kx_admin)) or "an administration line"
    return (f"KX is on {on} instead of the {ln.product} drug line; KX belongs on the J-code "
            "line only." + ln.tail)


def correct(fx: Fix) -> None:
    kx = fx.enc_has("kx_on_admin_line")
    m = kx & fx.facts.is_sc_admin & fx.facts.conditions["line_has_kx"]
    fx.modifier(m, drop="KX")
    fx.note(m, "remove KX from the administration line")
    m = kx & fx.facts.is_scig_drug
    fx.modifier(m, add="KX")
    fx.note(m, "move KX to the SCIG drug line")


UNIT = PatternUnit("kx_on_admin_line", evidence, correct)

"""iv_and_sc_same_encounter: IV and SC infusion codes on one encounter (seed 002)."""

from __future__ import annotations

from appeals.classify.patterns._base import Fix, Line, PatternUnit


def evidence(ln: Line) -> str:
    text = (f"IV and SC administration codes billed on one encounter ({ln.dos}); an SCIG "
            f"infusion given subcutaneously takes 96369-96371 only.{ln.tail} Billed: {ln.billed}.")
    if ln.action == "adjust_off":
        text += (" Adjust the IV line off; appeal it only if the chart documents a separate IV "
                 "infusion (modifier 59/XU per NCCI).")
    return text


def correct(fx: Fix) -> None:
    both = fx.enc_has("iv_and_sc_same_encounter") & fx.facts.is_iv_admin
    fx.remove |= both
    fx.note(both, "drop the IV administration line: the infusion was subcutaneous")


UNIT = PatternUnit("iv_and_sc_same_encounter", evidence, correct)

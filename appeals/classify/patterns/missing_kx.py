"""missing_kx: an SCIG J-code line without KX where the payer requires it (seed 000)."""

from __future__ import annotations

from appeals.classify.patterns._base import Fix, Line, PatternUnit


def evidence(ln: Line) -> str:
    return (f"{ln.product} line has no modifier KX and {ln.payer} requires KX on the SCIG "
            "drug line." + ln.tail)


def correct(fx: Fix) -> None:
    m = fx.enc_has("missing_kx") & fx.facts.is_scig_drug
    fx.modifier(m, add="KX")
    fx.note(m, "append KX to the SCIG drug line")


UNIT = PatternUnit("missing_kx", evidence, correct)

"""The group-code patterns: patient_responsibility (PR), duplicate (CARC 18),
benefit_carve_out (CARC 204 / N130) and no_authorization (CARC 197/198). Nothing of theirs
changes the claim: the evidence says who does what."""

from __future__ import annotations

from appeals.classify.patterns._base import Line, PatternUnit
from appeals.classify.patterns.site_of_care import MEDICARE


def _patient(ln: Line) -> str:
    text = (f"{ln.code}: the payer assigned the amount to the patient (group code PR); bill the "
            "patient per the plan's rules.")
    if ln.payer_type in MEDICARE and "50" in ln.carcs.split(";"):
        text += (" Medicare medical-necessity denial: the patient is liable only with a valid "
                 "ABN (modifier GA); without one the provider is liable (treat it as CO).")
    return text + ln.tail


def _duplicate(ln: Line) -> str:
    return (f"{ln.code} denied as an exact duplicate (CARC 18): find the original claim and its "
            "outcome; sending the line again is denied again." + ln.tail)


def _carve_out(ln: Line) -> str:
    return (f"{ln.code} not covered under the patient's current benefit (CARC 204 / N130): "
            "where the plan carves the drug out to a specialty pharmacy, that pharmacy bills "
            "it; otherwise the patient is responsible per plan rules." + ln.tail)


def _authorization(ln: Line) -> str:
    then = (", then a reconsideration." if ln.payer_type not in MEDICARE else
            "; Original Medicare does not usually require one for these services: review.")
    return (f"{ln.code} denied for an absent or exceeded authorization (CARC 197/198): find "
            "the authorization or ask for a retro-authorization" + then + ln.tail)


UNITS = (
    PatternUnit("patient_responsibility", _patient),
    PatternUnit("duplicate", _duplicate),
    PatternUnit("benefit_carve_out", _carve_out),
    PatternUnit("no_authorization", _authorization),
)

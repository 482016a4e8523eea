"""site_of_care: clinic SCIG codes at home (POS 12), at a facility on a professional claim,
or a place-of-service denial at the office (seed 000; DME MAC LCD L33794; CPT)."""

from __future__ import annotations

import numpy as np

from appeals.classify.patterns._base import Fix, Line, PatternUnit
from appeals.classify.vocabulary import FACILITY_POS
from appeals.rules import reference

# inpatient (21) is not a SCIG site, but a denial may name it
POS_NAMES = {**reference.POS_NAMES, "21": "inpatient hospital"}
MEDICARE = ("medicare_ab", "medicare_dme")
MIS_KEYED = (" If the chart shows the infusion was given in the office, the POS was mis-keyed: "
             "correct it to 11 {how}.")
SENT = "(a reopening at Medicare, a corrected claim elsewhere)"
UNSENT = "before sending the claim"  # scrubbed charges: nothing has gone to the payer yet


def _how(ln: Line) -> str:
    return UNSENT if ln.status == "flagged" else SENT


def evidence(ln: Line) -> str:
    pos = ln.place_of_service
    where = f"POS {pos} ({POS_NAMES.get(pos, 'unlisted')})" if pos else "no POS"
    if pos == "12":
        if ln.payer_type in MEDICARE:
            who = ("for Medicare, home SCIG is the DME benefit (LCD L33794: pump E0779, the drug "
                   "with JB) billed by a DME supplier, with home-infusion nursing (G0069) billed "
                   "by a home-infusion supplier; nothing this office rebills.")
        elif ln.payer_type == "medicare_advantage":
            who = ("the plan's home-infusion or DME benefit pays, billed by its contracted "
                   "home-infusion supplier; nothing this office rebills.")
        else:
            who = ("the plan's home-infusion benefit (per diem) pays, billed by a home-infusion "
                   "provider; nothing this office rebills.")
        if ln.status == "flagged":
            who = who.replace("rebills", "bills")
        return (f"{ln.code} billed at {where}: the clinic codes 96369-96371 do not apply at "
                "home; " + who + MIS_KEYED.format(how=_how(ln)) + ln.tail)
    if ln.action == "other_supplier":
        unsent = " Leave these lines off the office's claim." if ln.status == "flagged" else ""
        return (f"{ln.code} billed on a professional claim at {where}, a facility setting: per "
                "CPT the physician does not report infusion codes 96360-96379 there; the "
                "facility bills them (and the drug it supplies) on its own claim (837I)."
                + unsent + _others(ln) + _chart_says(ln) + ln.tail)
    if ln.action == "clerical" and pos in FACILITY_POS:
        chart = "the encounter's chart"
        if ln.service_setting:
            chart = f"the chart's service setting ({ln.service_setting!r})"
        elif ln.infusion_start:
            chart = (f"the office's own infusion record (start {ln.infusion_start}, stop "
                     f"{ln.infusion_stop})")
        return (f"{ln.code} billed on a professional claim at {where}, but {chart} places the "
                f"infusion in the office: POS {pos} looks mis-keyed. Confirm in the chart, then "
                f"correct it to 11 {_how(ln)}." + ln.tail)
    return (f"Place-of-service denial on {ln.code} at {where}, where 96369-96371 apply; appeal "
            "with the signed infusion record." + ln.tail)


def _chart_says(ln: Line) -> str:
    # Reached only when the chart does not show the office, so a stated setting is not it.
    if ln.service_setting:
        return (f" The chart's service setting ({ln.service_setting!r}) does not place the "
                "infusion in the office.")
    return MIS_KEYED.format(how=_how(ln))


def _others(ln: Line) -> str:
    others = [p.replace("_", " ") for p in ln.patterns.split(";") if p and p != "site_of_care"]
    if not others:
        return ""
    return (f" The line's other causes ({', '.join(others)}) are recorded but not pursued on "
            "this claim: the service is the facility's to bill.")


def correct(fx: Fix) -> None:
    """A facility POS the office's own chart contradicts goes back to the office (11)."""
    office = fx.facts.conditions["chart_shows_office"]
    keyed = fx.has("site_of_care") & office & np.isin(fx.new_pos, list(FACILITY_POS))
    if keyed.any():
        enc = fx.facts.enc_any(keyed) & np.isin(fx.new_pos, list(FACILITY_POS))
        fx.new_pos[enc] = "11"
        fx.note(enc, "POS corrected to 11: the chart places the infusion in the office")


UNIT = PatternUnit("site_of_care", evidence, correct)

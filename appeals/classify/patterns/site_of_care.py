"""site_of_care: clinic SCIG codes at home (POS 12), at a facility on a professional claim,
or a place-of-service denial at the office (seed 000; DME MAC LCD L33794; CPT)."""

from __future__ import annotations

from appeals.classify.patterns._base import Line, PatternUnit
from appeals.rules import reference

# inpatient (21) is not a SCIG site, but a denial may name it
POS_NAMES = {**reference.POS_NAMES, "21": "inpatient hospital"}
MEDICARE = ("medicare_ab", "medicare_dme")
MIS_KEYED = (" If the chart shows the infusion was given in the office, the POS was mis-keyed: "
             "correct it to 11 (a reopening at Medicare, a corrected claim elsewhere).")


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
        return (f"{ln.code} billed at {where}: the clinic codes 96369-96371 do not apply at "
                "home; " + who + MIS_KEYED + ln.tail)
    if ln.action == "other_supplier":
        return (f"{ln.code} billed on a professional claim at {where}, a facility setting: per "
                "CPT the physician does not report infusion codes 96360-96379 there; the "
                "facility bills them on its own claim (837I)." + MIS_KEYED + ln.tail)
    return (f"Place-of-service denial on {ln.code} at {where}, where 96369-96371 apply; appeal "
            "with the signed infusion record." + ln.tail)


UNIT = PatternUnit("site_of_care", evidence)

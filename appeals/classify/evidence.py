"""The evidence column: why a line got its status, in words a biller can check.

Only lines that are not plainly paid get text, and encounter summaries are built only for
their encounters, so the cost follows the number of denials, not the number of lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.classify.conditions import Facts, scig_products

POS_NAMES = {
    "11": "office",
    "12": "home",
    "19": "off-campus outpatient hospital",
    "22": "on-campus outpatient hospital",
    "24": "ambulatory surgical center",
}


def _num(value: float) -> str:
    return "?" if value != value else f"{value:g}"


def _date(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%m/%d/%Y")


class _Encounters:
    """Per-encounter facts for the lines being described."""

    def __init__(self, out: pd.DataFrame, facts: Facts, rows: np.ndarray) -> None:
        wanted = np.unique(facts.encounter[rows])
        members = np.flatnonzero(np.isin(facts.encounter, wanted))
        code = out["procedure_code"].to_numpy(dtype=object)
        units = out["units"].to_numpy(dtype=np.float64)
        mods = out["modifiers"].to_numpy(dtype=object)
        products = scig_products()
        self.codes: dict[int, list[str]] = {}
        self.product: dict[int, str] = {}
        self.kx_admin: dict[int, list[str]] = {}
        for i in members:
            enc = int(facts.encounter[i])
            label = f"{code[i]} x{_num(1.0 if np.isnan(units[i]) else units[i])}"
            if mods[i]:
                label += f" ({mods[i].replace(';', ' ')})"
            self.codes.setdefault(enc, []).append(label)
            if facts.is_scig_drug[i] and code[i] in products:
                self.product.setdefault(enc, f"{products[code[i]][0]} ({code[i]})")
            if facts.is_sc_admin[i] and "KX" in mods[i].split(";"):
                self.kx_admin.setdefault(enc, []).append(code[i])


def _denial_codes(adjustments: str, carcs: str, rarcs: str) -> str:
    groups = [a.split(":")[0] for a in adjustments.split(";") if a]
    shown = groups or [c for c in carcs.split(";") if c]
    shown += [r for r in rarcs.split(";") if r]
    return "/".join(dict.fromkeys(shown)) or "no code given"


def describe(
    out: pd.DataFrame, facts: Facts, *, reversal: np.ndarray, mode: str, payer_names: dict[str, str]
) -> np.ndarray:
    n = len(out)
    evidence = np.full(n, "", dtype=object)
    status = out["status"].to_numpy(dtype=object)
    rows = np.flatnonzero(((status != "paid") & (status != "clean")) | reversal)
    if len(rows) == 0:
        return evidence
    enc = _Encounters(out, facts, rows)
    col = {name: out[name].to_numpy(dtype=object) for name in (
        "procedure_code", "pattern", "payer", "place_of_service", "adjustments", "carcs",
        "rarcs", "claim_id", "infusion_start", "infusion_stop", "justification",
        "chart_reference", "action", "payer_type", "claim_type",
    )}
    units = out["units"].to_numpy(dtype=np.float64)
    sites = out["sites"].to_numpy(dtype=np.float64)
    dates = out["service_date"].to_numpy()
    supported = facts.supported
    col["payer"] = np.array([payer_names.get(k, k) for k in col["payer"]], dtype=object)
    for i in rows:
        e = int(facts.encounter[i])
        code = col["procedure_code"][i] or "claim"
        codes = _denial_codes(col["adjustments"][i], col["carcs"][i], col["rarcs"][i])
        tail = f" Denial: {codes}." if mode == "denials" else ""
        product = enc.product.get(e, "an SCIG product")
        billed = ", ".join(enc.codes.get(e, []))
        dos = _date(dates[i])
        pattern = col["pattern"][i]
        if reversal[i]:
            text = "Payment reversal (claim status 22): kept for the record; nothing to appeal."
            if status[i] == "out_of_scope":
                text += tail
        elif status[i] == "out_of_scope":
            if code == "J1561":
                text = ("J1561 (Gamunex-C) with no SC route and no 96369-96371 on the encounter "
                        "is an IV immune globulin line, outside the SCIG patterns." + tail)
            else:
                text = f"{code} is not SCIG administration or an SCIG product." + tail
        elif status[i] == "needs_review":
            text = f"SCIG line {code} denied, and no documented pattern explains it" + _hint(
                i, code, facts, units, col
            ) + "." + tail + f" Billed on the encounter: {billed}."
        elif pattern == "wrong_route":
            if facts.is_iv_admin[i]:
                text = (f"{code} (IV infusion) billed for {product} given subcutaneously, with no "
                        "96369-96371 on the encounter; an SC pump infusion is coded 96369 "
                        "(+96370/96371).")
            else:
                text = (f"{product} line sits on an encounter billed with IV administration codes "
                        "and no SC administration codes; correct the administration codes.")
            text += tail + f" Billed: {billed}."
        elif pattern == "units_over_cap":
            cap = facts.cap[i]
            text = (f"96371 billed x{_num(facts.enc_96371_units[i])} for the encounter of {dos}; "
                    f"the cap configured for {col['payer'][i]} is {_num(cap)} per encounter "
                    "(a default from the seeds: verify against CPT and the MUE).")
            if col["action"][i] == "disagree":
                text += " Justification on file: " + (
                    col["justification"][i] or f"chart reference {col['chart_reference'][i]}") + "."
            text += tail
        elif pattern == "addon_without_primary":
            text = (f"{code} is an add-on code and needs 96369 on the same claim; claim "
                    f"{col['claim_id'][i]} has no 96369.{tail} Billed: {billed}.")
        elif pattern == "site_of_care":
            text = _site_of_care(code, col["place_of_service"][i], col["payer_type"][i],
                                 col["action"][i]) + tail
        elif pattern in _GROUP_TEXT:
            text = _GROUP_TEXT[pattern](code, col["payer_type"][i], col["carcs"][i]) + tail
        elif pattern == "missing_kx":
            text = (f"{product} line has no modifier KX and {col['payer'][i]} requires KX on the "
                    "SCIG drug line." + tail)
        elif pattern == "kx_on_admin_line":
            on = ", ".join(dict.fromkeys(enc.kx_admin.get(e, []))) or "an administration line"
            text = (f"KX is on {on} instead of the {product} drug line; KX belongs on the J-code "
                    "line only." + tail)
        elif pattern == "iv_and_sc_same_encounter":
            text = (f"IV and SC administration codes billed on one encounter ({dos}); an SCIG "
                    f"infusion given subcutaneously takes 96369-96371 only.{tail} Billed: {billed}.")
            if col["action"][i] == "adjust_off":
                text += (" Adjust the IV line off; appeal it only if the chart documents a "
                         "separate IV infusion (modifier 59/XU per NCCI).")
        elif pattern == "time_units_mismatch" and supported is not None:
            row = supported.iloc[i]
            billed_units = facts.enc_96370_units[i] if code == "96370" else facts.enc_96371_units[i]
            want = row["u96370"] if code == "96370" else row["u96371"]
            text = (f"Chart: {col['infusion_start'][i]} to {col['infusion_stop'][i]} = "
                    f"{_num(row['minutes'])} minutes, {_num(sites[i])} site(s), supporting "
                    f"{code} x{_num(want)}; billed x{_num(billed_units)}." + tail)
        else:
            text = f"Matched rule {out['rule_id'].iat[i]}." + tail
        evidence[i] = text
    return evidence


_MEDICARE = ("medicare_ab", "medicare_dme")
_MIS_KEYED = (" If the chart shows the infusion was given in the office, the POS was mis-keyed: "
              "correct it to 11 (a reopening at Medicare, a corrected claim elsewhere).")


def _site_of_care(code: str, pos: str, payer_type: str, action: str) -> str:
    where = f"POS {pos} ({POS_NAMES.get(pos, 'unlisted')})" if pos else "no POS"
    if pos == "12":
        if payer_type in _MEDICARE:
            who = ("for Medicare, home SCIG is the DME benefit (LCD L33794: pump E0779, the drug "
                   "with JB) billed by a DME supplier, with home-infusion nursing (G0069) billed "
                   "by a home-infusion supplier; nothing this office rebills.")
        elif payer_type == "medicare_advantage":
            who = ("the plan's home-infusion or DME benefit pays, billed by its contracted "
                   "home-infusion supplier; nothing this office rebills.")
        else:
            who = ("the plan's home-infusion benefit (per diem) pays, billed by a home-infusion "
                   "provider; nothing this office rebills.")
        return (f"{code} billed at {where}: the clinic codes 96369-96371 do not apply at home; "
                + who + _MIS_KEYED)
    if action == "other_supplier":
        return (f"{code} billed on a professional claim at {where}, a facility setting: per CPT "
                "the physician does not report infusion codes 96360-96379 there; the facility "
                "bills them on its own claim (837I)." + _MIS_KEYED)
    return (f"Place-of-service denial on {code} at {where}, where 96369-96371 apply; appeal "
            "with the signed infusion record.")


def _patient(code: str, payer_type: str, carcs: str) -> str:
    text = (f"{code}: the payer assigned the amount to the patient (group code PR); bill the "
            "patient per the plan's rules.")
    if payer_type in _MEDICARE and "50" in carcs.split(";"):
        text += (" Medicare medical-necessity denial: the patient is liable only with a valid "
                 "ABN (modifier GA); without one the provider is liable (treat it as CO).")
    return text


_GROUP_TEXT = {
    "patient_responsibility": _patient,
    "duplicate": lambda code, *_: (
        f"{code} denied as an exact duplicate (CARC 18): find the original claim and its "
        "outcome; sending the line again is denied again."),
    "benefit_carve_out": lambda code, *_: (
        f"{code} not covered under the patient's current benefit (CARC 204 / N130): where the "
        "plan carves the drug out to a specialty pharmacy, that pharmacy bills it; otherwise "
        "the patient is responsible per plan rules."),
    "no_authorization": lambda code, payer_type, _: (
        f"{code} denied for an absent or exceeded authorization (CARC 197/198): find the "
        "authorization or ask for a retro-authorization"
        + (", then a reconsideration." if payer_type not in _MEDICARE else
           "; Original Medicare does not usually require one for these services: review.")),
}


def _hint(i: int, code: str, facts: Facts, units: np.ndarray, col: dict) -> str:
    cond = facts.conditions
    if code == "96371" and not cond["over_cap"][i]:
        return (f": 96371 x{_num(facts.enc_96371_units[i])} is within the {col['payer'][i]} cap "
                f"of {_num(facts.cap[i])}")
    if code in ("96370", "96371") and cond["primary_on_claim"][i]:
        return ": 96369 is on the claim, so the add-on is not without its primary"
    if facts.is_scig_drug[i] and cond["line_has_kx"][i]:
        return ": the drug line already carries KX"
    if facts.is_scig_drug[i] and not cond["payer_requires_kx"][i]:
        return f": payer rules for {col['payer'][i]} do not require KX; check the payer's policy"
    return ""

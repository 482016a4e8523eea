"""The evidence column: why a line got its status, in words a biller can check.

A denied line's words come from its pattern's module (``appeals.classify.patterns``); this
module writes the rest (reversals, lines out of scope, denials no pattern explains).

Only lines that are not plainly paid get text, and encounter summaries are built only for
their encounters, so the cost follows the number of denials, not the number of lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.classify.conditions import Facts
from appeals.classify.patterns import REGISTRY, Line
from appeals.classify.patterns._base import Row
from appeals.rules.reference import scig_products


def _num(value: float) -> str:
    return "?" if value != value else f"{value:g}"


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
            label = f"{code[i]} x{'?' if np.isnan(units[i]) else _num(units[i])}"
            if mods[i]:
                label += f" ({mods[i].replace(';', ' ')})"
            self.codes.setdefault(enc, []).append(label)
            if facts.is_scig_drug[i] and code[i] in products:
                self.product.setdefault(enc, f"{products[code[i]].name} ({code[i]})")
            if facts.is_sc_admin[i] and "KX" in mods[i].split(";"):
                self.kx_admin.setdefault(enc, []).append(code[i])


def _denial_codes(adjustments: str, carcs: str, rarcs: str) -> str:
    groups = [a.split(":")[0] for a in adjustments.split(";") if a]
    shown = groups or [c for c in carcs.split(";") if c]
    shown += [r for r in rarcs.split(";") if r]
    return "/".join(dict.fromkeys(shown)) or "no code given"


# A line whose fixes are combined on one correction explains every cause, not just the main.
COMBINED = ("clerical", "lines", "new_service")


def describe(
    out: pd.DataFrame, facts: Facts, *, reversal: np.ndarray, mode: str, payer_names: dict[str, str]
) -> tuple[np.ndarray, dict[int, dict[str, str]]]:
    """Each line's evidence, and, by line position, every cause's own words (pattern ->
    text) where a correcting line has more than one cause."""
    n = len(out)
    evidence = np.full(n, "", dtype=object)
    causes: dict[int, dict[str, str]] = {}  # only lines with more than one cause
    status = out["status"].to_numpy(dtype=object)
    rows = np.flatnonzero(((status != "paid") & (status != "clean")) | reversal)
    if len(rows) == 0:
        return evidence, causes
    enc = _Encounters(out, facts, rows)
    col = {name: out[name].to_numpy(dtype=object) for name in (
        "procedure_code", "pattern", "payer", "place_of_service", "adjustments", "carcs",
        "rarcs", "claim_id", "infusion_start", "infusion_stop", "justification",
        "chart_reference", "action", "payer_type", "claim_type", "payer_name", "patterns",
        "service_setting", "rule_id", "status",
    )}
    units = out["units"].to_numpy(dtype=np.float64)
    sites = out["sites"].to_numpy(dtype=np.float64)
    dos_text = np.full(n, "", dtype=object)  # MM/DD/YYYY of the described lines
    shown = pd.Series(out["service_date"].to_numpy()[rows]).dt.strftime("%m/%d/%Y")
    dos_text[rows] = shown.fillna("").to_numpy(dtype=object)
    col["payer"] = col["payer"].copy()  # display names, on the described lines only
    col["payer"][rows] = [payer_names.get(k, k) for k in col["payer"][rows]]
    for i in rows:
        e = int(facts.encounter[i])
        code = col["procedure_code"][i] or "claim"
        codes = _denial_codes(col["adjustments"][i], col["carcs"][i], col["rarcs"][i])
        tail = f" Denial: {codes}." if mode == "denials" else ""
        product = enc.product.get(e, "an SCIG product")
        billed = ", ".join(enc.codes.get(e, []))
        dos = dos_text[i]
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
                int(i), code, facts, units, col
            ) + "." + tail + f" Billed on the encounter: {billed}."
        elif pattern in REGISTRY:
            line = Line(i=int(i), code=code, product=product, billed=billed, dos=dos, tail=tail,
                        payer=col["payer"][i], col=Row(col, int(i), sites=sites[i]),
                        facts=facts, kx_admin=enc.kx_admin.get(e, []))
            text = REGISTRY[pattern].evidence(line)
            every = _every_cause(line, pattern, text)
            if every:
                causes[int(i)] = every
        else:
            text = f"Matched rule {col['rule_id'][i]}." + tail
        evidence[i] = text
    return evidence, causes


def _every_cause(line: Line, main: str, text: str) -> dict[str, str]:
    listed = [p for p in line.col["patterns"].split(";") if p in REGISTRY]
    if len(listed) < 2 or line.col["action"] not in COMBINED:
        return {}
    return {p: text if p == main else REGISTRY[p].evidence(line) for p in listed}


def _hint(i: int, code: str, facts: Facts, units: np.ndarray, col: dict) -> str:
    cond = facts.conditions
    if code in ("96370", "96371") and np.isnan(units[i]):
        return (f": the export gives no units for {code} (x?), so the units rules cannot be "
                "checked; map the units column with --columns units=HEADER")
    if code == "96371" and np.isnan(facts.cap[i]) and not col["payer_name"][i]:
        return (": the export names no payer, so the payer's 96371 cap cannot be checked; "
                "map the payer column with --columns payer_name=HEADER")
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

"""The reference classifier: a straightforward per-claim Python loop over the same rules.

``appeals.classify.classifier.classify`` evaluates every condition as numpy arrays over factorised
columns. This module states the same rules the plain way — claim by claim, encounter by
encounter, line by line — reading the same data (``denial_map.csv`` through
``load_denial_map``, the payer table through ``load_payer_rules``, the CARC/RARC and SCIG
product tables through the library's loaders). It exists for two reasons: the benchmark's
"at least 20x faster than a per-claim loop" is measured against it, and
``tests/test_reference_classifier.py`` asserts both give identical classifications, so the
vectorised engine is checked against a reading of the rules that a reviewer can follow.

Only the classification columns are produced: status, pattern, patterns (every rule that
holds, in priority order), action, template, rule_id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from appeals.classify.classifier import DENIED_CLAIM, REVERSAL, routine_carcs
from appeals.classify.conditions import (
    ADDONS,
    CONDITIONS,
    IV_ADMIN,
    SC_ADMIN,
)
from appeals.classify.units import (
    DAY,
    FIRST_HOUR,
    HOUR,
    PARTIAL_HOUR_MIN,
    TimeParseError,
    parse_time,
)
from appeals.classify.vocabulary import CLINIC_POS, FACILITY_POS, HOME_POS
from appeals.rules.denial_map import Rule, load_denial_map
from appeals.rules.payers import PayerRules, load_payer_rules
from appeals.rules.reference import scig_products

OUTPUT = ("status", "pattern", "patterns", "action", "template", "rule_id")
assert ADDONS == {"96370", "96371"}  # the add-on rule below names them


def _codes(cell: str) -> list[str]:
    return [c for c in cell.split(";") if c]


def _number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _clock(text: str):
    try:
        return parse_time(text)
    except TimeParseError:
        return None


def _office_words(setting: str) -> bool:
    word = "".join(ch for ch in setting.lower() if ch.isalnum()).removeprefix("pos")
    return word.lstrip("0") == "11" or word in {
        "office", "inoffice", "physicianoffice", "physiciansoffice", "thephysiciansoffice",
        "doctoroffice", "doctorsoffice"}


def _total(units: list) -> float | None:
    if any(_number(u) is None for u in units):
        return None
    return float(sum(units))


def _hours_units(minutes: int) -> int:
    """96370 units: each further hour past the first; a partial hour from 31 minutes."""
    extra = max(minutes - FIRST_HOUR, 0)
    return extra // HOUR + (1 if extra % HOUR >= PARTIAL_HOUR_MIN else 0)


class _Encounter:
    """Facts about one claim's lines on one date of service."""

    def __init__(self, rows: Sequence[int], col: dict[str, list], products) -> None:
        always, route_dependent, always_names = products
        code = col["procedure_code"]
        self.sc_admin = any(code[i] in SC_ADMIN for i in rows)
        self.iv_admin = any(code[i] in IV_ADMIN for i in rows)
        sc_route = any(col["admin_route"][i] == "SC" for i in rows)
        # Gamunex-C (route-dependent) is SCIG only given SC: by route or beside SC codes.
        self.route_dep_is_sc = sc_route or self.sc_admin
        self.scig_product_sc = any(
            code[i] in always
            or (col["product"][i] and any(n in col["product"][i].lower() for n in always_names))
            or (code[i] in route_dependent and self.route_dep_is_sc)
            for i in rows
        )
        # a line without units makes its code's total unknown (None), never a guessed 1
        self.units_96370 = _total([col["units"][i] for i in rows if code[i] == "96370"])
        self.units_96371 = _total([col["units"][i] for i in rows if code[i] == "96371"])
        has_kx = [i for i in rows if "KX" in _codes(col["modifiers"][i])]
        self.kx_on_admin = any(code[i] in SC_ADMIN for i in has_kx)
        self.kx_on_jcode = any(
            code[i] in always or (code[i] in route_dependent and self.route_dep_is_sc)
            for i in has_kx
        )
        self.justified = any(col["justification"][i] or col["chart_reference"][i] for i in rows)
        timed = [i for i in rows if col["infusion_start"][i] and col["infusion_stop"][i]]
        self.times_documented = bool(timed)
        settings = [col["service_setting"][i] for i in rows if col["service_setting"][i]]
        self.setting_stated = bool(settings)
        self.office_setting = any(_office_words(s) for s in settings)
        self.supported_96370: float | None = None
        self.supported_96371: float | None = None
        if timed:
            self._supported(timed, col)

    def _supported(self, timed: list[int], col: dict[str, list]) -> None:
        """Sites run at once on one pump: time from the earliest start to the latest stop;
        the site count is the largest recorded. The first site belongs to 96369."""
        # Times reach the classifier as "HH:MM" (24-hour), so text order is time order.
        start = min(col["infusion_start"][i] for i in timed)
        stop = max(col["infusion_stop"][i] for i in timed)
        begin, end = _clock(start), _clock(stop)
        if begin is not None and end is not None:
            if begin.day is not None and end.day is not None:
                minutes = (end.day - begin.day) * DAY + end.minute - begin.minute
            else:
                minutes = end.minute - begin.minute
                if minutes < 0:  # a clock stop before the start: the infusion ran past midnight
                    minutes += DAY
            if minutes > 0:
                self.supported_96370 = float(_hours_units(minutes))
        sites = [col["sites"][i] for i in timed if _number(col["sites"][i]) is not None]
        if sites:
            count = max(sites)
            if count >= 1 and count == int(count):
                self.supported_96371 = count - 1


def classify_reference(
    lines: pd.DataFrame,
    *,
    rules: list[Rule] | None = None,
    payer_rules: PayerRules | None = None,
    mode: str = "denials",
) -> pd.DataFrame:
    """Status, pattern, action, template and rule_id for every line of ``lines`` (same index)."""
    rules = load_denial_map() if rules is None else rules
    payer_rules = load_payer_rules() if payer_rules is None else payer_rules
    table = scig_products()
    always = frozenset(c for c, p in table.items() if p.always_subcutaneous)
    route_dependent = frozenset(c for c, p in table.items() if not p.always_subcutaneous)
    always_names = tuple(p.name.lower() for p in table.values() if p.always_subcutaneous)
    products = (always, route_dependent, always_names)
    routine = routine_carcs()
    # A rule's scrub column says which path uses it (yes: both, no: remittances, only: scrub).
    active = [r for r in rules if (getattr(r, "denials", True) if mode == "denials" else r.scrub)]

    col = {name: lines[name].tolist() for name in (
        "claim_id", "claim_key", "service_date", "procedure_code", "modifiers", "units",
        "paid_amount", "carcs", "rarcs", "claim_status", "payer", "payer_name",
        "place_of_service", "admin_route",
        "product", "justification", "chart_reference", "infusion_start", "infusion_stop",
        "sites", "revenue_code", "adjustments", "service_setting",
    )}
    n = len(lines)
    out = {name: [""] * n for name in OUTPUT}

    claims: dict[str, list[int]] = {}
    for i, claim_id in enumerate(col["claim_id"]):
        # a claim is id + payer + member where the loader found one id shared (claim_key)
        claims.setdefault(col["claim_key"][i] or claim_id, []).append(i)

    for rows in claims.values():
        primary_on_claim = any(col["procedure_code"][i] == "96369" for i in rows)
        institutional = any(col["revenue_code"][i] for i in rows)
        encounters: dict[object, list[int]] = {}
        for i in rows:
            dos = col["service_date"][i]
            encounters.setdefault(None if pd.isna(dos) else dos, []).append(i)
        for enc_rows in encounters.values():
            enc = _Encounter(enc_rows, col, products)
            for i in enc_rows:
                _classify_line(i, enc, (primary_on_claim, institutional), col, out, active,
                               payer_rules, routine, products, mode)
    return pd.DataFrame(out, index=lines.index, dtype=object)


def _patient_group(adjustments: str, routine) -> bool:
    groups = {a.split("-")[0] for a in _codes(adjustments)
              if a.split("-", 1)[-1].split(":")[0] not in routine}
    return groups == {"PR"}


def _classify_line(i, enc, claim_facts, col, out, active, payer_rules, routine,
                   products, mode) -> None:
    always, route_dependent, _ = products
    primary_on_claim, institutional = claim_facts
    code = col["procedure_code"][i]
    carcs, rarcs = _codes(col["carcs"][i]), _codes(col["rarcs"][i])
    payer = col["payer"][i] or payer_rules.resolve(col["payer_name"][i])
    payer_rule = payer_rules.get(payer)

    is_sc_admin, is_iv_admin = code in SC_ADMIN, code in IV_ADMIN
    is_scig_drug = code in always or (code in route_dependent and enc.route_dep_is_sc)
    scig_related = is_sc_admin or is_scig_drug or (
        is_iv_admin and (enc.scig_product_sc or enc.sc_admin))

    if mode == "denials":
        paid = _number(col["paid_amount"][i])
        unpaid = paid is None or paid <= 0
        denied = (
            any(c not in routine for c in carcs)
            or (not carcs and bool(rarcs) and unpaid)
            or (col["claim_status"][i] == DENIED_CLAIM and unpaid)
        )
        reversal = col["claim_status"][i] == REVERSAL
        candidate = denied and not reversal and scig_related
    else:
        denied = reversal = False
        candidate = scig_related

    matched = None
    every = []
    if candidate:
        # no payer named: its cap is unknown, not the default payer's
        cap = None if payer == "other" and not col["payer_name"][i] else payer_rule.cap_96371
        has_kx = "KX" in _codes(col["modifiers"][i])
        s70, s71 = enc.supported_96370, enc.supported_96371
        unsupported = (
            (code == "96370" and s70 is not None and enc.units_96370 is not None
             and enc.units_96370 != s70)
            or (code == "96371" and s71 is not None and enc.units_96371 is not None
                and enc.units_96371 != s71)
            # on the 96369 line: the chart supports an add-on the claim never billed
            or (code == "96369" and (
                (s70 is not None and s70 > 0 and enc.units_96370 == 0)
                or (s71 is not None and s71 > 0 and enc.units_96371 == 0)))
        )
        conditions = {
            "scig_product_sc": enc.scig_product_sc,
            "sc_admin_on_encounter": enc.sc_admin,
            "iv_admin_on_encounter": enc.iv_admin,
            "primary_on_claim": primary_on_claim,
            "over_cap": cap is not None and enc.units_96371 is not None and enc.units_96371 > cap,
            "payer_requires_kx": payer_rule.kx_required,
            "line_has_kx": has_kx,
            "kx_on_admin_line": enc.kx_on_admin,
            "kx_on_jcode_line": enc.kx_on_jcode,
            "pos_home": col["place_of_service"][i] == HOME_POS,
            "pos_clinic": col["place_of_service"][i] in CLINIC_POS,
            "pos_facility": col["place_of_service"][i] in FACILITY_POS,
            "institutional_claim": institutional,
            "group_pr": _patient_group(col["adjustments"][i], routine),
            "original_medicare": payer_rule.original_medicare,
            "line_has_jz_jw": bool({"JZ", "JW"} & set(_codes(col["modifiers"][i]))),
            "has_justification": enc.justified,
            "times_documented": enc.times_documented,
            "chart_shows_office": enc.office_setting or (
                not enc.setting_stated and enc.times_documented),
            "units_unsupported": unsupported,
        }
        assert conditions.keys() == CONDITIONS.keys(), "a condition the reference lacks"
        for rule in active:
            if rule.procedure_codes and code not in rule.procedure_codes:
                continue
            if mode == "denials" and (rule.carcs or rule.rarcs):
                if not (any(c in rule.carcs for c in carcs) or any(r in rule.rarcs for r in rarcs)):
                    continue
            if all(conditions[name] == want for name, want in rule.conditions):
                every.append(rule)
        matched = every[0] if every else None

    if mode == "denials":
        if matched is not None:
            status = "denied"
        elif candidate:
            status = "needs_review"
        elif denied:  # not SCIG work, or a reversal with denial codes: never appealed
            status = "out_of_scope"
        else:
            status = "paid"
    else:
        status = "flagged" if matched is not None else "clean"
    action = matched.action if matched is not None else ""
    if action == "clerical" and any(r.action == "lines" for r in every):
        action = "lines"  # a reopening cannot add or delete lines
    if status == "needs_review":
        action = "review"
    out["status"][i] = status
    out["patterns"][i] = ";".join(dict.fromkeys(r.pattern for r in every))
    out["action"][i] = action
    if matched is not None:
        out["pattern"][i] = matched.pattern
        out["template"][i] = matched.template
        out["rule_id"][i] = matched.rule_id

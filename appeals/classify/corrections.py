"""The proposed corrected claim: every line of a claim that needs one, as it should be resent.

Fixes act on the encounter, not only on the denied line: moving KX touches the paid
administration lines too, and a wrong-route fix recodes 96366 even when only 96365 was
denied. Every pattern that applies to a line contributes its fix, so one correction carries
them all. Unchanged lines of the claim carry their original values so the worksheet can show
the whole replacement claim. A service the claim never billed is never added to the
correction: an add-on the chart supports goes to ``add_lines`` as a separate new-claim
line, to bill only if the chart documents it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.classify.conditions import Facts, encounter_any, factorize
from appeals.classify.records import NO_LINES, AddedLine
from appeals.schema import claim_keys, split_list, text_series

CORRECTING = ("clerical", "lines", "new_service")
ADD_PRIMARY = AddedLine("96369", 1.0, reason="add 96369, the primary code the add-on needs")


def _modifier_op(values: np.ndarray, mask: np.ndarray, *, add: str = "", drop: str = "") -> None:
    for i in np.flatnonzero(mask):
        mods = [m for m in values[i].split(";") if m and m != drop]
        if add and add not in mods:
            mods.append(add)
        values[i] = ";".join(mods)


def apply_corrections(out: pd.DataFrame, facts: Facts) -> None:
    """Fill the correction columns of ``out`` in place."""
    n = len(out)
    action = out["action"].to_numpy(dtype=object)
    code = out["procedure_code"].to_numpy(dtype=object)
    units = out["units"].to_numpy(dtype=np.float64)
    corrective = np.isin(action, CORRECTING) & (out["pattern"].to_numpy(dtype=object) != "")
    lists = [set(split_list(v)) for v in out["patterns"].to_numpy(dtype=object)]

    def enc_has(p: str) -> np.ndarray:
        has = np.fromiter((p in names for names in lists), dtype=bool, count=n)
        return encounter_any(facts.encounter, facts.n_encounters, corrective & has)

    new_code = code.copy()
    new_units = units.copy()
    new_mods = out["modifiers"].to_numpy(dtype=object).copy()
    remove = np.zeros(n, dtype=bool)
    add: list[list[AddedLine]] = [[] for _ in range(n)]
    why = np.full(n, "", dtype=object)

    def note(mask: np.ndarray, text: str) -> None:
        for i in np.flatnonzero(mask):
            why[i] = f"{why[i]}; {text}" if why[i] else text

    supported = facts.supported
    s70 = supported["u96370"].to_numpy(dtype=np.float64) if supported is not None else np.full(n, np.nan)
    s71 = supported["u96371"].to_numpy(dtype=np.float64) if supported is not None else np.full(n, np.nan)
    # fmin so a missing cap leaves the chart's number; no chart means no number at all.
    capped71 = np.where(np.isnan(s71), np.nan, np.fmin(s71, facts.cap))

    wrong = enc_has("wrong_route")
    m = wrong & (code == "96365")
    new_code[m], new_units[m] = "96369", 1.0
    note(m, "96365 -> 96369: subcutaneous SCIG by pump")
    m = wrong & (code == "96366")
    new_code[m] = "96370"
    timed = m & ~np.isnan(s70)
    new_units[timed] = s70[timed]
    note(m, "96366 -> 96370: additional hour of SC infusion")
    # What the chart supports but the IV coding had no line for: further hours when no
    # 96366 was billed, and further sites (IV codes have no way to bill them at all).
    initial = wrong & (code == "96365")
    no_96366 = ~facts.enc_any(facts.columns.member_of("procedure_code", frozenset({"96366"})))
    hours = initial & no_96366 & (np.nan_to_num(s70) > 0) & (facts.enc_96370_units == 0)
    for i in np.flatnonzero(hours):
        add[i].append(_unbilled("96370", s70[i], "a further hour the chart's times support"))
    sites = initial & (np.nan_to_num(capped71) > 0) & (facts.enc_96371_units == 0)
    for i in np.flatnonzero(sites):
        add[i].append(_unbilled("96371", capped71[i], "a further simultaneous site the chart "
                                "documents"))

    over = np.fromiter(("units_over_cap" in p for p in lists), bool, n) & corrective
    if over.any():
        excess = np.maximum(facts.enc_96371_units - np.nan_to_num(facts.cap), 0)
        m = over & (code == "96371")
        new_units[m] = np.maximum(units[m] - excess[m], 0)
        note(m, "96371 units reduced to the payer's cap")

    addon = corrective & np.fromiter(("addon_without_primary" in p for p in lists), bool, n)
    first = addon & ~pd.Series(facts.encounter).where(addon).duplicated().to_numpy()
    for i in np.flatnonzero(first):
        add[i].append(ADD_PRIMARY)
    note(first, ADD_PRIMARY.reason)

    m = enc_has("missing_kx") & facts.is_scig_drug
    _modifier_op(new_mods, m, add="KX")
    note(m, "append KX to the SCIG drug line")

    kx = enc_has("kx_on_admin_line")
    m = kx & facts.is_sc_admin & facts.conditions["line_has_kx"]
    _modifier_op(new_mods, m, drop="KX")
    note(m, "remove KX from the administration line")
    m = kx & facts.is_scig_drug
    _modifier_op(new_mods, m, add="KX")
    note(m, "move KX to the SCIG drug line")

    jz = np.fromiter(("missing_jz_jw" in p for p in lists), bool, n) & corrective
    _modifier_op(new_mods, jz, add="JZ")
    note(jz, "append JZ: no drug discarded (check the chart; if some was, bill the discarded "
         "amount on its own line with JW instead)")

    both = enc_has("iv_and_sc_same_encounter") & facts.is_iv_admin
    remove |= both
    note(both, "drop the IV administration line: the infusion was subcutaneous")

    if supported is not None:
        timed = enc_has("time_units_mismatch")
        unbilled = timed & facts.columns.member_of("procedure_code", frozenset({"96369"}))
        for i in np.flatnonzero(unbilled):
            if np.nan_to_num(s70[i]) > 0 and facts.enc_96370_units[i] == 0:
                add[i].append(_unbilled("96370", s70[i], "further hours the chart's times support"))
            if np.nan_to_num(capped71[i]) > 0 and facts.enc_96371_units[i] == 0:
                add[i].append(_unbilled("96371", capped71[i], "further simultaneous sites the "
                                        "chart documents"))
        for target, column in (("96370", "u96370"), ("96371", "u96371")):
            is_code = timed & facts.columns.member_of("procedure_code", frozenset({target}))
            want = facts.supported[column].to_numpy(dtype=np.float64)
            # Several lines of one code on an encounter: the first carries the units.
            first_line = is_code & ~pd.Series(facts.encounter).where(is_code).duplicated().to_numpy()
            ok = first_line & ~np.isnan(want)
            new_units[ok] = want[ok]
            rest = is_code & ~first_line
            new_units[rest] = 0
            zero = is_code & (new_units == 0)
            remove |= zero
            note(ok & ~zero, f"{target} units set to what the chart's times and sites support")
            note(zero, f"drop {target}: the chart's times and sites do not support it")

    has_add = np.fromiter((bool(a) for a in add), dtype=bool, count=n)
    claim_needs = encounter_any(*_claim_groups(out), corrective)
    changed = claim_needs & (
        (new_code != code) | (new_mods != out["modifiers"].to_numpy(dtype=object))
        | ~np.isclose(np.nan_to_num(new_units, nan=-1), np.nan_to_num(units, nan=-1))
        | remove | np.fromiter((any(not a.new_claim for a in x) for x in add), bool, n)
    )
    out["corrected_procedure_code"] = text_series(np.where(claim_needs, new_code, ""), out.index)
    out["corrected_modifiers"] = text_series(np.where(claim_needs, new_mods, ""), out.index)
    out["corrected_units"] = np.where(claim_needs, new_units, np.nan)
    out["remove_line"] = text_series(np.where(claim_needs & remove, "yes", ""), out.index)
    added = np.empty(n, dtype=object)
    added[:] = [tuple(a) if has_add[i] else NO_LINES for i, a in enumerate(add)]
    out["add_lines"] = pd.Series(added, index=out.index, dtype=object)
    out["correction"] = text_series(np.where(changed, why, ""), out.index)


def _unbilled(code: str, units: float, what: str) -> AddedLine:
    return AddedLine(code, float(units), new_claim=True,
                     reason=f"{code} for {what}: never billed; a new claim, only if the chart "
                     "documents it")


def _claim_groups(out: pd.DataFrame) -> tuple[np.ndarray, int]:
    codes, uniques = factorize(claim_keys(out))
    return codes.astype(np.int64), len(uniques)

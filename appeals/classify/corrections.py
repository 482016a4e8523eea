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

from collections import defaultdict

import numpy as np
import pandas as pd

from appeals.classify.conditions import Facts, encounter_any, factorize
from appeals.classify.patterns import REGISTRY, Fix
from appeals.classify.records import NO_LINES
from appeals.schema import claim_keys, split_list, text_series

CORRECTING = ("clerical", "lines", "new_service")
_NONE: set[str] = set()  # never changed: Fix.has reads it only


def apply_corrections(
    out: pd.DataFrame, facts: Facts, causes: dict[int, dict[str, str]] | None = None
) -> None:
    """Fill the correction columns of ``out`` in place; ``causes`` (per line, pattern ->
    evidence, from ``evidence.describe``) becomes the ``causes`` column with each change."""
    n = len(out)
    action = out["action"].to_numpy(dtype=object)
    code = out["procedure_code"].to_numpy(dtype=object)
    units = out["units"].to_numpy(dtype=np.float64)
    corrective = np.isin(action, CORRECTING) & (out["pattern"].to_numpy(dtype=object) != "")
    fx = _run_fixes(out, facts, code, units, corrective)
    new_code, new_units, new_mods = fx.new_code, fx.new_units, fx.new_mods
    remove, add, why = fx.remove, fx.add, fx.why

    on_claim = np.zeros(n, dtype=bool)  # a line added to the corrected claim itself
    for j, lines_added in add.items():
        on_claim[j] = any(not a.new_claim for a in lines_added)
    claim_needs = encounter_any(*_claim_groups(out), corrective)
    pos = out["place_of_service"].to_numpy(dtype=object)
    moved = claim_needs & (fx.new_pos != pos)
    changed = claim_needs & (
        moved | (new_code != code) | (new_mods != out["modifiers"].to_numpy(dtype=object))
        | ~np.isclose(np.nan_to_num(new_units, nan=-1), np.nan_to_num(units, nan=-1))
        | remove | on_claim
    )
    out["corrected_procedure_code"] = text_series(np.where(claim_needs, new_code, ""), out.index)
    out["corrected_modifiers"] = text_series(np.where(claim_needs, new_mods, ""), out.index)
    out["corrected_units"] = np.where(claim_needs, new_units, np.nan)
    out["corrected_place_of_service"] = text_series(np.where(moved, fx.new_pos, ""), out.index)
    out["remove_line"] = text_series(np.where(claim_needs & remove, "yes", ""), out.index)
    added = np.empty(n, dtype=object)
    for j in range(n):
        added[j] = NO_LINES
    for j, lines_added in add.items():
        if lines_added:
            added[j] = tuple(lines_added)
    out["add_lines"] = pd.Series(added, index=out.index, dtype=object)
    out["correction"] = text_series(np.where(changed, why, ""), out.index)
    main = out["pattern"].to_numpy(dtype=object)
    told = np.full(n, "", dtype=object)
    for i, evidence in (causes or {}).items():
        told[i] = cause_text(evidence, fx.by_pattern.get(i, {}) if changed[i] else {}, main[i])
    out["causes"] = text_series(told, out.index)


def cause_text(evidence: dict[str, str], changes: dict[str, str], main: str) -> str:
    """One text line per cause, "pattern<TAB>evidence<TAB>change". A change made by a pattern
    the line does not list (an encounter-wide fix) is told under the main pattern."""
    if not evidence:
        return ""
    told = {p: changes.get(p, "") for p in evidence}
    stray = [text for p, text in changes.items() if p not in evidence]
    if stray and main in told:
        told[main] = "; ".join([t for t in (told[main], *stray) if t])
    return "\n".join(f"{p}\t{evidence[p]}\t{told[p]}" for p in evidence)



def _run_fixes(out: pd.DataFrame, facts: Facts, code: np.ndarray, units: np.ndarray,
               corrective: np.ndarray) -> Fix:
    """Every pattern's fix applied to a copy of the billed lines."""
    n = len(out)
    # Patterns only matter on correcting lines (``Fix.has``): the rest share one empty set.
    lists: list[set[str]] = [_NONE] * n
    patterns = out["patterns"].to_numpy(dtype=object)
    for i in np.flatnonzero(corrective):
        lists[i] = set(split_list(patterns[i]))

    supported = facts.supported
    nan = np.full(n, np.nan)
    s70 = supported["u96370"].to_numpy(dtype=np.float64) if supported is not None else nan
    s71 = supported["u96371"].to_numpy(dtype=np.float64) if supported is not None else nan
    fx = Fix(
        facts=facts, code=code, units=units, new_code=code.copy(), new_units=units.copy(),
        new_mods=out["modifiers"].to_numpy(dtype=object).copy(),
        new_pos=out["place_of_service"].to_numpy(dtype=object).copy(),
        remove=np.zeros(n, dtype=bool), add=defaultdict(list),
        why=np.full(n, "", dtype=object), lists=lists, corrective=corrective,
        s70=s70, s71=s71,
        # fmin so a missing cap leaves the chart's number; no chart means no number at all.
        capped71=np.where(np.isnan(s71), np.nan, np.fmin(s71, facts.cap)),
    )
    for unit in REGISTRY.values():
        if unit.correct is not None:
            fx.current = unit.id
            unit.correct(fx)
    return fx

def _claim_groups(out: pd.DataFrame) -> tuple[np.ndarray, int]:
    codes, uniques = factorize(claim_keys(out))
    return codes.astype(np.int64), len(uniques)

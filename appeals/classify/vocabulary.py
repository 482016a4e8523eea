"""The condition vocabulary denial_map.csv may name: one small function per condition,
registered by name with the words ``appeals patterns --rules`` shows.

Each function reads a ``Scope`` (per-line arrays ``compute_facts`` builds once: factorised
columns, encounter and claim groups, the chart's supported units) and returns one boolean
per line. Adding a condition is adding a function here; an unknown name in the denial map is
an error at load time, because the map is validated against this registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from appeals.rules.payers import PayerRules
from appeals.rules.reference import CLINIC_POS, HOME_POS, routine_carcs
from appeals.schema import split_list

FACILITY_POS = frozenset({"19", "21", "22", "24"})  # CPT: the facility bills infusion codes


@dataclass
class Scope:
    """What the conditions read; built once per classification."""

    cols: Any  # conditions.Columns
    payer_rules: PayerRules
    enc_any: Callable[[np.ndarray], np.ndarray]  # any line of the encounter
    claim_any: Callable[[np.ndarray], np.ndarray]  # any line of the claim
    is_sc_admin: np.ndarray
    is_scig_drug: np.ndarray
    scig_product_sc: np.ndarray
    enc_sc_admin: np.ndarray
    enc_iv_admin: np.ndarray
    enc_96371_units: np.ndarray
    cap: np.ndarray
    unsupported: np.ndarray
    default_institutional: bool = False  # practice.toml claim_type, for claims data leaves open

    def filled(self, name: str) -> np.ndarray:
        return self.cols.test(name, bool)

    def has_modifier(self, *mods: str) -> np.ndarray:
        return self.cols.list_has_any("modifiers", frozenset(mods))

    def pos_in(self, codes: frozenset[str]) -> np.ndarray:
        return self.cols.member_of("place_of_service", codes)


Condition = Callable[[Scope], np.ndarray]
REGISTRY: dict[str, tuple[str, Condition]] = {}


def condition(name: str, words: str) -> Callable[[Condition], Condition]:
    def register(fn: Condition) -> Condition:
        REGISTRY[name] = (words, fn)
        return fn
    return register


@condition("scig_product_sc", "the encounter has an SCIG product given subcutaneously (an "
           "SCIG J-code or product; J1561/J1569 only with SC route or SC administration codes)")
def _scig_product_sc(s: Scope) -> np.ndarray:
    return s.scig_product_sc


@condition("sc_admin_on_encounter", "96369, 96370 or 96371 is on the encounter")
def _sc_admin(s: Scope) -> np.ndarray:
    return s.enc_sc_admin


@condition("iv_admin_on_encounter", "96365 or 96366 is on the encounter")
def _iv_admin(s: Scope) -> np.ndarray:
    return s.enc_iv_admin


@condition("primary_on_claim", "96369 is on the same claim")
def _primary(s: Scope) -> np.ndarray:
    return s.claim_any(s.cols.member_of("procedure_code", frozenset({"96369"})))


@condition("over_cap", "the encounter's 96371 units exceed the payer's per-encounter cap")
def _over_cap(s: Scope) -> np.ndarray:
    return ~np.isnan(s.cap) & (s.enc_96371_units > np.nan_to_num(s.cap, nan=np.inf))


@condition("payer_requires_kx", "the payer's rules require KX on the SCIG J-code line")
def _kx_payer(s: Scope) -> np.ndarray:
    return s.cols.test("payer", lambda key: s.payer_rules.get(key).kx_required)


@condition("line_has_kx", "this line carries modifier KX")
def _line_kx(s: Scope) -> np.ndarray:
    return s.has_modifier("KX")


@condition("kx_on_admin_line", "an administration line (96369-96371) on the encounter carries KX")
def _kx_admin(s: Scope) -> np.ndarray:
    return s.enc_any(s.is_sc_admin & s.has_modifier("KX"))


@condition("kx_on_jcode_line", "an SCIG J-code line on the encounter carries KX")
def _kx_jcode(s: Scope) -> np.ndarray:
    return s.enc_any(s.is_scig_drug & s.has_modifier("KX"))


@condition("pos_home", "place of service is 12 (home)")
def _pos_home(s: Scope) -> np.ndarray:
    return s.pos_in(frozenset({HOME_POS}))


@condition("pos_clinic", "place of service is 11, 19, 22 or 24 (clinic settings)")
def _pos_clinic(s: Scope) -> np.ndarray:
    return s.pos_in(CLINIC_POS)


@condition("pos_facility", "place of service is 19, 21, 22 or 24 (a facility setting, where "
           "the facility bills the infusion codes)")
def _pos_facility(s: Scope) -> np.ndarray:
    return s.pos_in(FACILITY_POS)


@condition("chart_shows_office", "the chart places the infusion in the office: a service "
           "setting column says office (or POS 11), or, with no setting given, the office's own "
           "infusion record (start and stop times, from the infusion log or the export) is on "
           "the encounter")
def _chart_office(s: Scope) -> np.ndarray:
    # A stated setting decides; without one, the office's nurse charting each site's start
    # and stop means the office gave the infusion, so a facility POS is a keying error.
    stated = s.enc_any(s.filled("service_setting"))
    office = s.enc_any(s.cols.test("service_setting", _says_office))
    timed = s.enc_any(s.filled("infusion_start") & s.filled("infusion_stop"))
    return office | (~stated & timed)


@condition("institutional_claim", "the claim is institutional: its claim form (type of bill, "
           "claim form or the 835's claim fields) says so, or, when no form is given, a "
           "revenue code is on any of its lines, or, when the data says nothing, the office's "
           "claim_type in practice.toml")
def _institutional(s: Scope) -> np.ndarray:
    # Decided per claim so every line of a claim takes the same route.
    stated = s.claim_any(s.cols.member_of("claim_form", frozenset({"institutional"})))
    professional = s.claim_any(s.cols.member_of("claim_form", frozenset({"professional"})))
    revenue = s.claim_any(s.filled("revenue_code"))
    # The data wins; the office's configured claim type only fills a claim it leaves open.
    silent = ~stated & ~professional & ~revenue
    return stated | (~professional & revenue) | (silent & s.default_institutional)


@condition("group_pr", "the line's denial adjustments all carry group code PR (patient "
           "responsibility)")
def _group_pr(s: Scope) -> np.ndarray:
    return s.cols.test("adjustments", _patient_groups)


@condition("original_medicare", "the payer is Original Medicare (an A/B or DME MAC)")
def _original_medicare(s: Scope) -> np.ndarray:
    return s.cols.test("payer", lambda key: s.payer_rules.get(key).original_medicare)


@condition("line_has_jz_jw", "this line carries modifier JZ (no drug discarded) or JW (drug "
           "discarded)")
def _jz_jw(s: Scope) -> np.ndarray:
    return s.has_modifier("JZ", "JW")


@condition("has_justification", "a clinical justification or chart reference is recorded")
def _justified(s: Scope) -> np.ndarray:
    return s.enc_any(s.filled("justification") | s.filled("chart_reference"))


@condition("times_documented", "infusion start and stop times are recorded for the encounter")
def _times(s: Scope) -> np.ndarray:
    return s.enc_any(s.filled("infusion_start") & s.filled("infusion_stop"))


@condition("units_unsupported", "the encounter's 96370 or 96371 units differ from what the "
           "documented times and sites support (on a 96369 line: an add-on the chart supports "
           "was not billed at all)")
def _unsupported(s: Scope) -> np.ndarray:
    return s.unsupported


_OFFICE = re.compile(r"(?:pos\s*)?0?11|(?:(?:the\s+)?physician'?s?\s+|doctor'?s?\s+|in[\s-]?)?"
                     r"office")


def _says_office(setting: str) -> bool:
    """Only the office itself, never a word that a hospital clinic shares ("clinic")."""
    return bool(_OFFICE.fullmatch(" ".join(setting.lower().replace(".", " ").split())))


def _patient_groups(adjustments: str) -> bool:
    """True when every denial adjustment (not a routine one) of the line is group PR."""
    routine = routine_carcs()
    groups = set()
    for entry in split_list(adjustments):
        group, _, rest = entry.partition("-")
        carc = rest.split(":")[0]
        if carc and carc not in routine:
            groups.add(group)
    return groups == {"PR"}


CONDITIONS: dict[str, str] = {name: words for name, (words, _) in REGISTRY.items()}


def evaluate(scope: Scope) -> dict[str, np.ndarray]:
    """Every registered condition, one boolean array each."""
    return {name: fn(scope) for name, (_, fn) in REGISTRY.items()}

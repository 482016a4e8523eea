"""The fixed vocabulary of claim conditions the denial map may name, computed vectorised.

Most SCIG denials are about what else is, or is not, on the same claim or encounter
(claim id + date of service), so every condition is one boolean per line derived from
per-encounter aggregates. Aggregates use factorised keys and ``np.bincount`` so a million
lines cost a few array passes, not a Python loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from appeals.classify.units import supported_units
from appeals.classify.vocabulary import CONDITIONS as VOCABULARY
from appeals.classify.vocabulary import Scope, evaluate
from appeals.rules.payers import PayerRules
from appeals.rules.reference import scig_products
from appeals.schema import claim_keys, split_list

SC_ADMIN = frozenset({"96369", "96370", "96371"})
IV_ADMIN = frozenset({"96365", "96366"})
ADDONS = frozenset({"96370", "96371"})
# The vocabulary lives in vocabulary.py (one function per condition); re-exported here.
CONDITIONS = VOCABULARY


def factorize(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values, kept as numpy objects (pandas would infer an Arrow string
    index for the uniques, which costs more than the factorising itself)."""
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    codes, uniques = pd.factorize(array, use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


class Columns:
    """Each column of a frame factorised once; tests run on distinct values only."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        # Kept per column: classify is 1.95x faster than factorising at each test
        # (bench/tricks.py factorized_columns, 300k lines, 5.3 s vs 10.0 s).
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def factorized(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in self._cache:
            self._cache[name] = factorize(self.frame[name])
        return self._cache[name]

    def test(self, name: str, test) -> np.ndarray:
        """Apply ``test`` to each distinct value of column ``name`` and broadcast back."""
        codes, uniques = self.factorized(name)
        if len(uniques) == 0:
            return np.zeros(len(self.frame), dtype=bool)
        return np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))[codes]

    def member_of(self, name: str, allowed: frozenset[str]) -> np.ndarray:
        return self.test(name, lambda u: u in allowed)

    def list_has_any(self, name: str, wanted: frozenset[str]) -> np.ndarray:
        """For a ``;``-joined list column: does the list hold any of ``wanted``?"""
        return self.test(name, lambda u: not wanted.isdisjoint(split_list(u)))

    def values(self, name: str, value_of) -> np.ndarray:
        """A float per line from ``value_of(distinct value)`` (None becomes NaN)."""
        codes, uniques = self.factorized(name)
        table = np.array(
            [np.nan if (v := value_of(u)) is None else float(v) for u in uniques] or [np.nan]
        )
        return table[codes] if len(uniques) else np.full(len(self.frame), np.nan)


@dataclass
class Facts:
    """Per-line arrays the classifier and the corrections read."""

    n: int
    encounter: np.ndarray  # encounter index per line
    n_encounters: int
    code: np.ndarray  # procedure codes (object)
    is_sc_admin: np.ndarray
    is_iv_admin: np.ndarray
    is_scig_drug: np.ndarray  # SCIG J-code line, given SC (J1561 only by route/SC codes)
    scig_related: np.ndarray  # the line belongs to the SCIG administration
    cap: np.ndarray  # payer's 96371 cap per line (NaN when none)
    enc_96370_units: np.ndarray
    enc_96371_units: np.ndarray
    supported: pd.DataFrame | None  # per line: minutes, u96369, u96370, u96371 (NaN unknown)
    conditions: dict[str, np.ndarray]
    columns: Columns

    def enc_any(self, mask: np.ndarray) -> np.ndarray:
        return encounter_any(self.encounter, self.n_encounters, mask)


def encounter_any(group: np.ndarray, n_groups: int, mask: np.ndarray) -> np.ndarray:
    hits = np.bincount(group, weights=mask.astype(np.float64), minlength=n_groups) > 0
    return hits[group]


def encounter_sum(group: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    return np.bincount(group, weights=np.nan_to_num(values), minlength=n_groups)[group]


def group_index(*keys: pd.Series) -> tuple[np.ndarray, int]:
    """One integer per distinct combination of ``keys`` (NaT/blank are values too)."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(
            key.to_numpy(dtype=object) if key.dtype == object else key, use_na_sentinel=False
        )
        combined = combined * (len(uniques) + 1) + codes
    codes, uniques = pd.factorize(combined)
    return codes.astype(np.int64), len(uniques)


def compute_facts(lines: pd.DataFrame, payer_rules: PayerRules, *,
                  claim_type: str = "") -> Facts:
    """Evaluate every condition in ``CONDITIONS`` for every line."""
    n = len(lines)
    key = claim_keys(lines)  # a claim is its id + payer + member, not the id alone
    encounter, n_enc = group_index(key, lines["service_date"])
    claim, n_claims = group_index(key)

    def enc_any(mask: np.ndarray) -> np.ndarray:
        return encounter_any(encounter, n_enc, mask)

    cols = Columns(lines)
    scig = _scig_masks(cols, enc_any)
    is70 = cols.member_of("procedure_code", frozenset({"96370"}))
    is71 = cols.member_of("procedure_code", frozenset({"96371"}))
    units = lines["units"].to_numpy(dtype=np.float64)
    enc_96370 = _encounter_units(units, is70, encounter, n_enc, enc_any)
    enc_96371 = _encounter_units(units, is71, encounter, n_enc, enc_any)
    cap = _caps(lines, cols, payer_rules)
    times = cols.test("infusion_start", bool) & cols.test("infusion_stop", bool)
    supported = _supported_units(lines, encounter, n_enc) if times.any() else None
    unsupported = _unsupported(cols, supported, is70, is71, enc_96370, enc_96371, n)
    conditions = evaluate(Scope(
        cols=cols, payer_rules=payer_rules, enc_any=enc_any,
        claim_any=lambda mask: encounter_any(claim, n_claims, mask),
        is_sc_admin=scig.is_sc_admin, is_scig_drug=scig.is_scig_drug,
        scig_product_sc=scig.scig_product_sc, enc_sc_admin=scig.enc_sc_admin,
        enc_iv_admin=scig.enc_iv_admin, enc_96371_units=enc_96371, cap=cap,
        unsupported=unsupported, default_institutional=claim_type == "institutional",
    ))
    # IV lines count as SCIG work only beside an SC product or SC administration codes.
    scig_related = scig.is_sc_admin | scig.is_scig_drug | (
        scig.is_iv_admin & (scig.scig_product_sc | scig.enc_sc_admin))
    return Facts(
        n=n,
        encounter=encounter,
        n_encounters=n_enc,
        code=lines["procedure_code"].to_numpy(dtype=object),
        is_sc_admin=scig.is_sc_admin,
        is_iv_admin=scig.is_iv_admin,
        is_scig_drug=scig.is_scig_drug,
        scig_related=scig_related,
        cap=cap,
        enc_96370_units=enc_96370,
        enc_96371_units=enc_96371,
        supported=supported,
        conditions=conditions,
        columns=cols,
    )


@dataclass
class _Scig:
    """Which lines are SC/IV administration or an SCIG drug, per line and per encounter."""

    is_sc_admin: np.ndarray
    is_iv_admin: np.ndarray
    is_scig_drug: np.ndarray
    scig_product_sc: np.ndarray  # the encounter has an SCIG product given subcutaneously
    enc_sc_admin: np.ndarray
    enc_iv_admin: np.ndarray


def _scig_masks(cols: Columns, enc_any: Callable[[np.ndarray], np.ndarray]) -> _Scig:
    products = scig_products()
    always_sc = frozenset(c for c, p in products.items() if p.always_subcutaneous)
    route_dependent = frozenset(c for c, p in products.items() if not p.always_subcutaneous)
    always_names = tuple(p.name.lower() for p in products.values() if p.always_subcutaneous)
    is_sc_admin = cols.member_of("procedure_code", SC_ADMIN)
    is_iv_admin = cols.member_of("procedure_code", IV_ADMIN)
    is_always = cols.member_of("procedure_code", always_sc)
    is_route_dep = cols.member_of("procedure_code", route_dependent)
    route_sc = cols.member_of("admin_route", frozenset({"SC"}))
    named_product = cols.test(
        "product", lambda u: any(name in u.lower() for name in always_names) if u else False
    )
    enc_sc_admin = enc_any(is_sc_admin)
    route_dep_sc = is_route_dep & (enc_any(route_sc) | enc_sc_admin)
    is_scig_drug = is_always | route_dep_sc
    return _Scig(
        is_sc_admin=is_sc_admin, is_iv_admin=is_iv_admin, is_scig_drug=is_scig_drug,
        scig_product_sc=enc_any(is_always | named_product | route_dep_sc),
        enc_sc_admin=enc_sc_admin, enc_iv_admin=enc_any(is_iv_admin),
    )


def _encounter_units(units: np.ndarray, is_code: np.ndarray, encounter: np.ndarray, n_enc: int,
                     enc_any: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Units of one code per encounter, on each line.

    A line without units leaves its encounter's total unknown (NaN), never a guessed 1: the
    units rules then cannot match, and the line goes to review saying why."""
    total = encounter_sum(encounter, n_enc, np.where(is_code, np.nan_to_num(units), 0))
    return np.where(enc_any(is_code & np.isnan(units)), np.nan, total)


def _caps(lines: pd.DataFrame, cols: Columns, payer_rules: PayerRules) -> np.ndarray:
    """Each line's payer cap on 96371 units per encounter (NaN: unknown)."""
    caps = {key: rule.cap_96371 for key, rule in payer_rules.rules.items()}
    cap = cols.values("payer", lambda key: caps.get(key, payer_rules.get(key).cap_96371))
    # No payer named: its cap is unknown, not the default payer's (never an invented value)
    no_payer = (lines["payer_name"].to_numpy(dtype=object) == "") & (
        lines["payer"].to_numpy(dtype=object) == "other")
    if no_payer.any():
        cap = np.where(no_payer, np.nan, cap)
    return cap


def _unsupported(cols: Columns, supported: pd.DataFrame | None, is70: np.ndarray,
                 is71: np.ndarray, enc_96370: np.ndarray, enc_96371: np.ndarray,
                 n: int) -> np.ndarray:
    """Lines whose 96370/96371 units differ from what the chart's times and sites support."""
    if supported is None:
        return np.zeros(n, dtype=bool)
    s70 = supported["u96370"].to_numpy()
    s71 = supported["u96371"].to_numpy()
    unsupported = (is70 & ~np.isnan(s70) & ~np.isnan(enc_96370)
                   & (enc_96370 != np.nan_to_num(s70, nan=-1))) | (
        is71 & ~np.isnan(s71) & ~np.isnan(enc_96371) & (enc_96371 != np.nan_to_num(s71, nan=-1))
    )
    # Money left behind: the chart supports an add-on the claim never billed. There is no
    # add-on line to flag, so the 96369 line carries it.
    is69 = cols.member_of("procedure_code", frozenset({"96369"}))
    unbilled = (np.nan_to_num(s70) > 0) & (enc_96370 == 0) | (np.nan_to_num(s71) > 0) & (
        enc_96371 == 0
    )
    return unsupported | (is69 & unbilled)


def _supported_units(lines: pd.DataFrame, encounter: np.ndarray, n_enc: int) -> pd.DataFrame:
    """Units the encounter's documented times and sites support, broadcast to its lines.

    Sites run at once on one pump, so the encounter's time runs from its earliest start to
    its latest stop; the site count is the largest recorded on any of its lines.
    """
    frame = pd.DataFrame(
        {
            "enc": encounter,
            "start": lines["infusion_start"].to_numpy(dtype=object),
            "stop": lines["infusion_stop"].to_numpy(dtype=object),
            "sites": lines["sites"].to_numpy(dtype=np.float64),
        }
    )
    timed = frame[(frame["start"] != "") & (frame["stop"] != "")]
    per_enc = timed.groupby("enc").agg(start=("start", "min"), stop=("stop", "max"), sites=("sites", "max"))
    result = supported_units(per_enc["start"], per_enc["stop"], per_enc["sites"])
    result.index = per_enc.index
    return result.reindex(encounter).reset_index(drop=True)

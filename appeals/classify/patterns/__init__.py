"""One module per denial pattern: its evidence (why, in words a biller checks) and its fix on
the one correction, found through ``REGISTRY`` keyed by the pattern id.

The registry's order is the order fixes are applied: a later fix sees the earlier ones (the
KX fixes act on modifiers the wrong-route fix left alone; JZ is appended after KX).
"""

from __future__ import annotations

from appeals.classify.patterns import (
    addon_without_primary,
    group_codes,
    iv_and_sc_same_encounter,
    kx_on_admin_line,
    missing_jz_jw,
    missing_kx,
    site_of_care,
    time_units_mismatch,
    units_over_cap,
    wrong_route,
)
from appeals.classify.patterns._base import Fix, Line, PatternUnit

REGISTRY: dict[str, PatternUnit] = {
    unit.id: unit
    for unit in (
        wrong_route.UNIT, units_over_cap.UNIT, addon_without_primary.UNIT, missing_kx.UNIT,
        kx_on_admin_line.UNIT, missing_jz_jw.UNIT, iv_and_sc_same_encounter.UNIT,
        time_units_mismatch.UNIT, site_of_care.UNIT, *group_codes.UNITS,
    )
}

__all__ = ["REGISTRY", "Fix", "Line", "PatternUnit"]

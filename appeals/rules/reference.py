"""The packaged reference tables, each read once: CARC, RARC, SCIG products, places of service.

Every module that needs a code list asks here; nothing else opens ``appeals/data/carc.csv``,
``rarc.csv`` or ``scig_products.csv``. Each table is read on first use and kept for the
process (they are small, and the same in every run).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from appeals.resources import read_data_csv

# Place-of-service codes the SCIG rules and letters name (reference codes.md).
POS_NAMES: dict[str, str] = {
    "11": "office",
    "12": "home",
    "19": "off-campus outpatient hospital",
    "22": "on-campus outpatient hospital",
    "24": "ambulatory surgical center",
}
HOME_POS = "12"
CLINIC_POS = frozenset(code for code in POS_NAMES if code != HOME_POS)


@dataclass(frozen=True)
class ScigProduct:
    hcpcs: str
    name: str
    always_subcutaneous: bool  # False: SCIG only when given by the SC route (J1561)


@cache
def scig_products() -> dict[str, ScigProduct]:
    """SCIG J-code → product, in the order of ``scig_products.csv``."""
    table = read_data_csv("scig_products.csv")
    return {
        row["hcpcs"]: ScigProduct(row["hcpcs"], row["product"], row["subcutaneous"] == "always")
        for row in table.to_dict("records")
    }


def scig_jcodes() -> frozenset[str]:
    return frozenset(scig_products())


@cache
def _carc_table() -> pd.DataFrame:
    return read_data_csv("carc.csv")  # once, for every question asked of it


@cache
def _rarc_table() -> pd.DataFrame:
    return read_data_csv("rarc.csv")


@cache
def carc_codes() -> frozenset[str]:
    return frozenset(_carc_table()["code"])


@cache
def routine_carcs() -> frozenset[str]:
    """CARCs that adjust a paid line without denying it (contractual, cost sharing)."""
    table = _carc_table()
    return frozenset(table.loc[table["routine"] == "yes", "code"])


@cache
def rarc_codes() -> frozenset[str]:
    return frozenset(_rarc_table()["code"])


@cache
def unprocessable_rarcs() -> frozenset[str]:
    """Remarks that leave no appeal rights: the fix goes out as a new claim."""
    table = _rarc_table()
    return frozenset(table.loc[table["routing"].isin(["no_appeal", "new_claim"]), "code"])


@cache
def no_appeal_rarcs() -> frozenset[str]:
    """Remarks that take appeal rights away: the fix is a new or corrected claim."""
    table = _rarc_table()
    return frozenset(table.loc[table["routing"] == "no_appeal", "code"])

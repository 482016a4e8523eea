"""addon_without_primary: 96370/96371 with no 96369 on the claim (seed 000)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from appeals.classify.patterns._base import Fix, Line, PatternUnit
from appeals.classify.records import AddedLine

ADD_PRIMARY = AddedLine("96369", 1.0, reason="add 96369, the primary code the add-on needs")


def evidence(ln: Line) -> str:
    return (f"{ln.code} is an add-on code and needs 96369 on the same claim; claim "
            f"{ln.claim_id} has no 96369.{ln.tail} Billed: {ln.billed}.")


def correct(fx: Fix) -> None:
    addon = fx.has("addon_without_primary")
    first = addon & ~pd.Series(fx.facts.encounter).where(addon).duplicated().to_numpy()
    for i in np.flatnonzero(first):
        fx.add[i].append(ADD_PRIMARY)
    fx.note(first, ADD_PRIMARY.reason)


UNIT = PatternUnit("addon_without_primary", evidence, correct)

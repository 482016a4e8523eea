"""Issue #10: the CARC, RARC and SCIG product tables are read in one place."""

from __future__ import annotations

import re
from pathlib import Path

from appeals.classify import evidence
from appeals.classify.conditions import scig_products as products_in_conditions
from appeals.classify.vocabulary import CLINIC_POS, HOME_POS
from appeals.resources import read_data_csv
from appeals.rules import reference

PACKAGE = Path(reference.__file__).resolve().parents[1]
TABLES = re.compile(r"""["'](carc|rarc|scig_products)\.csv["']""")


def test_only_the_reference_module_names_the_tables() -> None:
    naming = sorted(
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if TABLES.search(path.read_text(encoding="utf-8"))
    )
    assert naming == ["rules/reference.py"]


def test_the_classifier_sees_the_reference_tables() -> None:
    assert products_in_conditions is reference.scig_products
    assert evidence.scig_products is reference.scig_products
    assert (CLINIC_POS, HOME_POS) == (reference.CLINIC_POS, reference.HOME_POS)
    assert CLINIC_POS == frozenset({"11", "19", "22", "24"})


def test_unprocessable_remarks_are_the_no_appeal_and_new_claim_rows() -> None:
    table = read_data_csv("rarc.csv")
    wanted = set(table.loc[table["routing"].isin(["no_appeal", "new_claim"]), "code"])
    assert wanted and reference.unprocessable_rarcs() == wanted
    assert reference.no_appeal_rarcs() <= reference.unprocessable_rarcs()

"""The one grammar for raw cell text → canonical values, gathered in one place.

Every parser takes a ``pd.Series`` of raw text ("" for a blank cell, never NaN) and returns
Series aligned with it. Parsers that can fail also return a boolean ``bad`` Series: True
where a non-blank cell could not be read (the loader turns those rows into rejected rows or
warnings). Work that needs Python runs once per distinct value (``_cells._per_unique``).

The rules live by kind: ``amounts.py`` (money, counts), ``dates.py`` (dates, times of day),
``codes.py`` (procedure, revenue, place of service, modifiers, adjustment codes),
``words.py`` (claim status, route, claim form). Readers import them from here.
"""

from __future__ import annotations

from appeals.readers._cells import as_text
from appeals.readers.amounts import parse_count, parse_money
from appeals.readers.codes import (
    join_lists,
    parse_codes,
    parse_group,
    parse_modifiers,
    parse_pos,
    parse_procedure,
    parse_revenue,
    split_codes,
)
from appeals.readers.dates import Moment, parse_dates, parse_times, read_time
from appeals.readers.words import parse_claim_form, parse_claim_status, parse_route

__all__ = [
    "Moment", "as_text", "join_lists", "parse_claim_form", "parse_claim_status", "parse_codes",
    "parse_count", "parse_dates", "parse_group", "parse_modifiers", "parse_money",
    "parse_pos", "parse_procedure", "parse_revenue", "parse_route", "parse_times",
    "read_time", "split_codes",
]

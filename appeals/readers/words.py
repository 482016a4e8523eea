"""Words typed into cells: claim status, route of administration, claim form."""

from __future__ import annotations

import re

import pandas as pd

from appeals.readers._cells import _per_unique, _strip_float, _words, as_text

_STATUS_WORDS = {
    "denied": "4", "denial": "4", "deny": "4",
    "paid": "1", "processed": "1", "processed as primary": "1", "primary": "1",
    "approved": "1", "partially paid": "1", "partial": "1", "partial payment": "1",
    "processed as secondary": "2", "secondary": "2",
    "processed as tertiary": "3", "tertiary": "3",
    "processed as primary forwarded": "19", "forwarded": "19",
    "reversal": "22", "reversed": "22", "reversal of previous payment": "22",
    "not our claim": "23", "predetermination": "25",
}
_ROUTE_WORDS = {
    "sc": "SC", "sq": "SC", "subq": "SC", "sub q": "SC", "subcut": "SC", "subcutaneous": "SC",
    "subcutaneously": "SC", "scig": "SC", "sub cutaneous": "SC",
    "iv": "IV", "intravenous": "IV", "intravenously": "IV", "ivig": "IV",
}


def _one_status(text: str) -> tuple[str, bool]:
    if re.fullmatch(r"\d{1,2}(?:\.0+)?", text):
        return _strip_float(text).lstrip("0") or "0", False
    code = _STATUS_WORDS.get(_words(text), "")
    return code, bool(text) and not code


def parse_claim_status(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """835 CLP02 codes kept (``4.0`` → ``4``); words mapped ("Denied" → ``4``); (codes, bad)."""
    codes, bad = _per_unique(as_text(values), _one_status, "sb")
    return codes, bad


def parse_route(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """"subcutaneous", "SubQ", "SQ", "SC" → ``SC``; "intravenous", "IV" → ``IV``; (route, bad)."""

    def one(text: str) -> tuple[str, bool]:
        route = _ROUTE_WORDS.get(_words(text), "")
        return route, bool(text) and not route

    route, bad = _per_unique(as_text(values), one, "sb")
    return route, bad


_FORM_WORDS = {
    "ub 04": "institutional", "ub04": "institutional", "ub 92": "institutional",
    "837i": "institutional", "837 i": "institutional", "cms 1450": "institutional",
    "institutional": "institutional", "facility": "institutional", "inst": "institutional",
    "cms 1500": "professional", "cms1500": "professional", "hcfa 1500": "professional",
    "hcfa": "professional", "837p": "professional", "837 p": "professional",
    "professional": "professional", "prof": "professional", "1500": "professional",
}


def parse_claim_form(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A type of bill (``0131``, ``131``, ``13``) or a form name ("UB-04", "837I",
    "CMS-1500", "837P", "professional") → ``institutional`` / ``professional``; (form, bad).
    Only institutional claims carry a type of bill, so any 3-4 digit code means UB-04."""

    def one(text: str) -> tuple[str, bool]:
        words = _words(text)
        form = _FORM_WORDS.get(words, "")
        if not form and re.fullmatch(r"0?[1-9]\d{1,2}", _strip_float(text)):
            form = "institutional"
        return form, bool(text) and not form

    form, bad = _per_unique(as_text(values), one, "sb")
    return form, bad

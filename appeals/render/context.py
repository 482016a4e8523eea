"""Per-claim template context built from a classified frame.

The frame is reduced once to plain Python lists of the columns the templates use (values
preformatted), grouped by claim; building one claim's context is then a few dict
operations. A forked worker reads the same lists without copying or pickling them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from appeals.classify.records import AddedLine
from appeals.classify.units import units_for_times
from appeals.rules import reference
from appeals.rules.reference import POS_NAMES
from appeals.schema import claim_keys, split_list

# A letter exists only where the route is a written request; corrected and new claims get a
# worksheet, a Medicare reopening a one-page script (reference resolution.md).
LETTER_ROUTES = ("redetermination", "reconsideration")
SHEET_ROUTES = ("corrected_claim", "new_claim", "reopening")
CORRECTING = ("clerical", "lines", "new_service")
_TEXT = (
    "claim_id", "payer_claim_number", "patient_name", "member_id", "payer_name", "payer",
    "place_of_service", "procedure_code", "revenue_code", "ndc", "status", "pattern",
    "action", "template", "evidence", "correction", "corrected_procedure_code",
    "corrected_modifiers", "corrected_place_of_service", "remove_line", "add_lines", "deadline_basis", "infusion_start",
    "infusion_stop", "admin_route", "product", "justification", "chart_reference", "modifiers",
    "carcs", "rarcs", "adjustments", "patterns", "route", "payer_type", "claim_type",
    "denial_state", "past_due", "causes",
)
_MONEY = ("billed_amount", "allowed_amount", "paid_amount")
_DATES = ("patient_dob", "service_date", "service_date_to", "deadline", "remit_date")


def _number(value: float) -> str:
    if value != value:  # NaN
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _format_dates(series: pd.Series) -> list[str]:
    return series.dt.strftime("%m/%d/%Y").fillna("").astype(object).tolist()


def _money(series: pd.Series) -> list[str]:
    return ["" if v != v else f"${v:,.2f}" for v in series.tolist()]


def _display_mods(value: str) -> str:
    return ", ".join(split_list(value))


def scig_products() -> dict[str, str]:
    """J-code -> product name."""
    return {code: product.name for code, product in reference.scig_products().items()}


def letter_mask(frame: pd.DataFrame) -> pd.Series:
    """Lines that earn their claim a letter: denied, on a written-request route."""
    return (frame["status"] == "denied") & frame["route"].isin(LETTER_ROUTES)


def worksheet_mask(frame: pd.DataFrame) -> pd.Series:
    """Lines that earn their claim a worksheet or reopening script: a corrected, new or
    reopened claim, a scrubbed claim to correct, or an unbilled service to bill apart."""
    mask = (frame["status"] == "denied") & frame["route"].isin(SHEET_ROUTES)
    mask |= (frame["status"] == "flagged") & frame["action"].isin(CORRECTING)
    mask |= frame["add_lines"].map(lambda added: any(a.new_claim for a in added)).astype(bool)
    return mask


@dataclass
class ClaimTable:
    """Columns as lists plus, per claim, its row positions and which documents it gets.

    ``rows`` holds each row's line values in ``line_keys`` order, display forms already
    made, so a line dict is one ``zip`` away (see ``_line``).
    """

    cols: dict[str, list[Any]]
    claims: list[tuple[str, np.ndarray, bool, bool, str]]  # id, rows, letter, worksheet, key
    line_keys: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] | None = None
    modifier_lists: list[list[str]] | None = None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ClaimTable:
        # one document per claim: id + payer + member (two patients may share a claim id)
        claim_key = claim_keys(frame)
        letter_ids = set(claim_key[letter_mask(frame)])
        sheet_ids = set(claim_key[worksheet_mask(frame)])
        chosen = claim_key.isin(letter_ids | sheet_ids)
        sub, sub_keys = frame[chosen], claim_key[chosen]
        cols: dict[str, list[Any]] = {name: sub[name].tolist() for name in _TEXT}
        for name in _MONEY:
            cols[name] = _money(sub[name])
        for name in _DATES:
            cols[name] = _format_dates(sub[name])
        cols["units"] = [_number(v) for v in sub["units"].tolist()]
        cols["corrected_units"] = [_number(v) for v in sub["corrected_units"].tolist()]
        cols["sites"] = [_number(v) for v in sub["sites"].tolist()]
        codes, uniques = pd.factorize(sub_keys, sort=False)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        ids = cols["claim_id"]
        claims = [
            (str(ids[order[bounds[k]]]), order[bounds[k]:bounds[k + 1]], key in letter_ids,
             key in sheet_ids, str(key))
            for k, key in enumerate(uniques)
        ]
        shown = {name: [_display_mods(v) for v in cols[name]]
                 for name in ("modifiers", "carcs", "rarcs", "adjustments")}
        keys = tuple(cols)
        rows = list(zip(*(shown.get(name, cols[name]) for name in keys), strict=True))
        modifier_lists = [split_list(v) for v in cols["modifiers"]]
        return cls(cols, claims, keys, rows, modifier_lists)


def _first(values: list[str]) -> str:
    return next((v for v in values if v), "")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _line(table: ClaimTable, i: int, number: int) -> dict[str, Any]:
    line = dict(zip(table.line_keys, table.rows[i], strict=True))  # type: ignore[index]
    line["number"] = number
    # A fresh list per line: a template may change it, and the next letter must not see that.
    line["modifier_list"] = list(table.modifier_lists[i])  # type: ignore[index]
    line["place_of_service_name"] = POS_NAMES.get(line["place_of_service"], "")
    line["letter_line"] = line["status"] == "denied" and line["route"] in LETTER_ROUTES
    return line


def _institutional(lines: list[dict[str, Any]]) -> bool:
    """The classifier's claim type when it set one (a stated claim form wins over revenue
    codes), else any revenue code, for frames built without classification."""
    stated = {ln["claim_type"] for ln in lines} - {""}
    if stated:
        return "institutional" in stated
    return any(ln["revenue_code"] for ln in lines)


def claim_context(
    table: ClaimTable, rows: np.ndarray, products: dict[str, str]
) -> dict[str, Any]:
    """The ``claim`` and ``sections`` a letter or worksheet template sees."""
    lines = [_line(table, i, n) for n, i in enumerate(rows.tolist(), start=1)]
    dates = []
    for line in lines:
        start, end = line["service_date"], line["service_date_to"]
        dates.append(f"{start} to {end}" if end and start and end != start else start)
    drug = [ln for ln in lines if ln["procedure_code"] in products]
    jcodes = _unique([ln["procedure_code"] for ln in drug])
    product = _first([ln["product"] for ln in lines]) or ", ".join(
        _unique([products[c] for c in jcodes])
    )
    pos = _unique([ln["place_of_service"] for ln in lines])
    start = _first([ln["infusion_start"] for ln in lines])
    stop = _first([ln["infusion_stop"] for ln in lines])
    minutes = units_for_times(start, stop).minutes if start and stop else None
    rarcs = {r for ln in lines for r in ln["rarcs"].split(", ") if r}
    deadlines = sorted(
        {(ln["deadline"][6:] + ln["deadline"], ln["deadline"],
          ln["deadline_basis"]) for ln in lines if ln["deadline"]}
    )
    claim = {
        "id": lines[0]["claim_id"],
        "payer_claim_number": _first([ln["payer_claim_number"] for ln in lines]),
        "patient_name": _first([ln["patient_name"] for ln in lines]),
        "member_id": _first([ln["member_id"] for ln in lines]),
        "patient_dob": _first([ln["patient_dob"] for ln in lines]),
        "payer_name": _first([ln["payer_name"] for ln in lines]),
        "payer_key": _first([ln["payer"] for ln in lines]),
        "dates_of_service": ", ".join(_unique(dates)),
        "place_of_service": ", ".join(pos),
        "place_of_service_name": ", ".join(_unique([POS_NAMES.get(p, "") for p in pos])),
        "lines": lines,
        "denied_lines": [ln for ln in lines if ln["status"] == "denied"],
        "institutional": _institutional(lines),
        "routes": _unique([ln["route"] for ln in lines if ln["status"] == "denied"]),
        # The initial determination's date: the remittance's notice date.
        "notice_date": _first([ln["remit_date"] for ln in lines if ln["status"] == "denied"]),
        "past_due": any(ln["past_due"] for ln in lines if ln["status"] == "denied"),
        "jcode": ", ".join(jcodes),
        "product": product,
        "infusion_start": start,
        "infusion_stop": stop,
        "infusion_minutes": "" if minutes is None else minutes,
        "sites": _first([ln["sites"] for ln in lines]),
        "route": _first([ln["admin_route"] for ln in lines]),
        "justification": _first([ln["justification"] for ln in lines]),
        "chart_reference": _first([ln["chart_reference"] for ln in lines]),
        "new_claim_instead": bool(rarcs & {"MA130", "N142"}),
        # Scrubbed charges: the claim has not been sent, so there is nothing to replace.
        "before_submission": any(ln["status"] == "flagged" for ln in lines),
        "deadline": deadlines[0][1] if deadlines else "",
        "deadline_basis": deadlines[0][2] if deadlines else "",
    }
    claim["sheet_kind"] = _sheet_kind(claim)
    return claim


def _sheet_kind(claim: dict[str, Any]) -> str:
    """Which worksheet the claim gets: the route decides what the biller sends."""
    if claim["before_submission"]:
        return "pre_submission"
    for kind in ("corrected_claim", "reopening", "new_claim"):
        if kind in claim["routes"]:
            return kind
    return "new_claim_only"


def _causes(line: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(pattern, evidence, change) for every cause of the line told apart, main first; a
    line with one cause (or whose causes were not told apart) has only its main pattern."""
    told = [tuple(row.split("\t")) for row in line["causes"].split("\n") if row]
    if told and all(len(row) == 3 for row in told):
        return told
    return [(line["pattern"], line["evidence"], line["correction"])]


def sections_for(
    claim: dict[str, Any], titles: dict[str, str], *, letter: bool
) -> list[dict[str, Any]]:
    """One section per pattern on the claim, in order of first appearance: every cause of
    a line (main first) gets its own section, each with only its own evidence and change.

    For a letter only lines that earn a letter count; for a worksheet every denied line
    with a pattern does (its attachments are listed). ``main`` says whether the section is
    some line's main pattern (the one the payer's denial was matched to).
    """
    sections: dict[str, dict[str, Any]] = {}
    for line in claim["lines"]:
        if not line["pattern"] or (letter and not line["letter_line"]):
            continue
        if not letter and line["status"] not in ("denied", "flagged"):
            continue
        for key, evidence, change in _causes(line):
            section = sections.get(key)
            if section is None:
                section = sections[key] = {
                    "pattern": key,
                    "template": (line["template"] if key == line["pattern"] else "") or key,
                    "title": titles.get(key, key.replace("_", " ")),
                    "actions": [], "lines": [], "evidence": [], "corrections": [],
                    "main": False,
                }
            section["main"] = section["main"] or key == line["pattern"]
            section["lines"].append(line)
            for field, value in (("actions", line["action"]), ("evidence", evidence),
                                 ("corrections", change)):
                if value and value not in section[field]:
                    section[field].append(value)
    out = list(sections.values())
    for section in out:
        # Templates ask one thing of a section: does it change the claim, or argue for it?
        section["action"] = (
            "corrected_claim" if any(a in CORRECTING for a in section["actions"]) else "appeal"
        )
        section["codes"] = ", ".join(_unique([ln["procedure_code"] for ln in section["lines"]]))
    return out


def _change(old: str, new: str) -> dict[str, Any]:
    return {"old": old, "new": new, "changed": old != new}


def corrected_lines(claim: dict[str, Any], sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The replacement claim's lines, each field as old/new with its reason."""
    fallback = sections[0]["title"] if sections else ""
    titles = {s["pattern"]: s["title"] for s in sections}
    rows, added, seen = [], [], set()
    for line in claim["lines"]:
        filled = bool(line["corrected_procedure_code"])
        code = line["corrected_procedure_code"] if filled else line["procedure_code"]
        mods = _display_mods(line["corrected_modifiers"]) if filled else line["modifiers"]
        units = line["corrected_units"] or line["units"]
        removed = line["remove_line"] == "yes"
        row = {
            "number": line["number"], "service_date": line["service_date"],
            "code": _change(line["procedure_code"], code),
            "modifiers": _change(line["modifiers"], mods),
            "units": _change(line["units"], units), "revenue_code": line["revenue_code"],
            "place_of_service": _change(line["place_of_service"],
                                        line["corrected_place_of_service"]
                                        or line["place_of_service"]),
            "removed": removed, "added": False,
        }
        row["changed"] = removed or any(row[k]["changed"] for k in FIELDS)
        row["words"] = _change_words(row)
        reason = line["correction"] or titles.get(line["pattern"], "") or fallback
        row["reason"] = reason if row["changed"] else ""
        rows.append(row)
        for entry in line["add_lines"]:
            key = (entry, line["service_date"])
            if entry.new_claim or key in seen:
                continue
            seen.add(key)
            added.append(_added_row(entry, line["service_date"]))
    return rows + added


FIELDS = ("code", "modifiers", "units", "place_of_service")


def _change_words(row: dict[str, Any]) -> str:
    """What changed on a line, in words a reader takes in without colour ("KX added")."""
    if row["removed"]:
        return f"line {row['code']['old']} removed"
    if row["added"]:
        units = f" x{row['units']['new']}" if row["units"]["new"] else ""
        return f"line {row['code']['new']}{units} added"
    words = []
    if row["code"]["changed"]:
        words.append(f"code {row['code']['old']} → {row['code']['new']}")
    old = set(split_list(row["modifiers"]["old"].replace(", ", ";")))
    new = set(split_list(row["modifiers"]["new"].replace(", ", ";")))
    words += [f"{m} added" for m in sorted(new - old)] + [f"{m} removed" for m in sorted(old - new)]
    if row["units"]["changed"]:
        words.append(f"units {row['units']['old']} → {row['units']['new']}")
    if row["place_of_service"]["changed"]:
        pos = row["place_of_service"]
        words.append(f"POS {pos['old']} → {pos['new']}")
    return "; ".join(words) or "no change"


def _added_row(entry: AddedLine, service_date: str) -> dict[str, Any]:
    row = {
        "number": "new", "service_date": service_date,
        "code": _change("", entry.code), "modifiers": _change("", ", ".join(entry.modifiers)),
        "units": _change("", entry.units_text), "revenue_code": "", "removed": False,
        "place_of_service": _change("", ""),
        "added": True, "changed": True, "reason": entry.reason,
    }
    row["words"] = _change_words(row)
    return row


def new_claim_lines(claim: dict[str, Any]) -> list[dict[str, Any]]:
    """Services the chart may support that the claim never billed: a separate new claim."""
    rows, seen = [], set()
    for line in claim["lines"]:
        for entry in line["add_lines"]:
            key = (entry, line["service_date"])
            if entry.new_claim and key not in seen:
                seen.add(key)
                rows.append(_added_row(entry, line["service_date"]))
    return rows

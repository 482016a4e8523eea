"""The canonical line columns an 835 fills: plain lists while reading, one frame at the end.

``LineColumns.add_claim`` turns one claim and its service lines into canonical lines
(claim-level CAS, remarks and dates spread over the lines as ``x12.py`` explains);
``frames`` builds the lines and rejected frames once the file is read.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from appeals.schema import LINE_COLUMNS, LIST_SEP, REJECTED_COLUMNS, conform

_POS = re.compile(r"^\d\d$")
# What an 835 never carries (chart facts, the payer key resolved later, where a sheet would
# be): left to conform() as empty. Everything else is filled per line, in schema order.
_NOT_IN_835 = frozenset({
    "source_file", "source_sheet", "patient_dob", "payer", "infusion_start", "infusion_stop",
    "sites", "admin_route", "product", "justification", "chart_reference", "service_setting",
    "claim_key",
})
_BUILT = tuple(c for c in LINE_COLUMNS if c not in _NOT_IN_835)

_DATES = ("service_date", "service_date_to", "remit_date")
_NUMBERS = ("units", "billed_amount", "allowed_amount", "paid_amount")


class LineColumns:
    """Column lists in schema order; each claim appends its lines to every list."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {c: [] for c in _BUILT}
        self._appends = tuple(self.cols[c].append for c in _BUILT)
        self._strings: dict[str, str] = {}

    def add_claim(self, claim: dict[str, Any], lines: list[dict[str, Any]], payer: str,
                  check: str, remit: str) -> None:
        """The canonical lines of one claim (``remit``: the notice date, CCYYMMDD)."""
        # One flat loop per claim with the appends hoisted (over 60 lines): the 835 hot path.
        institutional = claim["filing"] == "MA" or claim["mia"] or any(ln["rev"] for ln in lines)
        facility = claim["facility"]
        pos = facility if not institutional and _POS.match(facility) else ""
        # No 835 field says "professional" for sure, so only institutional is carried.
        form = "institutional" if institutional else ""
        member = claim["member_il"] or claim["member_qc"]
        (row_, id_, icn_, status_, patient_, member_, payer_, from_, to_, pos_, proc_, mods_,
         rev_, ndc_, units_, billed_, allowed_, paid_, adj_, carcs_, rarcs_, remit_, check_,
         npi_, lcn_, form_) = self._appends
        # One object per distinct value: codes, dates and names repeat on most lines.
        same = self._strings.setdefault
        claim_id, icn, status = claim["id"], claim["icn"], same(claim["status"], claim["status"])
        patient = claim["patient"]
        pos, member, remit = same(pos, pos), same(member, member), same(remit, remit)
        claim_npi, claim_adj = claim["npi"], claim["adj"]
        claim_carcs, claim_rarcs = claim["carcs"], claim["rarcs"]
        for i, ln in enumerate(lines):
            # An invalid line date stays empty rather than borrowing the claim's dates.
            if ln["d472"] is not None:
                start, end = ln["d472"], ""
            elif ln["d150"] is not None or ln["d151"] is not None:
                start, end = ln["d150"] or "", ln["d151"] or ""
            else:
                start, end = claim["from"], claim["to"]
            adj = ln["adj"] + claim_adj if i == 0 else ln["adj"]
            carcs, rarcs = ln["carcs"], ln["rarcs"]
            if claim_carcs:
                carcs = carcs + [x for x in claim_carcs if x not in carcs]
            if claim_rarcs:
                rarcs = rarcs + [x for x in claim_rarcs if x not in rarcs]
            row_(ln["segno"])
            id_(claim_id)
            icn_(icn)
            status_(status)
            patient_(patient)
            member_(member)
            payer_(payer)
            from_(same(start, start))
            to_(same(end, end))
            pos_(pos)
            proc = ln["proc"]
            proc_(same(proc, proc))
            mods = LIST_SEP.join(ln["mods"])
            mods_(same(mods, mods))
            rev = ln["rev"]
            rev_(same(rev, rev))
            ndc_(ln["ndc"])
            units_(ln["units"])
            billed_(ln["billed"])
            allowed_(ln["allowed"])
            paid_(ln["paid"])
            adj_(LIST_SEP.join(adj))
            carcs = LIST_SEP.join(carcs)
            carcs_(same(carcs, carcs))
            rarcs = LIST_SEP.join(rarcs)
            rarcs_(same(rarcs, rarcs))
            remit_(remit)
            check_(check)
            npi = ln["npi"] or claim_npi
            npi_(same(npi, npi))
            lcn_(ln["lcn"])
            form_(form)

    def frames(self, source_file: str, rejects: list[tuple[int, str, str, str]]
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
        cols = self.cols
        self._appends = ()  # they hold the lists too; each goes once it is a Series
        n = len(cols["source_row"])
        index = pd.RangeIndex(n)
        data: dict[str, Any] = {"source_row": pd.Series(cols.pop("source_row"), index=index)}
        for name in _NUMBERS:
            data[name] = pd.Series(cols.pop(name), index=index, dtype="float64")
        for name in _DATES:
            # A remittance repeats few dates: parse each distinct one once.
            codes, uniques = pd.factorize(pd.Series(cols.pop(name), dtype=object))
            parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y%m%d",
                                    errors="coerce")
            data[name] = pd.Series(parsed.to_numpy()[codes], index=index)
        # Text as object columns of the strings already made (and shared): what conform()
        # keeps, where a list would take a round trip through Arrow strings and back.
        for name in list(cols):
            data[name] = pd.Series(cols.pop(name), index=index, dtype=object)
        data["source_file"] = pd.Series([source_file] * n, index=index, dtype=object)
        data["source_sheet"] = pd.Series([""] * n, index=index, dtype=object)
        data["payer"] = pd.Series([""] * n, index=index, dtype=object)
        lines = conform(pd.DataFrame(data, index=index), LINE_COLUMNS)

        rejected = pd.DataFrame(
            {
                "source_file": pd.Series([source_file] * len(rejects), dtype=object),
                "source_sheet": pd.Series([""] * len(rejects), dtype=object),
                "source_row": pd.Series([r[0] for r in rejects], dtype="Int64"),
                "column": pd.Series([r[1] for r in rejects], dtype=object),
                "value": pd.Series([r[2] for r in rejects], dtype=object),
                "reason": pd.Series([r[3] for r in rejects], dtype=object),
                "code": pd.Series(["orphan-service-line"] * len(rejects), dtype=object),
            },
            columns=list(REJECTED_COLUMNS),
        )
        return lines, rejected

"""The claim and service-line segments of an 835 (CLP, SVC, DTM, CAS, NM1, MIA/MOA).

``ClaimSegments`` is the part of the 835 reader (``x12._Reader``) that builds one claim and
its lines from their segments; the envelope and the segment dispatch stay in ``x12.py``,
and a closed claim goes to ``x12_columns.LineColumns``.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appeals.readers.x12_columns import LineColumns

_REMARK = re.compile(r"^[A-Z]{1,2}\d{1,4}$")
_NAN = math.nan


def _el(seg: list[str], i: int) -> str:
    return seg[i].strip() if len(seg) > i else ""


def _padded(seg: list[str], n: int) -> list[str]:
    """Stripped elements, padded with "" so indexes up to ``n - 1`` exist (one call, not n)."""
    out = [x.strip() for x in seg]
    if len(out) < n:
        out.extend([""] * (n - len(out)))
    return out


class ClaimSegments:
    """Claim and line state of the reader; mixed into ``x12._Reader``, which owns the loop."""

    claim: dict[str, Any] | None
    line: dict[str, Any] | None
    lines: list[dict[str, Any]]
    orphan: bool
    in_tx: bool
    claims: int
    service_lines: int
    rejected: list[tuple[int, str, str, str]]
    columns: LineColumns
    payer_name: str
    check_number: str
    prod_date: str
    bpr_date: str

    if TYPE_CHECKING:  # provided by x12._Reader
        def warn(self, text: str) -> None: ...
        def num(self, raw: str, segno: int, what: str) -> float: ...
        def day(self, raw: str, segno: int, what: str, show: bool = False,
                then: str = "left empty") -> str: ...
        def _implicit_transaction(self, segno: int) -> None: ...

    def _new_claim(self, seg: list[str], segno: int) -> dict[str, Any]:
        el = _padded(seg, 9)
        return {
            "segno": segno,
            "id": el[1],
            "status": el[2],
            "billed": self.num(el[3], segno, "CLP03"),
            "paid": self.num(el[4], segno, "CLP04"),
            "filing": el[6],
            "icn": el[7],
            "facility": el[8],
            "patient": "",
            "member_qc": "",
            "member_il": "",
            "npi": "",
            "adj": [],
            "carcs": [],
            "rarcs": [],
            "from": "",
            "to": "",
            "mia": False,
        }

    # -- claim and line segments ------------------------------------------------------
    def _clp(self, seg: list[str], segno: int) -> None:
        if not self.in_tx:
            self._implicit_transaction(segno)
        self._close_claim()
        self.claims += 1
        if not _el(seg, 1):
            self.warn(f"segment {segno}: claim without a claim id (CLP01)")
        self.claim = self._new_claim(seg, segno)

    def _orphan_svc(self, seg: list[str], segno: int) -> None:
        self.line = None
        self.orphan = True
        self.rejected.append(
            (segno, "SVC01", _el(seg, 1),
             "service line (SVC) before any claim (CLP): its claim is unknown")
        )
        self.warn(f"segment {segno}: service line before any claim (CLP); rejected")

    def _svc(self, seg: list[str], segno: int, component: str) -> None:
        if self.claim is None:
            self._orphan_svc(seg, segno)
            return
        self.orphan = False
        self.service_lines += 1
        el = _padded(seg, 8)
        qualifier, code, mods = _svc_procedure(el[1], component)
        if not code:
            self.warn(f"segment {segno}: service line without a procedure code (SVC01)")
        if len(seg) > 8:
            self.warn(
                f"segment {segno}: SVC has {len(seg) - 1} elements (at most 7 expected); "
                "amounts may be misplaced"
            )
        proc, rev, ndc = code, "", ""
        if qualifier == "NU":
            proc, rev = "", code
        elif qualifier == "N4":
            proc, ndc = "", code
        else:
            rev = el[4]
        units_raw = el[7] or el[5]
        units = self.num(units_raw, segno, "SVC units") if units_raw else 1.0
        self.line = {
            "segno": segno,
            "proc": proc,
            "mods": mods,
            "rev": rev,
            "ndc": ndc,
            "billed": self.num(el[2], segno, "SVC02 charge"),
            "paid": self.num(el[3], segno, "SVC03 payment"),
            "units": units,
            "allowed": _NAN,
            "adj": [],
            "carcs": [],
            "rarcs": [],
            "d472": None,  # None: no such DTM; "": present but invalid
            "d150": None,
            "d151": None,
            "npi": "",
            "lcn": "",
        }
        self.lines.append(self.line)

    def _dtm(self, seg: list[str], segno: int) -> None:
        qual = seg[1].strip() if len(seg) > 1 else ""
        raw = seg[2].strip() if len(seg) > 2 else ""
        if not raw and _el(seg, 5) == "RD8":
            raw = _el(seg, 6).split("-")[0]
        line = self.line
        if line is not None:
            if qual == "472":
                line["d472"] = self.day(raw, segno, "DTM*472 service date")
            elif qual == "150":
                line["d150"] = self.day(raw, segno, "DTM*150 service start date")
            elif qual == "151":
                line["d151"] = self.day(raw, segno, "DTM*151 service end date")
        elif self.claim is not None:
            if qual == "232":
                self.claim["from"] = self.day(raw, segno, "DTM*232 claim start date")
            elif qual == "233":
                self.claim["to"] = self.day(raw, segno, "DTM*233 claim end date")
        elif qual == "405":
            self.prod_date = self.day(raw, segno, "DTM*405 production date", show=True)

    def _cas(self, seg: list[str], segno: int) -> None:
        target = self.line if self.line is not None else self.claim
        if target is None:
            if not self.orphan:
                self.warn(f"segment {segno}: adjustment (CAS) outside any claim ignored")
            return
        group = _el(seg, 1)
        if not group:
            self.warn(f"segment {segno}: CAS without a group code (CAS01)")
        adj, carcs = target["adj"], target["carcs"]
        # Six reason/amount/quantity triplets: CAS02-04, 05-07, ... 17-19.
        for i in range(2, min(len(seg), 20), 3):
            carc = seg[i].strip()
            if not carc:
                continue
            raw = seg[i + 1].strip() if len(seg) > i + 1 else ""
            amount = self.num(raw, segno, f"CAS{i + 1:02d} amount")
            if math.isnan(amount):
                if not raw:
                    self.warn(f"segment {segno}: CAS reason {carc} has no amount; 0.00 kept")
                amount = 0.0
            adj.append(f"{group}-{carc}:{amount:.2f}")
            if carc not in carcs:
                carcs.append(carc)

    def _nm1(self, seg: list[str]) -> None:
        claim = self.claim
        if claim is None or self.line is not None:
            return
        el = _padded(seg, 10)
        entity = el[1]
        if entity == "QC":
            last, first = el[3], el[4]
            claim["patient"] = f"{last}, {first}" if last and first else last or first
            claim["member_qc"] = el[9]
        elif entity == "IL":
            claim["member_il"] = el[9]
        elif entity == "82" and el[8] == "XX":
            claim["npi"] = el[9]

    def _remarks(self, seg: list[str], positions: tuple[int, ...]) -> None:
        if self.claim is None:
            return
        rarcs = self.claim["rarcs"]
        for i in positions:
            code = _el(seg, i)
            # MIA/MOA mix amounts and remark codes; keep only what looks like a remark code.
            if code and _REMARK.match(code) and code not in rarcs:
                rarcs.append(code)

    def _close_claim(self) -> None:
        claim = self.claim
        self.line = None
        self.orphan = False
        if claim is None:
            return
        self.claim = None
        lines = self.lines or [_claim_only_line(claim)]
        self.lines = []
        # The notice date is the remittance's production date; BPR16 (payment) only stands in.
        self.columns.add_claim(claim, lines, self.payer_name, self.check_number,
                               self.prod_date or self.bpr_date)


def _svc_procedure(composite: str, component: str) -> tuple[str, str, list[str]]:
    """(qualifier, code, modifiers) of SVC01."""
    sep = component
    if sep not in composite:
        # Some payers declare one component separator in ISA16 and use another here.
        for candidate in (":", ">", "^"):
            if candidate in composite:
                sep = candidate
                break
    parts = composite.split(sep)
    qualifier = parts[0].strip() if len(parts) > 1 else ""
    code = (parts[1] if len(parts) > 1 else parts[0]).strip()
    return qualifier, code, [m.strip() for m in parts[2:6] if m.strip()]


def _claim_only_line(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim paid or denied without service lines becomes one line of its own."""
    return {
        "segno": claim["segno"], "proc": "", "mods": [], "rev": "", "ndc": "",
        "billed": claim["billed"], "paid": claim["paid"], "units": _NAN, "allowed": _NAN,
        "adj": [], "carcs": [], "rarcs": [], "d472": None, "d150": None, "d151": None,
        "npi": "", "lcn": "",
    }

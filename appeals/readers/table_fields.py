"""How each kind of field of an export is read, and which values reject a row.

``FieldSteps`` is the per-field half of the table reader's build (``table_build._Build``):
text fields, codes (procedure, modifiers, revenue, place of service, CARC/RARC with their
group and amount columns), amounts and units, dates, and words (status, route, form, times).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from appeals.readers import _distinct as D
from appeals.readers import values as C
from appeals.readers.raw_table import _STR

if TYPE_CHECKING:
    from appeals.readers.aliases import ColumnMap

TEXT_FIELDS = (
    "claim_id", "payer_claim_number", "patient_name", "member_id", "payer_name", "ndc",
    "check_number", "rendering_npi", "line_control_number", "product", "justification", "chart_reference",
    "service_setting",
)
DATE_FIELDS = {"patient_dob": 0, "service_date": 366, "service_date_to": 366, "remit_date": 366}
MONEY_FIELDS = ("billed_amount", "allowed_amount", "paid_amount")
_SCIENTIFIC = r"\d(?:\.\d+)?E\+\d+"
_MONEY_REASON = ("not an amount; write it like 1234.50 or $1,234.50, negatives as -12.00 "
                 "or (12.00)")


class FieldSteps:
    """The parsing steps of ``_Build``, one method per kind of field (mixed into it)."""

    colmap: ColumnMap
    n: int
    out: dict[str, D.Distinct]
    warnings: list[str]
    unrecognised: dict[str, int]

    if TYPE_CHECKING:  # provided by table_build._Build
        def text(self, fld: str) -> D.Distinct | None: ...
        def mapped_text(self, fld: str) -> D.Distinct: ...
        def parsed(self, fld: str, parser: Any, **kwargs: Any) -> tuple[D.Distinct, np.ndarray]: ...
        def reject(self, mask: Any, fld_or_header: str, values: Any, reason: str,
                   code: str) -> None: ...
        def warn(self, mask: Any, fld: str, values: D.Distinct, what: str,
                 show: bool = True) -> None: ...

    def _text_fields(self) -> None:
        for fld in TEXT_FIELDS:
            values = self.text(fld)
            if values is None:
                continue
            if fld in ("claim_id", "payer_claim_number", "member_id"):
                odd = values.values.str.fullmatch(_SCIENTIFIC, case=False)
                self.warn(values.per_value(odd), fld, values,
                          "look like Excel scientific notation, which has lost digits; "
                          "export again with the column formatted as text", show=False)
            self.out[fld] = values

    def _codes(self) -> None:
        procedure = self.text("procedure_code")
        mod_lists = []
        if procedure is not None:
            code, in_cell = C.parse_procedure(procedure.values)
            self.out["procedure_code"] = procedure.derive(code)
            mod_lists.append(procedure.derive(in_cell))
        for fld in self.colmap.slots("modifiers"):
            mods, odd = self.parsed(fld, C.parse_modifiers)
            self.warn(odd, fld, mods, "hold a modifier that is not 2 characters "
                      "(modifiers must be separated: 'JB KX' or 'JB,KX'); kept as typed")
            mod_lists.append(mods)
        if mod_lists:
            self.out["modifiers"] = _joined(mod_lists)
        if "revenue_code" in self.colmap.fields:
            rev, bad = self.parsed("revenue_code", C.parse_revenue)
            self.warn(bad, "revenue_code", rev, "are not 4-digit revenue codes; kept as typed")
            self.out["revenue_code"] = rev
        if "place_of_service" in self.colmap.fields:
            pos, bad = self.parsed("place_of_service", C.parse_pos)
            self.warn(bad, "place_of_service", pos,
                      "are not 2-digit place-of-service codes; kept as typed")
            self.out["place_of_service"] = pos
        parts = [self._code_slot(fld) for fld in self.colmap.slots("carcs")]
        parts += [self._code_slot(fld, plain=True) for fld in self.colmap.slots("rarcs")]
        if parts:
            codes, per = D.combine(*parts)
            joined = {name: C.join_lists(*(p[name] for p in per))
                      for name in ("carcs", "rarcs", "adjustments", "unrecognised")}
            for name in ("carcs", "rarcs", "adjustments"):
                self.out[name] = D.Distinct(joined[name], codes)
            unknown = D.Distinct(joined["unrecognised"], codes)
            listed = unknown.per_value(joined["unrecognised"] != "")
            shown = pd.Series(unknown.rows(listed), dtype=_STR)
            counts = shown.str.split(";").explode().value_counts()
            self.unrecognised = {str(k): int(v) for k, v in counts.items()}
            if self.unrecognised:
                shown = ", ".join(f"{k} ({v})" for k, v in list(self.unrecognised.items())[:10])
                self.warnings.append(
                    f"codes that are neither CARC nor RARC were left out: {shown}"
                )

    def _code_slot(self, fld: str, plain: bool = False) -> D.Distinct:
        if plain:
            text = self.mapped_text(fld)
            return text.derive(C.parse_codes(text.values))
        slot = fld[len("carcs"):]  # "" or "_N"
        columns = [self.mapped_text(fld)]
        group_fld = "group_code" + slot if "group_code" + slot in self.colmap.fields else "group_code"
        if group_fld in self.colmap.fields:
            group, bad = self.parsed(group_fld, C.parse_group)
            self.warn(bad, group_fld, self.mapped_text(group_fld),
                      "are not group codes (CO, PR, OA, PI, CR); adjustments left without group")
            columns.append(group)
        amount_fld = "adjustment_amount" + slot
        if amount_fld in self.colmap.fields:
            amount, bad = self.parsed(amount_fld, C.parse_money)
            self.reject(bad, amount_fld, self.mapped_text(amount_fld), _MONEY_REASON,
                        "bad-amount")
            columns.append(amount)
        codes, per = D.combine(*columns)
        group_values = per[1] if group_fld in self.colmap.fields else None
        amount_values = per[-1] if amount_fld in self.colmap.fields else None
        return D.Distinct(C.parse_codes(per[0], group_values, amount_values), codes)

    def _numbers(self) -> None:
        for fld in MONEY_FIELDS:
            if fld in self.colmap.fields:
                self.out[fld], bad = self.parsed(fld, C.parse_money)
                self.reject(bad, fld, self.mapped_text(fld), _MONEY_REASON, "bad-amount")
        if "units" in self.colmap.fields:
            self.out["units"], bad = self.parsed("units", C.parse_count)
            self.reject(bad, "units", self.mapped_text("units"), "units must be a whole number, 0 "
                        "or more (e.g. 3); fix the units in the export", "bad-units")
        if "sites" in self.colmap.fields:
            self.out["sites"], bad = self.parsed("sites", C.parse_count)
            self.warn(bad, "sites", self.mapped_text("sites"),
                      "are not a whole number of sites; left blank")

    def _dates(self) -> None:
        for fld, future_days in DATE_FIELDS.items():
            if fld not in self.colmap.fields:
                continue
            self.out[fld], bad = self.parsed(fld, C.parse_dates, future_days=future_days)
            self.reject(bad, fld, self.mapped_text(fld), "not a valid date (the day does not exist "
                        "or the text is not a date); write it as MM/DD/YYYY", "bad-date")

    def _words(self) -> None:
        if "claim_status" in self.colmap.fields:
            self.out["claim_status"], bad = self.parsed("claim_status", C.parse_claim_status)
            self.warn(bad, "claim_status", self.mapped_text("claim_status"), "have a status that is "
                      "not an 835 code or a known word (Denied, Paid, Reversal…); left blank")
        if "admin_route" in self.colmap.fields:
            self.out["admin_route"], bad = self.parsed("admin_route", C.parse_route)
            self.warn(bad, "admin_route", self.mapped_text("admin_route"),
                      "have a route that is not SC or IV; left blank")
        if "claim_form" in self.colmap.fields:
            self.out["claim_form"], bad = self.parsed("claim_form", C.parse_claim_form)
            self.warn(bad, "claim_form", self.mapped_text("claim_form"), "are not a type of bill "
                      "(0131) or claim form (UB-04, 837I, CMS-1500, 837P); left blank, so revenue "
                      "codes decide")
        for fld in ("infusion_start", "infusion_stop"):
            if fld in self.colmap.fields:
                self.out[fld], bad = self.parsed(fld, C.parse_times)
                self.warn(bad, fld, self.mapped_text(fld), "are not a time of day (e.g. 09:05 or "
                          "9:05 AM); left blank")

    def _required(self) -> None:
        claim = self.out["claim_id"]
        self.reject(claim.per_value(claim.values == ""), "claim_id", claim, "the claim id is "
                    "blank; fill in the claim number (or delete the row if it is not a "
                    "service line)", "blank-claim-id")
        none = np.ones(self.n, dtype=bool)
        for name in ("procedure_code", "revenue_code"):
            if name in self.out:
                none &= self.out[name].per_value(self.out[name].values == "")
        fld = "procedure_code" if "procedure_code" in self.colmap.fields else "revenue_code"
        self.reject(none, fld, np.full(self.n, "", dtype=object), "no procedure code (and no "
                    "revenue code); fill in the CPT/HCPCS code", "no-procedure-code")

    # -- outputs --


def _joined(columns: list[D.Distinct]) -> D.Distinct:
    """``join_lists`` of several list columns, once per distinct combination of values."""
    codes, per = D.combine(*columns)
    return D.Distinct(C.join_lists(*per), codes)

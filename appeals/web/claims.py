"""One claim on the page: its lines, its documents' preview, its filled placeholders.

Filling a placeholder saves the value in the run's ``fills.json`` and re-renders that
claim's letter and worksheet with the library's writer, into the run's own files; the
manifest's checksums follow and the workbook is rebuilt when next downloaded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.classify.records import added_text
from appeals.render.documents import preview_documents, write_documents
from appeals.rules.payers import load_payer_rules
from appeals.schema import claim_keys
from appeals.web import office as office_settings
from appeals.web import work
from appeals.web.queue import QueueFrame
from appeals.web.store import RunData, RunStore

FILLS = "fills.json"
ZIP = "documents.zip"
_FILL_LIMIT = 2_000

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s[^<>]*)?/?>")
_HTML_TAGS = {
    "p": "p", "h1": "h3", "h2": "h4", "h3": "h5", "b": "b", "i": "i", "u": "u", "br": "br",
    "ul": "ul", "ol": "ol", "li": "li", "table": "table", "tr": "tr", "th": "th", "td": "td",
    "small": "small", "del": "del", "ins": "ins", "ph": "mark",
}
_MONEY = ("billed_amount", "allowed_amount", "paid_amount")
LINE_FIELDS = (
    "source_file", "source_row", "service_date", "procedure_code", "modifiers", "units",
    "billed_amount", "allowed_amount", "paid_amount", "adjustments", "carcs", "rarcs",
    "status", "pattern", "action", "evidence", "correction", "corrected_procedure_code",
    "corrected_modifiers", "corrected_units", "remove_line", "add_lines",
)


def markup_to_html(markup: str) -> str:
    """The templates' document markup as page HTML: known tags only, no attributes.

    Every ``<`` that came from data is already ``&lt;`` (the templates autoescape), so a tag
    here was written by a template author; still, anything not listed is dropped.
    """
    def tag(match: re.Match[str]) -> str:
        name = _HTML_TAGS.get(match.group(2).lower())
        if name is None:
            return ""
        if name == "br":
            return "<br>"
        if name == "mark":
            return "</mark>" if match.group(1) else '<mark class="ph">'
        if name == "table" and not match.group(1):
            return '<div class="scroll"><table class="doc">'
        if name == "table":
            return "</table></div>"
        return f"<{match.group(1)}{name}>"

    return _TAG.sub(tag, markup)


def claim_frame(data: RunData, claim: str) -> pd.DataFrame:
    """The lines of one claim (id + payer + member), named as the queue names it."""
    sub = data.lines[(data.queue.frame["claim"] == claim).to_numpy()]
    if sub.empty:
        raise KeyError(claim)
    return sub


def claim_documents(data: RunData, claim: str) -> dict[str, str]:
    """The claim's letter and worksheet (relative paths; "" where it has none)."""
    rows = data.queue.frame[data.queue.frame["claim"] == claim]
    if rows.empty:
        return {"letter": "", "worksheet": ""}
    return {"letter": rows["letter"].iloc[0], "worksheet": rows["worksheet"].iloc[0]}


def _display(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, tuple):  # typed added lines
        return added_text(value)
    if isinstance(value, float):
        return f"{value:,.2f}" if not value.is_integer() else f"{value:g}"
    return str(value)


def line_rows(sub: pd.DataFrame) -> list[dict[str, str]]:
    fields = [f for f in LINE_FIELDS if f in sub.columns]
    rows = [{f: _display(v) for f, v in zip(fields, row, strict=True)}
            for row in sub[fields].itertuples(index=False)]
    for row, money in zip(rows, sub[[m for m in _MONEY if m in sub.columns]].to_dict("records"),
                          strict=True):
        for name, value in money.items():
            row[name] = "" if value is None or value != value else f"${float(value):,.2f}"
    return rows


def read_fills(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / FILLS
    return work.read_json(path) if path.is_file() else {}


def _render_options(store: RunStore) -> dict[str, Any]:
    return {"practice": office_settings.practice_path(store.office),
            "payer_rules": _payer_rules(store)}


def _payer_rules(store: RunStore) -> Any:
    return load_payer_rules(office_settings.payers_path(store.office))


def preview(store: RunStore, data: RunData, claim: str) -> dict[str, Any]:
    """The letter and worksheet as HTML, and the placeholders each still has."""
    # fills are saved per claim (``claim``), never per claim id: two patients' claims may
    # share an id. The renderer sees one claim here, so its id names it unambiguously.
    fills = read_fills(data.folder).get(claim, {})
    sub = claim_frame(data, claim)
    out = preview_documents(
        sub, today=dt.date.fromisoformat(data.info["today"]),
        fills={str(sub["claim_id"].iloc[0]): fills}, **_render_options(store),
    )
    names: list[str] = []
    docs = {}
    for kind, (markup, used) in out.items():
        docs[kind] = markup_to_html(markup)
        names += [n for n in used if n not in names]
    return {"documents": docs, "placeholders": names, "fills": fills}


def fill(store: RunStore, data: RunData, claim: str, values: dict[str, str]) -> dict[str, Any]:
    """Save placeholder values for a claim and write its documents again."""
    claim_frame(data, claim)  # a KeyError for an unknown claim, before anything is saved
    clean = {str(k)[:200]: str(v).strip()[:_FILL_LIMIT] for k, v in values.items()}
    with work.run_lock(data.folder):
        fills = read_fills(data.folder)
        merged = {**fills.get(claim, {}), **clean}
        fills[claim] = {k: v for k, v in merged.items() if v}
        work.write_json(data.folder / FILLS, fills)
        regenerate(store, data, claim, fills[claim])
    return preview(store, data, claim)


def regenerate(store: RunStore, data: RunData, claim: str, fills: dict[str, str]) -> None:
    out = data.folder / work.OUT
    scratch = Path(tempfile.mkdtemp(prefix=".regen-", dir=data.folder))
    sub = claim_frame(data, claim)
    try:
        written = write_documents(
            sub, scratch,
            today=dt.date.fromisoformat(data.info["today"]),
            fills={str(sub["claim_id"].iloc[0]): fills}, **_render_options(store),
        )
        docs = data.documents
        keys = claim_keys(docs).astype(str)
        for row, key in zip(written.itertuples(index=False), claim_keys(written).astype(str),
                            strict=True):
            at = docs.index[keys == key]
            for kind in ("letter", "worksheet"):
                new = getattr(row, kind)
                if not new:
                    continue
                # the run's own file name (it may carry a suffix this claim alone would not)
                target = docs.loc[at[0], kind] if len(at) and docs.loc[at[0], kind] else new
                os.replace(scratch / new, out / target)
                docs.loc[at, kind] = target
            docs.loc[at, "placeholders"] = row.placeholders
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    docs.to_parquet(data.folder / work.DOCUMENTS, index=False)
    work.refresh_manifest(out, lambda p: p.suffix == ".docx")
    data.queue = QueueFrame.build(data.lines, docs, dt.date.fromisoformat(data.info["today"]))
    work.mark_workbook_stale(data.folder)
    (data.folder / ZIP).unlink(missing_ok=True)


def documents_zip(data: RunData) -> Path:
    """Every letter and worksheet of the run in one zip (built once, kept until a change)."""
    path = data.folder / ZIP
    with work.run_lock(data.folder):
        if path.is_file():
            return path
        out = data.folder / work.OUT
        tmp = data.folder / f".{ZIP}.tmp"
        # DOCX files are zips already: stored, not compressed again.
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as archive:
            for folder in ("letters", "worksheets"):
                for file in sorted((out / folder).glob("*.docx")):
                    archive.write(file, f"{folder}/{file.name}")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return path


def workbook(data: RunData) -> Path:
    """summary.xlsx: written after the run by its child, again after a claim changed."""
    return work.build_workbook(data.folder)


def rejected_rows(data: RunData, *, limit: int) -> dict[str, Any]:
    """The first rejected rows with their reasons (patient values already hidden)."""
    path = data.folder / work.REJECTED
    frame = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
    rows = [{k: _display(v) for k, v in r.items()} for r in frame.head(limit).to_dict("records")]
    return {"total": len(frame), "rows": rows}


def corrections(sub: pd.DataFrame) -> list[dict[str, str]]:
    """Each proposed change to a line: field, as billed, as corrected, why."""
    out = []
    for row in sub.to_dict("records"):
        code = _display(row.get("procedure_code"))
        why = _display(row.get("correction"))
        changes = [
            ("code", code, _display(row.get("corrected_procedure_code"))),
            ("modifiers", _display(row.get("modifiers")),
             _display(row.get("corrected_modifiers"))),
            ("units", _display(row.get("units")), _display(row.get("corrected_units"))),
        ]
        for field, old, new in changes:
            if new and new != old:
                out.append({"line": code, "field": field, "old": old, "new": new, "why": why})
        if _display(row.get("remove_line")) == "yes":
            out.append({"line": code, "field": "line", "old": code, "new": "", "why": why})
        for added in row.get("add_lines") or ():
            out.append({"line": code, "field": "new line", "old": "", "new": str(added),
                        "why": why})
    return out


def claim_summary(sub: pd.DataFrame, data: RunData) -> dict[str, str]:
    """The claim's header facts; the route and deadline of its first denied line."""
    first = sub.iloc[0]
    queue = data.queue.frame.loc[sub.index]
    denied = queue[queue["status"].isin(("denied", "needs_review"))]
    lead = denied.sort_values("deadline_sort").iloc[0] if len(denied) else None
    return {
        "payer": _display(first.get("payer_name")) or _display(first.get("payer")),
        "payer_claim_number": _display(first.get("payer_claim_number")),
        "patient": _display(first.get("patient_name")),
        "member_id": _display(first.get("member_id")),
        "service_date": _display(first.get("service_date")),
        "route": "" if lead is None or not data.queue.has_route else lead["route"],
        "deadline": "" if lead is None else lead["deadline"],
        "deadline_basis": "" if lead is None else lead["deadline_basis"],
        "days_left": "" if lead is None or lead["days_left"] is pd.NA else str(lead["days_left"]),
        "past_due": "yes" if lead is not None and lead["past_due"] else "",
    }

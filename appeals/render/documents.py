"""Write appeal letters and corrected-claim worksheets (DOCX) for a classified frame.

Templates render to a small markup (``appeals.render.wordml``) that becomes ``document.xml``;
``appeals.render.docx_package`` appends it to pre-compressed static parts. Documents are written
as they are rendered, never collected, so memory stays flat however many claims there are.
With ``workers > 1`` forked processes take chunks of claims and write their own files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import re
import signal
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.errors import OutputError, RenderError
from appeals.render.context import (
    ClaimTable,
    claim_context,
    corrected_lines,
    new_claim_lines,
    scig_products,
    sections_for,
)
from appeals.render.docx_package import DocxPackage
from appeals.render.templating import Templates
from appeals.render.wordml import convert_cached, fill_slots
from appeals.resources import templates_dir as default_templates_dir
from appeals.rules.patterns import Pattern, load_patterns
from appeals.rules.payers import PayerRules, load_payer_rules
from appeals.rules.practice import Practice, load_practice
from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS

LETTER = "letter.html.j2"
WORKSHEET = "worksheet.html.j2"
RESULT_COLUMNS = ("claim_id", "letter", "worksheet", "placeholders", "claim_key")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
_MAX_STEM = 80


def safe_stem(claim_id: str) -> str:
    """A file name stem from a claim id: no separators, no '..', no device names, bounded."""
    stem = _DOTS.sub(".", _UNSAFE.sub("_", claim_id)).strip("._ ")[:_MAX_STEM].strip("._ ")
    if not stem:
        stem = "claim"
    if stem.split(".")[0].lower() in _RESERVED or stem.startswith("-"):
        stem = "_" + stem  # a device name, or "-rf.docx" read as an option by rm and friends
    return stem


def file_stems(claim_ids: Iterable[str]) -> list[str]:
    """Safe, unique stems; ids that clean to the same name get a stable hash suffix.

    Names are compared case-insensitively because Windows and macOS folders are.
    """
    ids = list(claim_ids)
    stems = [safe_stem(c) for c in ids]
    owners: dict[str, set[str]] = defaultdict(set)
    for cid, stem in zip(ids, stems, strict=True):
        owners[stem.lower()].add(cid)
    out: list[str] = []
    used: set[str] = set()
    for cid, stem in zip(ids, stems, strict=True):
        if len(owners[stem.lower()]) > 1:
            digest = hashlib.sha1(cid.encode("utf-8", "surrogatepass")).hexdigest()[:10]
            stem = f"{stem[:_MAX_STEM - 11]}-{digest}"
        # An id can itself look like another's suffixed name ("A_B-239c020ac0"): never let
        # two claims share a file, whatever the ids.
        unique, n = stem, 1
        while unique.lower() in used:
            n += 1
            unique = f"{stem[:_MAX_STEM - 1 - len(str(n))]}~{n}"
        used.add(unique.lower())
        out.append(unique)
    return out


def long_date(day: dt.date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def count_documents(classified: pd.DataFrame) -> int:
    """How many files ``write_documents`` will write (for a progress bar's length)."""
    table = ClaimTable.from_frame(classified)
    return sum(int(letter) + int(sheet) for _, _, letter, sheet, _ in table.claims)


class _Job:
    """Everything a process needs to render any claim of the run; built before forking."""

    def __init__(self, classified: pd.DataFrame, out_dir: Path, *, templates: Templates,
                 package: DocxPackage, practice: Practice, payer_rules: PayerRules,
                 patterns: dict[str, Pattern], today: dt.date, has_letterhead: bool,
                 fills: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self.table = ClaimTable.from_frame(classified)
        self.stems = file_stems(cid for cid, *_ in self.table.claims)
        self.out_dir = out_dir
        self.templates = templates
        self.package = package
        self.practice = practice
        self.payer_rules = payer_rules
        self.titles = {key: p.title for key, p in patterns.items()}
        self.products = scig_products()
        self.common = {"practice": practice, "today": long_date(today),
                       "has_letterhead": has_letterhead}
        self.fills = fills or {}
        self.previews: dict[str, tuple[str, list[str]]] = {}
        self._preflight()

    def _preflight(self) -> None:
        """Compile every template the run needs before the first file is written."""
        self.templates.check(LETTER)
        if any(sheet for _, _, _, sheet, _ in self.table.claims):
            self.templates.check(WORKSHEET)
        cols = self.table.cols
        pairs = {(t or p, p) for t, p in zip(cols["template"], cols["pattern"], strict=True) if p}
        self._parts = {pair: self.templates.part(*pair) for pair in sorted(pairs)}

    def _part(self, template: str, pattern: str) -> str:
        part = self._parts.get((template, pattern))
        if part is None:
            part = self._parts[(template, pattern)] = self.templates.part(template, pattern)
        return part

    def _payer(self, key: str, payer_name: str) -> dict[str, Any]:
        rule = self.payer_rules.get(key)
        payer = {
            "key": rule.key,
            "name": rule.display_name if rule.key != "other" else "",
            "appeal_address": rule.appeal_address,
            "lcd": rule.lcd,
            "cap_96371": "" if rule.cap_96371 is None else rule.cap_96371,
            "kx_required": rule.kx_required,
            "appeal_window_days": rule.appeal_window_days,
            "is_medicare": rule.original_medicare,
            "payer_type": rule.payer_type,
            "is_medicare_advantage": rule.payer_type == "medicare_advantage",
            "contracted": rule.contracted,
            "contract_window_days": rule.contract_window_days,
            "reopening_form": rule.reopening_form,
            "portal": rule.portal,
            "reopening_address": rule.reopening_address,
        }
        if not payer["name"] and payer_name:
            payer["name"] = payer_name
        return payer

    def _write(self, folder: str, stem: str, template: str, context: dict[str, Any]) -> tuple[str, list[str]]:
        skeleton, used, values = self.templates.render(template, context)
        converted = convert_cached(skeleton, text_width=self.package.text_width, source=template)
        body = fill_slots(converted, values)
        relative = f"{folder}/{stem}.docx"
        # Written in place: a temporary name plus rename doubled the file-system cost, and
        # the pipeline already builds the whole output folder under a temporary name.
        try:
            self.package.write(self.out_dir / relative, body)
        except OSError as exc:
            raise OutputError(f"cannot write {relative} ({exc.strerror})", file=self.out_dir,
                              fix="check the output folder is writable and has space") from None
        return relative, used

    def render_claim(self, k: int) -> tuple[tuple[str, str, str, str, str], int]:
        claim_id, rows, want_letter, want_sheet, key = self.table.claims[k]
        stem = self.stems[k]
        self.templates.filled = dict(self.fills.get(claim_id, {}))
        claim = claim_context(self.table, rows, self.products)
        payer = self._payer(claim["payer_key"], claim["payer_name"])
        letter = sheet = ""
        used: list[str] = []
        if want_letter:
            sections = sections_for(claim, self.titles, letter=True)
            for section in sections:
                section["part"] = self._part(section["template"], section["pattern"])
            changes = [row for row in corrected_lines(claim, sections) if row["changed"]]
            context = {**self.common, "claim": claim, "payer": payer, "sections": sections,
                       "changes": changes}
            letter, names = self._write("letters", stem, LETTER, context)
            used += names
        if want_sheet:
            sections = sections_for(claim, self.titles, letter=False)
            for section in sections:
                section["part"] = self._part(section["template"], section["pattern"])
            context = {**self.common, "claim": claim, "payer": payer, "sections": sections,
                       "corrected": corrected_lines(claim, sections),
                       "new_claim": new_claim_lines(claim)}
            sheet, names = self._write("worksheets", stem, WORKSHEET, context)
            used += [n for n in names if n not in used]
        return (claim_id, letter, sheet, ";".join(used), key), int(bool(letter)) + int(bool(sheet))

    def render_range(self, start: int, stop: int) -> list[tuple[tuple[str, str, str, str, str], int]]:
        return [self.render_claim(k) for k in range(start, stop)]


_JOB: _Job | None = None  # set in the parent just before forking; workers inherit it


def _watch_parent(parent: int) -> None:
    """In a pool worker: exit as soon as the parent is gone, so no worker keeps writing
    patient documents after the run was killed (even by SIGKILL, which runs no clean-up)."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)  # the parent's clean-up handlers are not ours

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _work(bounds: tuple[int, int]) -> list[tuple[tuple[str, str, str, str, str], int]]:
    assert _JOB is not None
    return _JOB.render_range(*bounds)


def write_documents(
    classified: pd.DataFrame,
    out_dir: str | Path,
    *,
    templates_dir: str | Path | None = None,
    practice: Practice | str | Path | None = None,
    payer_rules: PayerRules | None = None,
    patterns: dict[str, Pattern] | None = None,
    letterhead: str | Path | None = None,
    today: dt.date,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    fills: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Write ``letters/*.docx`` and ``worksheets/*.docx`` under ``out_dir``.

    A claim gets a letter when a denied line asks for an appeal or a corrected claim, and a
    worksheet when it needs a corrected claim. Returns one row per claim written:
    claim_id, letter and worksheet (paths relative to ``out_dir``, "" when not written) and
    placeholders (``;``-joined names left to fill in). ``progress(n)`` is called with the
    number of files written since the previous call. ``fills`` maps a claim id to the
    values typed for its placeholders (name -> text).
    """
    missing = [c for c in (*LINE_COLUMNS, *CLASSIFIED_COLUMNS) if c not in classified.columns]
    if missing:
        raise RenderError(
            f"the frame to render lacks columns {', '.join(missing[:5])}",
            fix="pass the frame classify() returns (schema.LINE_COLUMNS + CLASSIFIED_COLUMNS)",
        )
    out = Path(out_dir)
    if not isinstance(practice, Practice):
        practice = load_practice(practice)
    job = _Job(
        classified, out,
        templates=Templates(default_templates_dir(templates_dir)),
        package=DocxPackage.from_letterhead(letterhead) if letterhead else DocxPackage.default(),
        practice=practice,
        payer_rules=payer_rules if payer_rules is not None else load_payer_rules(),
        patterns=patterns if patterns is not None else load_patterns(),
        today=today,
        has_letterhead=letterhead is not None,
        fills=fills,
    )
    for folder in ("letters", "worksheets"):
        try:
            (out / folder).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {folder} ({exc.strerror})", file=out) from None
    results = _render_all(job, workers, progress)
    return pd.DataFrame(results, columns=list(RESULT_COLUMNS), dtype=object)


def _render_all(
    job: _Job, workers: int, progress: Callable[[int], None] | None
) -> list[tuple[str, str, str, str, str]]:
    """Every claim's documents, in chunks, on a forked pool when it pays."""
    global _JOB
    n = len(job.table.claims)
    chunk = max(1, min(64, n // (max(workers, 1) * 8) or 1))
    bounds = [(i, min(i + chunk, n)) for i in range(0, n, chunk)]
    results: list[tuple[str, str, str, str, str]] = []
    use_pool = workers > 1 and len(bounds) > 1 and "fork" in multiprocessing.get_all_start_methods()
    if not use_pool:
        for start, stop in bounds:
            _collect(job.render_range(start, stop), results, progress)
        return results
    _JOB = job  # forked workers inherit it: the job is never pickled
    try:
        pool_size = min(workers, len(bounds))
        context = multiprocessing.get_context("fork")
        with context.Pool(pool_size, _watch_parent, (os.getpid(),)) as pool:
            for batch in pool.imap(_work, bounds):
                _collect(batch, results, progress)
    finally:
        _JOB = None
    return results


_SLOT_TEXT = re.compile("\ue000(\\d+)\ue001")


class _PreviewJob(_Job):
    """Keeps each document's markup instead of writing a DOCX (the web page's preview)."""

    def _write(self, folder: str, stem: str, template: str,
               context: dict[str, Any]) -> tuple[str, list[str]]:
        skeleton, used, values = self.templates.render(template, context)
        markup = _SLOT_TEXT.sub(lambda m: values[int(m.group(1))], skeleton)
        self.previews[folder] = (markup, list(used))
        return f"{folder}/{stem}.docx", used


def preview_documents(
    classified: pd.DataFrame,
    *,
    templates_dir: str | Path | None = None,
    practice: Practice | str | Path | None = None,
    payer_rules: PayerRules | None = None,
    today: dt.date,
    fills: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, tuple[str, list[str]]]:
    """The first claim's documents as template markup (values escaped, slots filled) with the
    placeholders left in each: ``{"letters": (markup, names), "worksheets": ...}``.

    The markup is what ``write_documents`` turns into WordprocessingML, so a preview shows
    the same words as the DOCX.
    """
    if not isinstance(practice, Practice):
        practice = load_practice(practice)
    job = _PreviewJob(
        classified, Path("."),
        templates=Templates(default_templates_dir(templates_dir)),
        package=DocxPackage.default(), practice=practice,
        payer_rules=payer_rules if payer_rules is not None else load_payer_rules(),
        patterns=load_patterns(), today=today, has_letterhead=False, fills=fills,
    )
    if job.table.claims:
        job.render_claim(0)
    return job.previews


def _collect(batch: list[tuple[tuple[str, str, str, str, str], int]],
             results: list[tuple[str, str, str, str, str]],
             progress: Callable[[int], None] | None) -> None:
    written = 0
    for row, count in batch:
        results.append(row)
        written += count
    if progress is not None and written:
        progress(written)

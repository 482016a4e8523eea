"""Scrub outgoing charges: flag each claim that would meet a documented SCIG denial.

There is no second copy of the rules: the classifier runs in ``mode="scrub"``, evaluating
every ``denial_map.csv`` rule marked for scrubbing on its claim conditions alone (charges
carry no CARC/RARC), with the same payer rules. An infusion log, when given, supplies the
chart times and sites first, so units the chart does not support are caught too.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from appeals.classify.classifier import classify
from appeals.errors import OutputError
from appeals.jobs.manifest import build_manifest, write_manifest
from appeals.jobs.output import check_out_dir, resolve_out_dir, staged_output
from appeals.readers.base import FileReport
from appeals.readers.infusion_join import JoinReport, join_infusion_log
from appeals.readers.infusion_log import read_infusion_log
from appeals.readers.loader import LoadResult, load_files
from appeals.rules.denial_map import Rule
from appeals.rules.payers import PayerRules, load_payer_rules
from appeals.schema import claim_keys, empty_rejected

FLAGGED = "flagged"
WORKBOOK = "scrub.xlsx"


@dataclass
class ScrubResult:
    """Every charge line with its scrub status, plus what the infusion log join reported."""

    lines: pd.DataFrame  # canonical + classified columns; status "flagged" or "clean"
    rejected: pd.DataFrame  # charge rows and log rows that could not be read
    log: JoinReport | None = None
    files: list[FileReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # across files: repeats, shared claim ids

    @property
    def flagged(self) -> pd.DataFrame:
        return self.lines[self.lines["status"] == FLAGGED]

    @property
    def flagged_claims(self) -> list[str]:
        """The claim keys (id + payer + member) with a line to fix: one id may be two claims."""
        return list(dict.fromkeys(claim_keys(self.flagged)))

    def summary(self) -> list[str]:
        claims = claim_keys(self.lines).nunique()
        flagged = self.flagged_claims
        out = [
            f"{len(self.lines)} charge lines on {claims} claims: {len(flagged)} claims to fix "
            f"before sending, {claims - len(flagged)} clean; {len(self.rejected)} rows rejected"
        ]
        flagged = self.flagged.assign(claim_key=claim_keys(self.flagged))
        counts = flagged.drop_duplicates(["claim_key", "pattern"])["pattern"].value_counts()
        out += [f"  {pattern}: {n} claim(s)" for pattern, n in counts.items()]
        if self.log is not None:
            out += self.log.summary()
        return out


def load_charges(
    paths: Iterable[str | Path],
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    payer_rules: PayerRules | None = None,
) -> LoadResult:
    """Read charge exports (no CARC/RARC, nothing paid yet) into canonical lines."""
    return load_files(
        paths, sheet=sheet, columns=columns, payer_rules=payer_rules, require_denial=False
    )


def scrub(
    lines: pd.DataFrame,
    *,
    rules: list[Rule] | None = None,
    payer_rules: PayerRules | None = None,
) -> pd.DataFrame:
    """Classify charge lines in scrub mode: status ``flagged`` (with pattern, evidence and
    the corrected lines) or ``clean``. Lines keep their order."""
    return classify(lines, rules=rules, payer_rules=payer_rules, mode="scrub")


def scrub_files(
    paths: Iterable[str | Path],
    *,
    infusion_log: str | Path | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    rules: list[Rule] | None = None,
    payer_rules: PayerRules | None = None,
) -> ScrubResult:
    """Load charges, join the infusion log if given, and scrub."""
    payer_rules = payer_rules or load_payer_rules()
    loaded = load_charges(paths, sheet=sheet, columns=columns, payer_rules=payer_rules)
    lines, report, rejected = loaded.lines, None, [loaded.rejected]
    if infusion_log is not None:
        log = read_infusion_log(infusion_log)
        lines, report = join_infusion_log(lines, log)
        rejected.append(log.rejected)
    classified = scrub(lines, rules=rules, payer_rules=payer_rules)
    bad = (
        pd.concat([r for r in rejected if len(r)], ignore_index=True)
        if any(len(r) for r in rejected)
        else empty_rejected()
    )
    return ScrubResult(lines=classified, rejected=bad, log=report, files=loaded.reports,
                       warnings=loaded.warnings)


def write_scrub(
    result: ScrubResult,
    out_dir: str | Path,
    *,
    templates: str | Path | None = None,
    practice: str | Path | None = None,
    payer_rules: PayerRules | None = None,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Write ``scrub.xlsx`` and a corrected-claim worksheet per flagged claim that has a
    correction; returns the documents written (claim_id, worksheet)."""
    # deferred: reading and classifying charges needs neither jinja2 nor XlsxWriter
    from appeals.render.documents import write_documents
    from appeals.workbooks.scrub import write_scrub_workbook

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder ({exc.strerror})", file=out) from None
    flagged = result.lines[claim_keys(result.lines).isin(result.flagged_claims)]
    documents = write_documents(
        flagged, out, templates_dir=templates, practice=practice, payer_rules=payer_rules,
        today=today or dt.date.today(),
    )  # fmt: skip
    letters = out / "letters"
    if letters.is_dir() and not any(letters.iterdir()):
        shutil.rmtree(letters)  # scrub writes no letters: nothing has been denied yet
    documents = documents[["claim_id", "worksheet"]]
    write_scrub_workbook(out / WORKBOOK, result, documents)
    return documents


@dataclass
class ScrubRun:
    """What ``scrub_to_folder`` did: the scrub, the worksheets written, notes for the user."""

    result: ScrubResult
    documents: pd.DataFrame
    notes: list[str]


def scrub_to_folder(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    force: bool = False,
    infusion_log: str | Path | None = None,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    rules: list[Rule] | None = None,
    payer_rules: PayerRules | None = None,
    practice: str | Path | None = None,
    today: dt.date | None = None,
) -> ScrubRun:
    """Scrub and write the folder like ``run`` does: staged, private, swapped in at the end.

    ``force`` replaces only an earlier scrub's output; a folder holding a run, other files
    or an input is refused, and the previous scrub stays until the new one is complete.
    """
    paths = list(paths)
    today = today or dt.date.today()
    target = resolve_out_dir(out_dir)
    given = [*paths, *(p for p in (infusion_log, practice) if p is not None)]
    with staged_output(target, out_dir) as stage:
        check_out_dir(out_dir, target, given, force=force, job="scrub")
        result = scrub_files(
            paths, infusion_log=infusion_log, sheet=sheet, columns=columns, rules=rules,
            payer_rules=payer_rules,
        )
        documents = write_scrub(
            result, stage.path, practice=practice, payer_rules=payer_rules, today=today
        )
        counts = {"lines_read": len(result.lines), "rows_rejected": len(result.rejected),
                  "claims_flagged": len(result.flagged_claims)}  # fmt: skip
        write_manifest(stage.path, build_manifest(
            today=today, inputs=result.files, rules={}, counts=counts, out_dir=stage.path,
            job="scrub",
        ))  # fmt: skip
        stage.commit()
    return ScrubRun(result=result, documents=documents, notes=stage.notes)

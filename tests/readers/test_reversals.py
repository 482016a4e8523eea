"""Issue #12, item 4: an 835 reversal cancels the adjudication it reverses; the latest
adjudication stands, and its units are counted once."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from appeals.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "remit_scig.835"


def negate(value: str) -> str:
    return value if not value or value.startswith("-") else f"-{value}"


def reversal_of(block: list[str]) -> list[str]:
    out = []
    for segment in block:
        parts = segment.split("*")
        if parts[0] == "CLP":
            parts[2] = "22"
            parts[3:6] = [negate(v) for v in parts[3:6]]
        elif parts[0] == "SVC":
            parts[2:4] = [negate(v) for v in parts[2:4]]
            if len(parts) > 5:
                parts[5] = negate(parts[5])
        out.append("*".join(parts))
    return out


def remit_with_reversal(path: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    segments = text.split("~")
    starts = [i for i, s in enumerate(segments) if s.strip().startswith("CLP*")]
    first = next(i for i in starts if segments[i].strip().startswith("CLP*SCIG-1002*"))
    end = starts[starts.index(first) + 1]
    block = [s.strip() for s in segments[first:end]]
    segments[end:end] = ["\n" + s for s in reversal_of(block) + block]
    st = next(i for i, s in enumerate(segments) if s.strip().startswith("ST*"))
    se = next(i for i, s in enumerate(segments) if s.strip().startswith("SE*"))
    parts = segments[se].strip().split("*")
    segments[se] = "\n" + "*".join([parts[0], str(se - st + 1), *parts[2:]])
    path.write_text("~".join(segments), encoding="utf-8")
    return path


def test_original_reversal_and_readjudication_count_once(tmp_path: Path) -> None:
    remit = remit_with_reversal(tmp_path / "remit.835")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(remit), "-o", str(out), "--today",
                                       "2026-04-30", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "reversed by the payer were set aside" in result.stderr
    book = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    rows = list(book["Work queue"].iter_rows(values_only=True))
    head = rows[0]
    lines = [dict(zip(head, r, strict=True)) for r in rows[1:] if any(r)]
    denied = [r for r in lines if r["Claim ID"] == "SCIG-1002" and r["Code"] == "96371"
              and r["Status"] == "denied"]
    assert len(denied) == 1  # the readjudication; the reversed original is set aside
    rejected = list(book["Rejected"].iter_rows(values_only=True))
    assert sum("reversed by the payer" in str(r) for r in rejected) == 4  # the original's lines

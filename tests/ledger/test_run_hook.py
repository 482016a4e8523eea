"""``appeals.jobs.run.run(..., ledger=...)``: one transaction with the output folder."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from appeals.errors import OutputError
from appeals.jobs import run as run_module
from appeals.ledger import open_ledger, queue

ROOT = Path(__file__).resolve().parents[2]
SEQUENCE = ROOT / "samples" / "ledger_sequence"
FIRST = str(SEQUENCE / "01_medicare_0601.835")


def test_a_failed_run_leaves_the_ledger_as_it_was(target, tmp_path, monkeypatch):
    open_ledger(target).close()

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run_module, "write_manifest", broken)
    with pytest.raises(OutputError, match="disk is full"):
        run_module.run([FIRST], tmp_path / "out", ledger=target, today=dt.date(2026, 6, 2))
    assert not (tmp_path / "out").exists()
    with open_ledger(target) as ledger:
        assert queue(ledger) == []
    monkeypatch.undo()
    summary = run_module.run([FIRST], tmp_path / "out", ledger=target, today=dt.date(2026, 6, 2))
    assert summary.ledger["opened"] == 2 and summary.ledger["drafted"] == 2


def test_the_ledger_workbook_lists_open_items_and_charts_the_costs(target, tmp_path):
    out = tmp_path / "out"
    run_module.run([FIRST], out, ledger=target, today=dt.date(2026, 6, 2))
    book = openpyxl.load_workbook(out / "ledger_queue.xlsx")
    assert book.sheetnames == ["Queue", "Dashboard"]
    rows = list(book["Queue"].iter_rows(min_row=2, max_row=3, values_only=True))
    header = [c.value for c in book["Queue"][1]]
    state = header.index("state")
    assert sorted(r[0] for r in rows) == ["SEQ-2001", "SEQ-2002"]
    assert {r[state] for r in rows} == {"drafted"}
    dash = {row[0]: row for row in book["Dashboard"].iter_rows(values_only=True) if row[0]}
    assert dash["medicare"][2] == 2 and dash["medicare"][4] == pytest.approx(420.0)
    charts = [n for n in zipfile.ZipFile(out / "ledger_queue.xlsx").namelist() if n.startswith("xl/charts/")]
    assert len(charts) == 4


def test_the_manifest_lists_the_ledger_workbook(target, tmp_path):
    import json

    out = tmp_path / "out"
    run_module.run([FIRST], out, ledger=target, today=dt.date(2026, 6, 2))
    manifest = json.loads((out / "manifest.json").read_text())
    assert "ledger_queue.xlsx" in json.dumps(manifest)


def test_the_ledger_file_may_not_sit_in_the_output_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OutputError, match="holds the input"):
        run_module.run([FIRST], out, ledger=str(out / "office.sqlite"), force=True,
                       today=dt.date(2026, 6, 2))


def test_one_claim_id_for_two_patients_is_drafted_only_where_a_document_was_written(
    target, tmp_path, two_patients_export
):
    # Bruno's line gets no document, so it is not "drafted" with Alice's
    export = two_patients_export
    run_module.run([export], tmp_path / "out", ledger=target, today=dt.date(2026, 4, 30))
    with open_ledger(target) as ledger:
        rows = queue(ledger, private=True, today=dt.date(2026, 4, 30))
    states = {(row["member_id"], row["procedure_code"]): row["state"] for row in rows}
    assert states == {("ZZ0000001", "96371"): "drafted", ("ZZ0000002", "96369"): "open"}

"""The work-queue workbook, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import openpyxl
import pandas as pd
import pytest
from conftest import lines_frame

from appeals.errors import OutputError
from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS, REJECTED_COLUMNS
from appeals.workbooks import summary as report
from appeals.workbooks import xlsx_table
from appeals.workbooks.summary import write_summary

TODAY = dt.date(2025, 3, 1)
HEADERS = [h for h, *_ in report._QUEUE_COLUMNS]


lines = lines_frame


def rejected_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(REJECTED_COLUMNS))


def line(claim: str, row: int, **fields) -> dict:
    base = {
        "source_file": "export.xlsx",
        "source_sheet": "Sheet1",
        "source_row": row,
        "claim_id": claim,
        "payer_claim_number": f"ICN-{claim}",
        "patient_name": "Doe, Jane",
        "member_id": "M1",
        "payer_name": "Noridian JF",
        "payer": "medicare",
        "service_date": "2025-01-10",
        "place_of_service": "11",
        "procedure_code": "96369",
        "units": 1,
        "billed_amount": 300.0,
        "paid_amount": 0.0,
        "status": "paid",
    }
    base.update(fields)
    return base


@pytest.fixture
def sample() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    classified = lines(
        [
            line("C3", 5, status="paid", billed_amount=100.0, paid_amount=100.0),
            line(
                "C2",
                4,
                status="denied",
                pattern="units_over_cap",
                action="corrected_claim",
                procedure_code="96371",
                units=3,
                billed_amount=250.0,
                paid_amount=50.0,
                carcs="119",
                rarcs="N362",
                evidence="96371 billed 3 units; cap 1",
                correction="96371 units 3 -> 1",
                deadline="2025-03-10",
                deadline_basis="remit date + 120 days (medicare)",
            ),
            line(
                "C1",
                3,
                status="denied",
                pattern="wrong_route",
                action="corrected_claim",
                procedure_code="96365",
                billed_amount=400.0,
                deadline="2025-02-20",
                deadline_basis="remit date + 120 days (medicare)",
            ),
            line(
                "C1",
                2,
                status="denied",
                pattern="wrong_route",
                action="corrected_claim",
                procedure_code="96366",
                billed_amount=150.0,
                deadline="2025-02-20",
            ),
            line(
                "C4",
                6,
                status="needs_review",
                action="review",
                payer="uhc",
                payer_name="UnitedHealthcare",
                billed_amount=80.0,
                paid_amount=float("nan"),
                deadline="2025-06-01",
            ),
            line("C5", 7, status="out_of_scope", payer="aetna", payer_name="Aetna"),
            line(
                "C6",
                8,
                status="denied",
                pattern="missing_kx",
                action="appeal",
                payer="uhc",
                payer_name="UnitedHealthcare",
                procedure_code="J1559",
                billed_amount=1000.0,
                deadline="2025-02-20",
                source_file="b.csv",
            ),
        ]
    )
    rejected = rejected_frame(
        [
            {
                "source_file": "export.xlsx",
                "source_sheet": "Sheet1",
                "source_row": 9,
                "column": "DOS",
                "value": "13/45/2025",
                "reason": "not a date",
                "code": "bad-date",
            },
            {
                "source_file": "b.csv",
                "source_sheet": "",
                "source_row": 12,
                "column": "Billed",
                "value": "=1+1",
                "reason": "not an amount",
                "code": "bad-amount",
            },
        ]
    )
    documents = pd.DataFrame(
        [
            {
                "claim_id": "C1",
                "letter": "letters/C1.docx",
                "worksheet": "worksheets/C1.docx",
                "placeholders": "LCD number;chart reference",
            },
            {"claim_id": "C2", "letter": "letters/C2.docx", "worksheet": "", "placeholders": ""},
        ]
    )
    return classified, rejected, documents


def write(tmp_path, classified, rejected, documents=None, name="summary.xlsx", **kw):
    path = tmp_path / name
    result = write_summary(path, classified, rejected, documents, today=TODAY, **kw)
    return path, result, openpyxl.load_workbook(path)


def queue_rows(book) -> list[dict]:
    ws = book[report.WORK_QUEUE]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    return [dict(zip(HEADERS, r, strict=True)) for r in rows[1:]]


def test_one_row_per_input_line_sorted_by_deadline(tmp_path, sample):
    path, result, book = write(tmp_path, *sample)
    rows = queue_rows(book)
    assert len(rows) == len(sample[0]) == result["work_queue_rows"]
    assert result["path"] == str(path)
    # 2025-02-20 x3 (C1 row 2, C1 row 3, C6), 03-10 (C2), 06-01 (C4), then no deadline (C3, C5)
    assert [(r["Claim ID"], r["Source row"]) for r in rows] == [
        ("C1", 2), ("C1", 3), ("C6", 8), ("C2", 4), ("C4", 6), ("C3", 5), ("C5", 7),
    ]  # fmt: skip
    assert {r["Status"] for r in rows} == {"denied", "needs_review", "paid", "out_of_scope"}


def test_past_due_first_with_route_and_next_step(tmp_path):
    classified = lines([
        line("A", 2, status="denied", pattern="missing_kx", patterns="missing_kx;wrong_route",
             route="reopening", payer_type="medicare_ab", claim_type="professional",
             deadline="2025-03-01"),
        line("B", 3, status="denied", pattern="site_of_care", route="other_supplier"),
        line("C", 4, status="denied", pattern="units_over_cap", route="redetermination",
             deadline="2025-07-01", past_due=True),  # judged past due by an earlier run date
    ])
    *_, book = write(tmp_path, classified, rejected_frame([]))
    rows = queue_rows(book)
    assert [r["Claim ID"] for r in rows] == ["C", "A", "B"]
    assert [r["Past due"] for r in rows] == ["PAST DUE", None, None]
    by_claim = {r["Claim ID"]: r for r in rows}
    assert by_claim["A"]["Route"] == "reopening" and "portal or IVR" in by_claim["A"]["Next step"]
    assert by_claim["A"]["All patterns"] == "missing_kx;wrong_route"
    assert (by_claim["A"]["Payer type"], by_claim["A"]["Claim type"]) == (
        "medicare_ab", "professional")
    assert "another supplier" in by_claim["B"]["Next step"]


def test_days_left_against_today(tmp_path, sample):
    *_, book = write(tmp_path, *sample)
    rows = queue_rows(book)
    by_claim = {r["Claim ID"]: r for r in rows}
    assert by_claim["C1"]["Days left"] == -9
    assert by_claim["C2"]["Days left"] == 9
    assert by_claim["C4"]["Days left"] == 92
    assert by_claim["C3"]["Days left"] is None and by_claim["C3"]["Deadline"] is None
    assert by_claim["C2"]["Deadline"] == dt.datetime(2025, 3, 10)
    assert by_claim["C2"]["Deadline basis"] == "remit date + 120 days (medicare)"


def test_values_and_number_formats(tmp_path, sample):
    *_, book = write(tmp_path, *sample)
    ws = book[report.WORK_QUEUE]
    col = {h: i + 1 for i, h in enumerate(HEADERS)}
    c2 = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Claim ID"]).value == "C2")
    cell = lambda name: ws.cell(c2, col[name])  # noqa: E731
    assert cell("Deadline").is_date and cell("Deadline").number_format == "mm/dd/yyyy"
    assert cell("DOS").value == dt.datetime(2025, 1, 10) and cell("DOS").is_date
    assert cell("Billed").value == 250 and cell("Billed").number_format == "#,##0.00"
    assert cell("At stake").value == 200 and cell("At stake").number_format == "#,##0.00"
    assert cell("Units").value == 3
    assert cell("CARCs").value == "119" and cell("RARCs").value == "N362"
    assert cell("Evidence").value == "96371 billed 3 units; cap 1"
    assert cell("Proposed correction").value == "96371 units 3 -> 1"
    assert cell("Payer").value == "Noridian JF"
    assert cell("Payer claim #").value == "ICN-C2"
    assert cell("POS").value == "11" and cell("POS").data_type == "s"
    assert cell("Source file").value == "export.xlsx" and cell("Source row").value == 4


def test_dollars_at_stake(tmp_path, sample):
    *_, book = write(tmp_path, *sample)
    stake = {(r["Claim ID"], r["Source row"]): r["At stake"] for r in queue_rows(book)}
    assert stake[("C1", 2)] == 150  # denied, billed 150, paid 0
    assert stake[("C2", 4)] == 200  # denied, billed 250 - paid 50
    assert stake[("C4", 6)] == 80  # needs_review, paid unknown counts as 0
    assert stake[("C3", 5)] == 0  # paid
    assert stake[("C5", 7)] == 0  # out of scope


def test_unknown_billed_leaves_stake_blank(tmp_path):
    classified = lines([line("C1", 2, status="denied", pattern="x", billed_amount=None)])
    *_, book = write(tmp_path, classified, rejected_frame([]))
    assert queue_rows(book)[0]["At stake"] is None


def test_links_and_placeholders(tmp_path, sample):
    _, result, book = write(tmp_path, *sample)
    ws = book[report.WORK_QUEUE]
    letter, worksheet = HEADERS.index("Letter") + 1, HEADERS.index("Worksheet") + 1
    placeholders = HEADERS.index("Placeholders to fill") + 1
    found = {}
    for r in range(2, ws.max_row + 1):
        claim = ws.cell(r, HEADERS.index("Claim ID") + 1).value
        found.setdefault(claim, []).append(
            (ws.cell(r, letter), ws.cell(r, worksheet), ws.cell(r, placeholders).value)
        )
    for letter_cell, worksheet_cell, todo in found["C1"]:  # both lines of the claim
        # XlsxWriter stores relative external links with Windows separators, as Excel does.
        assert letter_cell.hyperlink.target.replace("\\", "/") == "letters/C1.docx"
        assert letter_cell.value == "letters/C1.docx"
        assert worksheet_cell.hyperlink.target.replace("\\", "/") == "worksheets/C1.docx"
        assert todo == "LCD number;chart reference"
    c2_letter, c2_worksheet, c2_todo = found["C2"][0]
    assert c2_letter.hyperlink.target.replace("\\", "/") == "letters/C2.docx"
    assert c2_worksheet.value is None and c2_worksheet.hyperlink is None and c2_todo is None
    c3_letter, *_ = found["C3"][0]
    assert c3_letter.value is None and c3_letter.hyperlink is None
    assert result["links"] == 5 and result["links_as_text"] == 0


def test_links_are_relative_external_in_the_package(tmp_path, sample):
    import zipfile

    path, *_ = write(tmp_path, *sample)
    rels = zipfile.ZipFile(path).read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert 'TargetMode="External"' in rels and "file:" not in rels and str(tmp_path) not in rels


def test_link_over_excel_limits_falls_back_to_text(tmp_path, sample, monkeypatch):
    monkeypatch.setattr(xlsx_table, "_EXCEL_MAX_URLS", 1)
    classified, rejected, documents = sample
    documents.loc[1, "letter"] = "letters/C#2.docx"
    _, result, book = write(tmp_path, classified, rejected, documents)
    ws = book[report.WORK_QUEUE]
    col = HEADERS.index("Letter") + 1
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1) if ws.cell(r, col).value]
    assert [c.value for c in cells] == ["letters/C1.docx"] * 2 + ["letters/C#2.docx"]
    assert [c.hyperlink is not None for c in cells] == [True, False, False]
    assert result["links"] == 1 and result["links_as_text"] == 4


def test_layout_frozen_filtered_highlighted(tmp_path, sample):
    *_, book = write(tmp_path, *sample)
    ws = book[report.WORK_QUEUE]
    assert ws.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(HEADERS))
    assert ws.auto_filter.ref == f"A1:{last}{len(sample[0]) + 1}"
    rules = [rule for cf in ws.conditional_formatting for rule in cf.rules]
    assert len(rules) == 2 and all(rule.type == "expression" for rule in rules)
    days = openpyxl.utils.get_column_letter(HEADERS.index("Days left") + 1)
    status = openpyxl.utils.get_column_letter(HEADERS.index("Status") + 1)
    assert f"${days}2<0" in rules[0].formula[0] and f"${days}2<=14" in rules[1].formula[0]
    assert f'${status}2="denied"' in rules[0].formula[0]
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["B"] >= 10 and widths[openpyxl.utils.get_column_letter(28)] <= 60


def test_rejected_sheet(tmp_path, sample):
    _, result, book = write(tmp_path, *sample)
    rows = list(book[report.REJECTED].iter_rows(values_only=True))
    assert rows[0] == ("File", "Sheet", "Row", "Column", "Value", "Code", "Reason")
    assert rows[1] == ("export.xlsx", "Sheet1", 9, "DOS", "13/45/2025", "bad-date", "not a date")
    assert rows[2] == ("b.csv", None, 12, "Billed", "=1+1", "bad-amount", "not an amount")
    assert book[report.REJECTED]["E3"].data_type == "s"
    assert result["rejected_rows"] == 2
    assert book[report.REJECTED].freeze_panes == "A2"


def test_no_rejected_rows_says_so(tmp_path, sample):
    classified, _, documents = sample
    *_, book = write(tmp_path, classified, rejected_frame([]), documents)
    rows = list(book[report.REJECTED].iter_rows(values_only=True))
    assert rows[1][0] == "No rows were rejected" and len(rows) == 2


def dashboard_tables(book) -> dict[str, dict[str, tuple]]:
    tables: dict[str, dict[str, tuple]] = {}
    current = None
    for row in book[report.DASHBOARD].iter_rows(values_only=True):
        first = row[0]
        if isinstance(first, str) and first.startswith("By "):
            current = tables.setdefault(first, {})
        elif first is None:
            current = None
        elif current is not None and row[1] != "Lines":
            current[first] = tuple(row[1:4])
    return tables


def test_dashboard_counts_and_dollars(tmp_path, sample):
    *_, book = write(tmp_path, *sample, totals={"lines_read": 9, "files": 2})
    tables = dashboard_tables(book)
    by_pattern = tables["By pattern (denied and needs review)"]
    assert by_pattern == {
        "missing_kx": (1, 1, 1000),
        "wrong_route": (2, 1, 550),
        "units_over_cap": (1, 1, 200),
        "(no pattern)": (1, 1, 80),
    }
    assert list(by_pattern) == ["missing_kx", "wrong_route", "units_over_cap", "(no pattern)"]
    assert tables["By payer (denied and needs review)"] == {
        "UnitedHealthcare": (2, 2, 1080),  # display names, not payer keys
        "Medicare Part B": (3, 2, 750),
    }
    by_status = tables["By status (all lines)"]
    assert by_status["denied"] == (4, 3, 1750) and by_status["paid"] == (1, 1, 0)
    assert by_status["out_of_scope"] == (1, 1, 0) and by_status["needs_review"] == (1, 1, 80)
    values = {
        r[0]: r[1] for r in book[report.DASHBOARD].iter_rows(values_only=True) if r[0] and r[1]
    }
    assert values["Lines read"] == 9 and values["Lines classified"] == 7
    assert values["Rows rejected"] == 2 and values["Files"] == 2
    assert values["Letters"] == 2 and values["Worksheets"] == 1
    assert values["Claims with placeholders to fill"] == 1


def test_dashboard_chart(tmp_path, sample):
    _, result, book = write(tmp_path, *sample)
    charts = book[report.DASHBOARD]._charts
    assert result["chart"] and len(charts) == 1
    series = charts[0].series[0]
    assert "Dashboard" in series.val.numRef.f and "$D$" in series.val.numRef.f


def test_no_denials_no_chart(tmp_path):
    classified = lines([line("C1", 2, status="paid")])
    _, result, book = write(tmp_path, classified, rejected_frame([]))
    assert not result["chart"] and not book[report.DASHBOARD]._charts
    assert len(queue_rows(book)) == 1


def test_empty_input(tmp_path):
    _, result, book = write(tmp_path, lines([]), rejected_frame([]))
    assert result["work_queue_rows"] == 0
    assert list(book[report.WORK_QUEUE].iter_rows(values_only=True)) == [tuple(HEADERS)]


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "=1+1"])
def test_formula_like_input_is_text(tmp_path, evil):
    classified = lines(
        [line(evil, 2, patient_name=evil, evidence=evil, member_id=evil, status="denied")]
    )
    rejected = rejected_frame([{"source_file": evil, "source_row": 3, "value": evil}])
    *_, book = write(tmp_path, classified, rejected)
    ws = book[report.WORK_QUEUE]
    for header in ("Patient", "Evidence", "Member ID", "Claim ID"):
        cell = ws.cell(2, HEADERS.index(header) + 1)
        assert cell.data_type == "s" and cell.value == evil
    for cell in (book[report.REJECTED]["A2"], book[report.REJECTED]["E2"]):
        assert cell.data_type == "s" and cell.value == evil


def test_control_characters_removed(tmp_path):
    classified = lines([line("C1", 2, patient_name="Ann\x00e\x07 O\x1fB\ufffe", evidence="a\tb")])
    rejected = rejected_frame([{"source_row": 3, "value": "x\x0by", "reason": "bad\x1b",
                                "code": "bad-\x1bdate"}])
    *_, book = write(tmp_path, classified, rejected)
    row = queue_rows(book)[0]
    assert row["Patient"] == "Anne OB"
    assert row["Evidence"] == "a\tb"  # tab is allowed
    assert list(book[report.REJECTED].iter_rows(values_only=True))[1][4:] == (
        "xy", "bad-date", "bad")


def test_long_text_capped_at_excel_limit(tmp_path):
    emoji = "\U0001f600" * 20_000  # 40,000 UTF-16 units
    classified = lines([line("C1", 2, evidence="x" * 40_000, correction=emoji)])
    *_, book = write(tmp_path, classified, rejected_frame([]))
    row = queue_rows(book)[0]
    assert row["Evidence"] == "x" * xlsx_table.EXCEL_MAX_CHARS
    assert row["Proposed correction"] == "\U0001f600" * (xlsx_table.EXCEL_MAX_CHARS // 2)


def test_clean_text_keeps_surrogate_pairs_whole():
    text = "a" + "\U0001f600" * 20_000
    out = xlsx_table.clean_text(text)
    assert len(out.encode("utf-16-le")) // 2 <= xlsx_table.EXCEL_MAX_CHARS
    assert out.endswith("\U0001f600")


def test_same_input_same_bytes(tmp_path, sample):
    first, *_ = write(tmp_path, *sample, name="a.xlsx")
    second, *_ = write(tmp_path, *sample, name="b.xlsx")
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(first) == digest(second)


def test_input_order_and_index_do_not_matter(tmp_path, sample):
    classified, rejected, documents = sample
    shuffled = classified.sample(frac=1, random_state=7)
    shuffled.index = [f"i{n}" for n in range(len(shuffled))]
    a, *_ = write(tmp_path, classified, rejected, documents, name="a.xlsx")
    b, *_ = write(tmp_path, shuffled, rejected, documents, name="b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    assert shuffled.columns.tolist() == list(LINE_COLUMNS + CLASSIFIED_COLUMNS)  # not mutated


def test_dates_before_1900_written_as_text(tmp_path):
    classified = lines([line("C1", 2, service_date="1899-06-01")])
    *_, book = write(tmp_path, classified, rejected_frame([]))
    assert queue_rows(book)[0]["DOS"] == "1899-06-01"


def test_unwritable_path_is_output_error(tmp_path, sample):
    with pytest.raises(OutputError, match="work-queue workbook"):
        write_summary(tmp_path / "missing" / "summary.xlsx", *sample, today=TODAY)


def test_nan_free_numbers(tmp_path, sample):
    *_, book = write(tmp_path, *sample)
    for row in queue_rows(book):
        for value in row.values():
            assert not (isinstance(value, float) and math.isnan(value))


def test_only_lines_to_work_get_live_links(tmp_path, sample):
    classified, rejected, documents = sample
    extra = lines([line("C1", 20, status="paid", billed_amount=10.0, paid_amount=10.0)])
    *_, book = write(tmp_path, pd.concat([classified, extra]), rejected, documents)
    ws = book[report.WORK_QUEUE]
    row = next(
        r
        for r in range(2, ws.max_row + 1)
        if ws.cell(r, HEADERS.index("Source row") + 1).value == 20
    )
    letter = ws.cell(row, HEADERS.index("Letter") + 1)
    assert letter.value == "letters/C1.docx" and letter.hyperlink is None
    assert (
        ws.cell(row, HEADERS.index("Placeholders to fill") + 1).value
        == "LCD number;chart reference"
    )


def test_frame_that_is_not_conformed_still_writes(tmp_path):
    frame = pd.DataFrame(
        {
            "claim_id": pd.Series(["C1", None], dtype="str"),
            "status": ["denied", "paid"],
            "billed_amount": ["100", "x"],
            "deadline": ["2025-03-05", None],
            "source_row": [2, 3],
        }
    )
    *_, book = write(tmp_path, frame, rejected_frame([]))
    rows = queue_rows(book)
    assert [r["Claim ID"] for r in rows] == ["C1", None]
    assert rows[0]["Days left"] == 4 and rows[0]["At stake"] == 100
    assert rows[1]["Billed"] is None


def test_work_queue_prints_landscape_fit_to_width_with_titles(tmp_path, sample):
    *_, book = write(tmp_path, *sample)
    ws = book[report.WORK_QUEUE]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 default
    assert ws.print_title_rows.replace("$", "") == "1:1"

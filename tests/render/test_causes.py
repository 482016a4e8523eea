"""Every cause of a line explained on its one document: each pattern that applies gets its own
section (once per claim, main pattern first) with only its own evidence and change, read back
from the DOCX the CLI writes."""

from __future__ import annotations

from pathlib import Path

import docx
from click.testing import CliRunner

from appeals.cli import main
from appeals.jobs.run import classify_files

ROOT = Path(__file__).resolve().parents[2]
ROUTES = ROOT / "samples" / "denials_routes.csv"
OFFICE_PAYERS = ROOT / "samples" / "payers_office.csv"
HEADER = ("claim_id,payer_claim_number,patient_name,member_id,payer_name,service_date,"
          "place_of_service,procedure_code,modifiers,units,billed_amount,paid_amount,"
          "group_code,carc,rarc,remit_date,infusion_start,infusion_stop,sites\n")

WRONG_ROUTE = "Subcutaneous infusion reported with intravenous codes"
KX = "Modifier KX on the SCIG drug line"
JZ = "Drug line without JZ or JW"
ADDON = "Add-on codes reported without the primary code 96369"
UNITS = "Units supported by the documented infusion time and sites"


def _run(tmp_path: Path, *files: Path) -> Path:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [
        "run", *map(str, files), "--payers", str(OFFICE_PAYERS), "--today", "2026-04-30",
        "-o", str(out),
    ])
    assert result.exit_code == 0, result.output
    return out


def _paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _why_sections(paragraphs: list[str]) -> dict[str, list[str]]:
    """The worksheet's "Why each change" part: heading -> its bullets, in document order."""
    start = paragraphs.index("Why each change") + 1
    end = paragraphs.index("Documents to attach")
    sections: dict[str, list[str]] = {}
    current = None
    for text in paragraphs[start:end]:
        if text.startswith("•"):
            sections[current].append(text.lstrip("•\t"))
        else:
            current = text
            assert current not in sections, f"section {current!r} told twice"
            sections[current] = []
    return sections


def test_rt20_worksheet_gives_each_cause_its_own_reason(tmp_path):
    out = _run(tmp_path, ROUTES)
    paragraphs = _paragraphs(out / "worksheets" / "RT-20.docx")
    sections = _why_sections(paragraphs)
    assert list(sections) == [WRONG_ROUTE, KX, JZ]
    route, kx, jz = sections[WRONG_ROUTE], sections[KX], sections[JZ]
    assert "Change: 96365 -> 96369: subcutaneous SCIG by pump" in route
    # each change is told under its own cause, not folded into the main one
    assert not any("KX" in b or "JZ" in b for b in route if b.startswith("Change:"))
    assert kx == [
        "Found: Hizentra (J1559) line has no modifier KX and Novitas JH (Medicare Part B) "
        "requires KX on the SCIG drug line. Denial: CO-4/N115.",
        "Change: append KX to the SCIG drug line",
    ]
    assert jz[0].startswith("Found: Hizentra (J1559) line billed to Original Medicare without "
                            "JZ (none discarded) or JW")
    assert jz[1].startswith("Change: append JZ: no drug discarded")
    # the attachments of every cause are listed, each once
    attach = paragraphs[paragraphs.index("Documents to attach"):]
    assert sum("Prescriber attestation in the chart" in p for p in attach) == 1
    assert sum("amount discarded (if any)" in p for p in attach) == 1


def test_causes_column_tells_each_pattern_apart():
    classified, _, _ = classify_files([ROUTES], payers=OFFICE_PAYERS)
    rows = classified[classified["claim_id"] == "RT-20"].set_index("procedure_code")
    told = [row.split("\t") for row in rows.at["J1559", "causes"].split("\n")]
    assert [t[0] for t in told] == ["wrong_route", "missing_kx", "missing_jz_jw"]
    assert [t[2] for t in told][1] == "append KX to the SCIG drug line"
    assert told[2][2].startswith("append JZ")
    # the combined correction still carries every fix
    assert rows.at["J1559", "corrected_modifiers"] == "JB;KX;JZ"
    # one cause: nothing to tell apart; lines whose service another supplier bills list
    # their other causes but get no section for them
    assert rows.at["96365", "causes"] == ""
    others = classified[classified["route"] == "other_supplier"]
    assert (others["causes"] == "").all()
    assert others["patterns"].str.contains(";").any()


def test_letter_states_the_denial_reason_only_for_the_main_cause(tmp_path):
    source = tmp_path / "addon.csv"
    source.write_text(HEADER + (
        'T-2,ICN2,"Testpatient, Bob",ZZT000002,Novitas Solutions JH,03/02/2026,11,96370,,3,'
        "100.00,0.00,CO,107,N122,04/10/2026,09:00,10:40,1\n"
        'T-2,ICN2,"Testpatient, Bob",ZZT000002,Novitas Solutions JH,03/02/2026,11,J1559,KX;JZ,'
        "60,6000.00,6000.00,,,,04/10/2026,09:00,10:40,1\n"
    ))
    out = _run(tmp_path, source)
    paragraphs = _paragraphs(out / "letters" / "T-2.docx")
    headings = [p for p in paragraphs if p.endswith((ADDON, UNITS))]
    assert headings == [f"1. {ADDON}", f"2. {UNITS}"]
    after_addon = paragraphs[paragraphs.index(f"1. {ADDON}") + 1]
    assert after_addon.startswith("The 96370 line(s) were denied because the primary service")
    units_part = "\n".join(paragraphs[paragraphs.index(f"2. {UNITS}"):])
    assert "96370 units set to what the chart's times and sites support" in units_part
    assert "from 09:00 to 10:40 (100 minutes)" in units_part
    addon_part = "\n".join(
        paragraphs[paragraphs.index(f"1. {ADDON}"):paragraphs.index(f"2. {UNITS}")])
    assert "add 96369, the primary code the add-on needs" in addon_part
    assert "units set to" not in addon_part

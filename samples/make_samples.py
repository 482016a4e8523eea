"""Rebuild the synthetic spreadsheet samples and their expected classification.

Run from the project root: ``python samples/make_samples.py``. Every patient, member id and
claim number is fictional. Two export shapes, as two practice-management systems write them:

- denials_practicepro.xlsx: title rows above the header, aliases (Claim #, DOS, CPT, Adj
  Reason), codes several to a cell (``CO-119/N362``), modifiers in one cell, CPT codes stored
  as numbers, real date cells, chart times; a notes sheet the loader must skip; bad rows.
- denials_clearinghouse.csv: Windows-1252 text, separate Mod1..Mod4 columns, a group-code
  column with bare CARCs, money as ``$1,234.50`` and ``(12.00)``, US text dates.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
D = dt.date

# (claim, icn, patient, member, payer, dos, pos, code, mods, units, charge, allowed, paid,
#  codes, remark, start, stop, sites, route, product, chart, expected)
PP_ROWS = [
    # wrong route: 96365 for SC Hizentra
    ("PP-3001", "ICN2600001", "Testpatient, Alpha", "ZZT000101", "Noridian Healthcare Solutions",
     D(2026, 3, 2), 11, 96365, "", 1, 310.0, 0, 0, "CO-4", "N657", "09:00", "10:40", 2, "SC",
     "Hizentra", "", "wrong_route"),
    ("PP-3001", "ICN2600001", "Testpatient, Alpha", "ZZT000101", "Noridian Healthcare Solutions",
     D(2026, 3, 2), 11, "J1559", "JB KX", 80, 4200.0, 3900.0, 3120.0, "CO-45, PR-2", "", "", "",
     "", "", "", "", "paid"),
    # 96371 over the cap, no justification -> corrected claim
    ("PP-3002", "ICN2600002", "Testpatient, Bravo", "ZZT000102", "Palmetto GBA",
     D(2026, 3, 3), 11, 96369, "", 1, 260.0, 180.0, 144.0, "CO-45", "", "", "", "", "", "",
     "", "paid"),
    ("PP-3002", "ICN2600002", "Testpatient, Bravo", "ZZT000102", "Palmetto GBA",
     D(2026, 3, 3), 11, 96371, "", 3, 240.0, 0, 0, "CO-119/N362", "", "", "", "", "", "", "",
     "units_over_cap"),
    # 96371 over the cap with a justification in the chart -> appeal
    ("PP-3003", "ICN2600003", "Testpatient, Charlie", "ZZT000103", "UnitedHealthcare",
     D(2026, 3, 4), 22, 96369, "", 1, 260.0, 200.0, 160.0, "CO-45", "", "", "", "", "", "", "",
     "paid"),
    ("PP-3003", "ICN2600003", "Testpatient, Charlie", "ZZT000103", "UnitedHealthcare",
     D(2026, 3, 4), 22, 96371, "", 3, 240.0, 0, 0, "CO-119", "N362", "", "", "", "", "",
     "Nursing note 2026-03-04, p.2", "units_over_cap"),
    # add-on without the primary
    ("PP-3004", "ICN2600004", "Testpatient, Delta", "ZZT000104", "Aetna",
     D(2026, 3, 5), 11, 96370, "", 1, 120.0, 0, 0, "CO-107;N122", "", "", "", "", "", "", "",
     "addon_without_primary"),
    ("PP-3004", "ICN2600004", "Testpatient, Delta", "ZZT000104", "Aetna",
     D(2026, 3, 5), 11, 96371, "", 1, 110.0, 0, 0, "CO107 N122", "", "", "", "", "", "", "",
     "addon_without_primary"),
    # home place of service
    ("PP-3005", "ICN2600005", "Testpatient, Echo", "ZZT000105", "Humana",
     D(2026, 3, 6), 12, 96369, "", 1, 260.0, 0, 0, "CO-58", "N428", "", "", "", "", "", "",
     "site_of_care"),
    # clinic place of service questioned -> appeal
    ("PP-3006", "ICN2600006", "Testpatient, Foxtrot", "ZZT000106", "Cigna",
     D(2026, 3, 9), 19, 96369, "", 1, 260.0, 0, 0, "CO-5", "M77", "", "", "", "", "", "",
     "site_of_care"),
    # missing KX on the drug line (Medicare)
    ("PP-3007", "ICN2600007", "Testpatient, Golf", "ZZT000107", "CGS Administrators",
     D(2026, 3, 10), 11, 96369, "", 1, 260.0, 180.0, 144.0, "CO-45", "", "", "", "", "", "", "",
     "paid"),
    ("PP-3007", "ICN2600007", "Testpatient, Golf", "ZZT000107", "CGS Administrators",
     D(2026, 3, 10), 11, "J1555", "JB", 100, 5100.0, 0, 0, "CO-4", "N115", "", "", "", "", "",
     "", "missing_kx"),
    # KX on the administration line instead of the drug line
    ("PP-3008", "ICN2600008", "Testpatient, Hotel", "ZZT000108", "Medicare Part B",
     D(2026, 3, 11), 11, 96369, "KX", 1, 260.0, 180.0, 144.0, "CO-45", "", "", "", "", "", "",
     "", "paid"),
    ("PP-3008", "ICN2600008", "Testpatient, Hotel", "ZZT000108", "Medicare Part B",
     D(2026, 3, 11), 11, "J1558", "JB", 60, 3600.0, 0, 0, "CO-4", "", "", "", "", "", "", "",
     "kx_on_admin_line"),
    # IV and SC infusion on one encounter
    ("PP-3009", "ICN2600009", "Testpatient, India", "ZZT000109", "Aetna",
     D(2026, 3, 12), 11, 96365, "", 1, 310.0, 0, 0, "CO-236", "N20", "", "", "", "", "", "",
     "iv_and_sc_same_encounter"),
    ("PP-3009", "ICN2600009", "Testpatient, India", "ZZT000109", "Aetna",
     D(2026, 3, 12), 11, 96369, "", 1, 260.0, 200.0, 160.0, "CO-45", "", "", "", "", "", "", "",
     "paid"),
    # 96370 billed x2 where the chart times support one further hour
    ("PP-3010", "ICN2600010", "Testpatient, Juliet", "ZZT000110", "Noridian",
     D(2026, 3, 13), 11, 96369, "", 1, 260.0, 180.0, 144.0, "CO-45", "", "09:05", "10:50", 2,
     "SC", "Cuvitru", "", "paid"),
    ("PP-3010", "ICN2600010", "Testpatient, Juliet", "ZZT000110", "Noridian",
     D(2026, 3, 13), 11, 96370, "", 2, 240.0, 0, 0, "CO-151", "", "09:05", "10:50", 2, "SC",
     "Cuvitru", "", "time_units_mismatch"),
    # near-misses: 96371 at the cap (needs review); 96370 with its 96369 on the claim
    ("PP-3011", "ICN2600011", "Testpatient, Kilo", "ZZT000111", "Noridian",
     D(2026, 3, 16), 11, 96369, "", 1, 260.0, 180.0, 144.0, "CO-45", "", "", "", "", "", "", "",
     "paid"),
    ("PP-3011", "ICN2600011", "Testpatient, Kilo", "ZZT000111", "Noridian",
     D(2026, 3, 16), 11, 96371, "", 2, 160.0, 0, 0, "CO-119", "", "", "", "", "", "", "",
     "needs_review"),
    # Gamunex-C given IV: not SCIG, so out of scope
    ("PP-3012", "ICN2600012", "Testpatient, Lima", "ZZT000112", "Cigna",
     D(2026, 3, 17), 22, 96365, "", 1, 310.0, 0, 0, "CO-197", "", "", "", "", "IV", "Gamunex-C",
     "", "out_of_scope"),
    # an office visit denied for authorization: out of scope
    ("PP-3013", "ICN2600013", "Testpatient, Mike", "ZZT000113", "UnitedHealthcare",
     D(2026, 3, 18), 11, 99214, "", 1, 180.0, 0, 0, "CO-197", "", "", "", "", "", "", "",
     "out_of_scope"),
    # a hospital outpatient department line, paid
    ("PP-3014", "ICN2600014", "Testpatient, November", "ZZT000114", "Humana",
     D(2026, 3, 19), 22, 96369, "", 1, 410.0, 300.0, 240.0, "CO-45", "", "", "", "", "", "", "",
     "paid"),
]

HEADER_PP = [
    "Claim #", "ICN", "Patient Name", "Member ID", "Payer", "DOS", "POS", "CPT", "Modifiers",
    "Units", "Charges", "Allowed", "Paid", "Adj Reason", "Remark", "Start Time", "Stop Time",
    "Sites", "Route", "Product", "Chart Ref", "Check Date", "Check #",
]


def write_practicepro(path: Path) -> list[tuple[str, int, str, str, str]]:
    expected = []
    wb = xlsxwriter.Workbook(path)
    wb.set_properties({"created": dt.datetime(2026, 4, 1)})
    datefmt = wb.add_format({"num_format": "mm/dd/yyyy"})
    notes = wb.add_worksheet("Read me")
    notes.write(0, 0, "Synthetic sample: fictional patients, not real data.")
    ws = wb.add_worksheet("Denials")
    ws.merge_range(0, 0, 0, 5, "Example Infusion Clinic - Denial Detail Report")
    ws.write(1, 0, "Run: 04/01/2026   Practice: EXAMPLE INFUSION CLINIC")
    for col, name in enumerate(HEADER_PP):
        ws.write(3, col, name)
    row = 4
    for rec in PP_ROWS:
        (claim, icn, patient, member, payer, dos, pos, code, mods, units, charge, allowed, paid,
         codes, remark, start, stop, sites, route, product, chart, exp) = rec
        values = [claim, icn, patient, member, payer, None, pos, code, mods, units, charge,
                  allowed, paid, codes, remark, start, stop, sites, route, product, chart,
                  None, "CHK-880021"]
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            ws.write(row, col, value)
        ws.write_datetime(row, 5, dt.datetime.combine(dos, dt.time()), datefmt)
        ws.write_datetime(row, 21, dt.datetime(2026, 3, 27), datefmt)
        expected.append(("denials_practicepro.xlsx", row + 1, claim, str(code), exp))
        row += 1
    # bad rows: each must be listed as rejected, never dropped
    ws.write_row(row, 0, ["", "ICN2600099", "Testpatient, Oscar", "ZZT000199", "Aetna"])
    ws.write(row, 5, "03/20/2026")
    ws.write_row(row, 6, [11, 96369, "", 1, 260.0, 0, 0, "CO-16"])
    expected.append(("denials_practicepro.xlsx", row + 1, "", "96369", "rejected"))
    row += 1
    ws.write_row(row, 0, ["PP-3015", "ICN2600015", "Testpatient, Papa", "ZZT000115", "Aetna",
                          "02/30/2026", 11, 96369, "", 1, 260.0, 0, 0, "CO-16"])
    expected.append(("denials_practicepro.xlsx", row + 1, "PP-3015", "96369", "rejected"))
    row += 1
    ws.write_row(row, 0, ["PP-3016", "ICN2600016", "Testpatient, Quebec", "ZZT000116", "Aetna"])
    ws.write_datetime(row, 5, dt.datetime(2026, 3, 20), datefmt)
    ws.write_row(row, 6, [11, 96370, "", "two", 120.0, 0, 0, "CO-16"])
    expected.append(("denials_practicepro.xlsx", row + 1, "PP-3016", "96370", "rejected"))
    row += 1
    ws.write(row, 0, "Total")
    ws.write(row, 10, sum(r[10] for r in PP_ROWS))
    expected.append(("denials_practicepro.xlsx", row + 1, "Total", "", "rejected"))
    wb.close()
    return expected


HEADER_CH = [
    "Patient Acct", "Payer Claim #", "Pat Name", "Subscriber ID", "Pyr Nam", "Svc Date",
    "Place of Service", "Proc Code", "Mod1", "Mod2", "Mod3", "Mod4", "Qty", "Bill Amt",
    "Allwd Amt", "Pd Amt", "Group Code", "Reason Code", "Remark Code", "Paid Date",
    "EFT Number",
]

# (acct, icn, patient, member, payer, dos, pos, code, mods, qty, billed, allowed, paid,
#  group, reason, remark, expected)
CH_ROWS = [
    ("CH-5001", "DCN55001", "Peña-Test, Rosa", "ZZC000201", "Palmetto GBA JM", "04/06/2026", "11",
     "96366", "", "1", "$150.00", "$0.00", "$0.00", "CO", "4", "N657", "wrong_route"),
    ("CH-5001", "DCN55001", "Peña-Test, Rosa", "ZZC000201", "Palmetto GBA JM", "04/06/2026", "11",
     "96365", "", "1", "$310.00", "$0.00", "$0.00", "CO", "4", "N657", "wrong_route"),
    ("CH-5001", "DCN55001", "Peña-Test, Rosa", "ZZC000201", "Palmetto GBA JM", "04/06/2026", "11",
     "J1575", "JB|KX", "", "", "", "", "", "", "", ""),  # filled below as paid
    ("CH-5002", "DCN55002", "Testperson, Sierra", "ZZC000202", "Cigna HealthCare", "4/7/2026",
     "011", "96369", "", "1.0", "$260.00", "$200.00", "$160.00", "CO", "45", "", "paid"),
    ("CH-5002", "DCN55002", "Testperson, Sierra", "ZZC000202", "Cigna HealthCare", "4/7/2026",
     "011", "96371", "", "4", "$320.00", "$0.00", "$0.00", "Contractual Obligation", "119",
     "N362", "units_over_cap"),
    ("CH-5003", "DCN55003", "Testperson, Tango", "ZZC000203", "WPS Government Health",
     "2026-04-08", "22", "96370", "", "2", "$240.00", "$0.00", "$0.00", "CO", "B15", "",
     "addon_without_primary"),
    ("CH-5004", "DCN55004", "Testperson, Uniform", "ZZC000204", "First Coast Service Options",
     "04/09/2026", "11", "96369", "", "1", "$260.00", "$180.00", "$144.00", "CO", "45", "",
     "paid"),
    ("CH-5004", "DCN55004", "Testperson, Uniform", "ZZC000204", "First Coast Service Options",
     "04/09/2026", "11", "J1551", "JB", "48", "$3,120.00", "$0.00", "$0.00", "CO", "50",
     "N115", "missing_kx"),
    ("CH-5005", "DCN55005", "Testperson, Victor", "ZZC000205", "Medicare", "04/10/2026", "12",
     "96370", "", "1", "$120.00", "$0.00", "$0.00", "CO", "58", "", "site_of_care"),
    ("CH-5006", "DCN55006", "Testperson, Whiskey", "ZZC000206", "Humana Gold Plus",
     "04/13/2026", "11", "96369", "KX", "1", "$260.00", "$0.00", "$0.00", "CO", "4", "",
     "kx_on_admin_line"),
    ("CH-5006", "DCN55006", "Testperson, Whiskey", "ZZC000206", "Humana Gold Plus",
     "04/13/2026", "11", "J1559", "JB", "80", "$4,200.00", "$3,900.00", "$3,120.00", "CO", "45",
     "", "paid"),
    ("CH-5007", "DCN55007", "Testperson, Xray", "ZZC000207", "Aetna", "04/14/2026", "11",
     "99213", "25", "1", "$95.00", "$0.00", "$0.00", "PR", "204", "", "out_of_scope"),
    ("CH-5008", "DCN55008", "Testperson, Yankee", "ZZC000208", "Aetna", "04/15/2026", "11",
     "96369", "", "1", "$260.00", "$200.00", "($12.00)", "CO", "45", "", "paid"),
]


def write_clearinghouse(path: Path) -> list[tuple[str, int, str, str, str]]:
    rows = [list(r) for r in CH_ROWS]
    rows[2] = ["CH-5001", "DCN55001", "Peña-Test, Rosa", "ZZC000201", "Palmetto GBA JM",
               "04/06/2026", "11", "J1575", "JB|KX", "60", "$5,400.00", "$5,000.00", "$4,000.00",
               "CO", "45", "", "paid"]
    expected = []
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER_CH)
        for number, rec in enumerate(rows, start=2):
            (acct, icn, patient, member, payer, dos, pos, code, mods, qty, billed, allowed, paid,
             group, reason, remark, exp) = rec
            m = (mods.split("|") + ["", "", "", ""])[:4]
            writer.writerow([acct, icn, patient, member, payer, dos, pos, code, *m, qty, billed,
                             allowed, paid, group, reason, remark, "04/24/2026", "EFT0098812"])
            expected.append(("denials_clearinghouse.csv", number, acct, code, exp))
        # a row with text money: rejected with its reason
        writer.writerow(["CH-5009", "DCN55009", "Testperson, Zulu", "ZZC000209", "Aetna",
                         "04/16/2026", "11", "96369", "", "", "", "", "1", "twelve dollars", "$0.00",
                         "$0.00", "CO", "16", "", "04/24/2026", "EFT0098812"])
        expected.append(("denials_clearinghouse.csv", len(rows) + 2, "CH-5009", "96369", "rejected"))
    return expected


def main() -> None:
    expected = write_practicepro(HERE / "denials_practicepro.xlsx")
    expected += write_clearinghouse(HERE / "denials_clearinghouse.csv")
    with (HERE / "expected_classification.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_file", "source_row", "claim_id", "procedure_code", "expected"])
        writer.writerows(expected)


if __name__ == "__main__":
    main()

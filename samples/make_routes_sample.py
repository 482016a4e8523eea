"""Write samples/denials_routes.csv and samples/expected_routes.csv.

One claim per row of the routing table (appeals/data/routes.csv) and per group code, with
the route, deadline and documents each must get when classified on 2026-04-30 with the
packaged tables and samples/payers_office.csv: the packaged payer table as an office would
configure it (OFFICE below: whether it is contracted with two Medicare Advantage plans, one
contract's dispute window, one MAC's written reopening form), all fictional entries.
Every patient is fictional. Run: python samples/make_routes_sample.py
"""

from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADERS = ["Claim #", "Payer Claim #", "Patient Name", "Member ID", "Payer", "DOS", "POS",
           "Rev Code", "CPT", "Modifiers", "Units", "Charge", "Paid", "Group Code",
           "Reason Code", "Remark Code", "Remit Date", "Start", "Stop", "Number of Sites",
           "Justification"]
PAID = ("", "45", "")  # group, reason, remark of a paid line
# A sample office's own settings on top of the packaged payer table (fictional entries).
OFFICE = {
    "humana_ma": {"contracted": "no"},
    "uhc_ma": {"contracted": "yes", "contract_window_days": "90"},
    "cgs_j15": {"reopening_form": "Example reopening form (sample office entry)"},
}

# claim, payer, pos, rev, scenario, [(code, mods, units, paid, (group, carc, rarc))],
# remit date, chart (start, stop, sites, justification), expected route, deadline, documents
CLAIMS = [
    ("RT-01", "Novitas Solutions JH", "11", "", "Medicare A/B professional, units on a billed line",
     [("96369", "", 1, 260, PAID), ("96371", "", 3, 0, ("CO", "119", "N362"))],
     "04/10/2026", None, "reopening", "2027-04-10", "reopening script"),
    ("RT-02", "Novitas Solutions JL", "", "0510", "Medicare A/B institutional, KX on the drug line",
     [("96369", "", 1, 260, PAID), ("J1559", "JB JZ", 40, 0, ("CO", "4", "N115"))],
     "04/10/2026", None, "corrected_claim", "2027-03-02", "corrected-claim worksheet (UB-04 xx7)"),
    ("RT-03", "Noridian JF", "11", "", "Medicare A/B, add-on without its primary (a line to add)",
     [("96370", "", 1, 0, ("CO", "107", "N122"))],
     "04/10/2026", None, "redetermination", "2026-08-13", "letter"),
    ("RT-04", "Noridian JE", "11", "", "Medicare A/B, disagreement (office POS denied)",
     [("96369", "", 1, 0, ("CO", "58", "N428")), ("J1559", "JB KX JZ", 40, 2100, PAID)],
     "04/10/2026", None, "redetermination", "2026-08-13", "letter"),
    ("RT-05", "First Coast Service Options", "11", "", "Medicare, unprocessable (MA130)",
     [("96369", "", 1, 260, PAID), ("J1559", "JB JZ", 40, 0, ("CO", "16", "MA130"))],
     "04/10/2026", None, "new_claim", "2027-03-02", "new-claim worksheet"),
    ("RT-06", "Noridian JD DME", "12", "", "DME MAC, KX on the drug line",
     [("J1559", "JB JZ", 40, 0, ("CO", "4", "N115"))],
     "04/10/2026", None, "reopening", "2027-04-10", "reopening script"),
    ("RT-07", "Humana Gold Plus", "11", "", "Medicare Advantage (not contracted), units above the cap with a justification",
     [("96369", "", 1, 260, PAID), ("96371", "", 3, 0, ("CO", "119", "N362"))],
     "04/10/2026", ("09:00", "10:30", 4, "Four sites: could not tolerate the volume at three"),
     "reconsideration", "2026-06-14", "letter (Waiver of Liability enclosed)"),
    ("RT-08", "AARP Medicare Advantage", "11", "", "Medicare Advantage, KX on the drug line",
     [("96369", "", 1, 260, PAID), ("J1555", "JB", 80, 0, ("CO", "4", "N115"))],
     "04/10/2026", None, "corrected_claim", "2026-05-31", "corrected-claim worksheet"),
    ("RT-09", "eMedNY", "11", "", "Medicaid, IV code for an SC infusion",
     [("96365", "", 1, 0, ("CO", "4", "N657")), ("J1559", "JB", 60, 3000, PAID)],
     "04/10/2026", None, "corrected_claim", "2026-05-31", "corrected-claim worksheet"),
    ("RT-10", "Aetna", "11", "", "Commercial, disagreement (office POS denied)",
     [("96369", "", 1, 0, ("CO", "58", "N428")), ("J1559", "JB", 60, 3000, PAID)],
     "04/10/2026", None, "reconsideration", "2026-10-07", "letter"),
    ("RT-11", "Cigna", "11", "", "Commercial, no authorization (CO-197)",
     [("96369", "", 1, 0, ("CO", "197", "")), ("J1558", "JB", 100, 4800, PAID)],
     "04/10/2026", None, "reconsideration", "2026-10-07", "letter"),
    ("RT-12", "Noridian JF", "11", "", "Medicare, patient responsibility (PR-50)",
     [("96369", "", 1, 0, ("PR", "50", "")), ("J1559", "JB KX JZ", 40, 2100, PAID)],
     "04/10/2026", None, "patient_responsibility", "", "none (queue row)"),
    ("RT-13", "UnitedHealthcare", "11", "", "Commercial, patient responsibility (PR-96)",
     [("96369", "", 1, 0, ("PR", "96", "N425")), ("J1559", "JB", 60, 3000, PAID)],
     "04/10/2026", None, "patient_responsibility", "", "none (queue row)"),
    ("RT-14", "Aetna", "11", "", "Duplicate (OA-18)",
     [("96369", "", 1, 0, ("OA", "18", ""))],
     "04/10/2026", None, "no_action", "", "none (queue row)"),
    ("RT-15", "Cigna", "11", "", "Benefit carve-out (PR-204/N130)",
     [("96369", "", 1, 260, PAID), ("J1558", "JB", 100, 0, ("PR", "204", "N130"))],
     "04/10/2026", None, "other_supplier", "", "none (queue row)"),
    ("RT-16", "Palmetto GBA JJ", "22", "", "Facility POS on a professional claim",
     [("96369", "", 1, 0, ("CO", "58", "N428"))],
     "04/10/2026", None, "other_supplier", "", "none (queue row)"),
    ("RT-17", "Noridian JF", "12", "", "Medicare, home (POS 12)",
     [("96369", "", 1, 0, ("CO", "58", "N428"))],
     "04/10/2026", None, "other_supplier", "", "none (queue row)"),
    ("RT-18", "Aetna", "12", "", "Commercial, home (POS 12)",
     [("96369", "", 1, 0, ("CO", "58", "N428"))],
     "04/10/2026", None, "other_supplier", "", "none (queue row)"),
    ("RT-19", "Aetna", "11", "", "IV line on an SC encounter whose SC line paid",
     [("96365", "", 1, 0, ("CO", "236", "N20")), ("96369", "", 1, 260, PAID)],
     "04/10/2026", None, "no_action", "", "none (queue row)"),
    ("RT-20", "Novitas Solutions JH", "11", "", "Two causes on one line (wrong route, KX, JZ)",
     [("96365", "", 1, 0, ("CO", "4", "N657")), ("J1559", "JB", 60, 0, ("CO", "4", "N115"))],
     "04/10/2026", ("09:00", "10:40", 2, ""), "reopening", "2027-04-10",
     "reopening script + separate new-claim lines"),
    ("RT-21", "Noridian JF", "11", "", "Late: redetermination past its window",
     [("96369", "", 1, 0, ("CO", "58", "N428")), ("J1559", "JB KX JZ", 40, 2100, PAID)],
     "10/01/2025", None, "redetermination", "2026-02-03", "letter (good cause, past due)"),
    ("RT-22", "Noridian JF", "11", "", "No pattern explains it",
     [("96369", "", 1, 260, PAID), ("96371", "", 2, 0, ("CO", "119", ""))],
     "04/10/2026", None, "review", "2026-08-13", "none (queue row)"),
    ("RT-23", "UnitedHealthcare Medicare Advantage", "11", "",
     "Medicare Advantage (contracted), units above the cap with a justification",
     [("96369", "", 1, 260, PAID), ("96371", "", 3, 0, ("CO", "119", "N362"))],
     "04/10/2026", ("09:00", "10:00", 4, "Four sites: could not tolerate the volume at three"),
     "reconsideration", "2026-07-09", "letter (payment dispute under the agreement)"),
    ("RT-24", "Wellcare", "11", "",
     "Medicare Advantage, contract status not configured, office POS denied",
     [("96369", "", 1, 0, ("CO", "58", "N428")), ("J1559", "JB", 60, 3000, PAID)],
     "04/10/2026", None, "reconsideration", "2026-06-14",
     "letter (contract status placeholder, Waiver of Liability if not contracted)"),
    ("RT-25", "Noridian JF", "11", "", "Medicare, no authorization (CO-197)",
     [("96369", "", 1, 0, ("CO", "197", "")), ("J1559", "JB KX JZ", 40, 2100, PAID)],
     "04/10/2026", None, "review", "2026-08-13", "none (queue row)"),
    ("RT-26", "UnitedHealthcare", "22", "",
     "Facility POS on a professional claim, denied for units over the cap",
     [("96369", "", 1, 260, PAID), ("96371", "", 3, 0, ("CO", "119", "N362"))],
     "04/10/2026", None, "other_supplier", "", "none (queue row)"),
    ("RT-27", "CGS J15", "22", "",
     "Facility POS, the office's infusion record shows the office (MAC with a written form)",
     [("96369", "", 1, 0, ("CO", "58", "N428")), ("J1559", "JB KX JZ", 40, 2100, PAID)],
     "04/10/2026", ("09:00", "10:00", 1, ""), "reopening", "2027-04-10",
     "reopening script (POS 22 -> 11, written form)"),
]
DOS = "03/02/2026"
OTHER_DOS = {"RT-21": "09/02/2025"}  # the late claim: served and decided in 2025
NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
         "Juliett", "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo",
         "Sierra", "Tango", "Uniform", "Victor", "Whiskey", "Xray", "Yankee", "Zulu", "Ember",
         "Fjord", "Garnet"]


def write_office_payers() -> None:
    """The packaged payer table with the sample office's settings (OFFICE) filled in."""
    source = HERE.parent / "appeals" / "data" / "payers.csv"
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row.update(OFFICE.get(row["payer"], {}))
    with (HERE / "payers_office.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        out.writeheader()
        out.writerows(rows)


def main() -> None:
    write_office_payers()
    with (HERE / "denials_routes.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(HEADERS)
        for k, (claim, payer, pos, rev, _, lines, remit, chart, *_) in enumerate(CLAIMS):
            start, stop, sites, why = chart or ("", "", "", "")
            for code, mods, units, paid, (group, carc, rarc) in lines:
                charge = 100.0 * units if code.startswith("J") else 260.0
                out.writerow([claim, f"ICN26{k + 1:05d}", f"Testroute, {NAMES[k]}",
                              f"ZZR{k + 1:06d}", payer, OTHER_DOS.get(claim, DOS), pos, rev,
                              code, mods, units,
                              f"{charge:.2f}", f"{paid:.2f}", group, carc, rarc, remit, start,
                              stop, sites, why])
    with (HERE / "expected_routes.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["claim_id", "scenario", "payer", "route", "deadline", "documents"])
        for claim, payer, _, _, scenario, *_, route, deadline, documents in CLAIMS:
            out.writerow([claim, scenario, payer, route, deadline, documents])


if __name__ == "__main__":
    main()

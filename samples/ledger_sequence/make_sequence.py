"""Write the ledger sample: four synthetic 835 remittances over three months.

Every patient, member id, claim and amount is fictional. The story:

1. 0601 Medicare (Noridian): SEQ-2001 and SEQ-2002, 96369 at POS 11 denied CO-58/N428
   (site of care; an appeal: redetermination).
2. 0603 UnitedHealthcare: SEQ-3001 96369 denied CO-58/N428 (reconsideration); SEQ-3002
   96371 x3 denied CO-119/N362 (units over the cap: corrected claim).
3. 0715 Medicare: SEQ-2001 reversed and readjudicated in the same file, 96369 now paid
   (won); SEQ-2002 denied again after its redetermination (lost: next level QIC).
4. 0801 UnitedHealthcare: SEQ-3001 partly paid (partly won); SEQ-3002's corrected claim
   paid under a new payer claim number (won).

Run: python samples/ledger_sequence/make_sequence.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
MEDICARE = ("NORIDIAN HEALTHCARE SOLUTIONS", "01112")
UHC = ("UNITEDHEALTHCARE", "87726")


def svc(code, billed, paid, cas=(), remark="", lcn="", units=1, dos=""):
    segs = [f"SVC*HC:{code}*{billed:.2f}*{paid:.2f}**{units}", f"DTM*472*{dos}"]
    segs += [f"CAS*{g}*{c}*{a:.2f}" for g, c, a in cas]
    if lcn:
        segs.append(f"REF*6R*{lcn}")
    if remark:
        segs.append(f"LQ*HE*{remark}")
    return segs


def claim(cid, status, billed, paid, icn, patient, member, dos, lines):
    last, first = patient
    segs = [
        f"CLP*{cid}*{status}*{billed:.2f}*{paid:.2f}*0*12*{icn}*11*1",
        f"NM1*QC*1*{last}*{first}****MI*{member}",
        "NM1*82*1*EXAMPLE*PROVIDER****XX*1234567893",
        f"DTM*232*{dos}",
    ]
    for line in lines:
        segs += line
    return segs


def remit(name, payer, date, trace, claims):
    body = [
        f"BPR*I*0*C*ACH*CCP*01*999999999*DA*000111*1999999999**01*999999998*DA*000222*{date}",
        f"TRN*1*{trace}*1999999999",
        f"DTM*405*{date}",
        f"N1*PR*{payer[0]}*XV*{payer[1]}",
        "N1*PE*EXAMPLE INFUSION CLINIC*XX*1234567893",
        "LX*1",
    ]
    for c in claims:
        body += c
    st = ["ST*835*0001*005010X221A1", *body]
    st.append(f"SE*{len(st) + 1}*0001")
    head = [
        f"ISA*00*          *00*          *ZZ*SAMPLECLEARING *ZZ*EXAMPLECLINIC  *{date[2:]}*0900*^*00501*{trace[-9:]:0>9}*0*T*:",
        f"GS*HP*SAMPLECLEARING*EXAMPLECLINIC*{date}*0900*1*X*005010X221A1",
    ]
    text = "~\n".join([*head, *st, "GE*1*1", f"IEA*1*{trace[-9:]:0>9}"]) + "~\n"
    (HERE / name).write_text(text, encoding="ascii")


ALICE, BRUNO, CARLA, DMITRI = (("TESTPATIENT", "ALICE"), ("TESTPATIENT", "BRUNO"),
                               ("TESTPATIENT", "CARLA"), ("TESTPATIENT", "DMITRI"))
DRUG = 2400.00


def drug_paid(dos, lcn):
    return svc("J1559:JB:KX", DRUG, 1536.00, [("CO", "45", 480.00), ("PR", "2", 384.00)], lcn=lcn,
               units=80, dos=dos)


def main() -> None:
    pos = [("CO", "58", 210.00)]
    remit("01_medicare_0601.835", MEDICARE, "20260601", "EFT000000601", [
        claim("SEQ-2001", "1", 2610.00, 1536.00, "26150100001", ALICE, "ZZ0000101", "20260512", [
            svc("96369", 210.00, 0.00, pos, "N428", "SEQ-2001-1", dos="20260512"),
            drug_paid("20260512", "SEQ-2001-2")]),
        claim("SEQ-2002", "1", 2610.00, 1536.00, "26150100002", BRUNO, "ZZ0000102", "20260513", [
            svc("96369", 210.00, 0.00, pos, "N428", "SEQ-2002-1", dos="20260513"),
            drug_paid("20260513", "SEQ-2002-2")]),
    ])
    remit("02_uhc_0603.835", UHC, "20260603", "EFT000000603", [
        claim("SEQ-3001", "1", 2610.00, 1536.00, "UHC3001A", CARLA, "ZZ0000103", "20260514", [
            svc("96369", 210.00, 0.00, pos, "N428", "SEQ-3001-1", dos="20260514"),
            drug_paid("20260514", "SEQ-3001-2")]),
        claim("SEQ-3002", "1", 2790.00, 1670.40, "UHC3002A", DMITRI, "ZZ0000104", "20260515", [
            svc("96369", 210.00, 134.40, [("CO", "45", 42.00), ("PR", "2", 33.60)], lcn="SEQ-3002-1",
                dos="20260515"),
            svc("96371", 180.00, 0.00, [("CO", "119", 180.00)], "N362", "SEQ-3002-2", units=3,
                dos="20260515"),
            drug_paid("20260515", "SEQ-3002-3")]),
    ])
    remit("03_medicare_0715.835", MEDICARE, "20260715", "EFT000000715", [
        # The payer's reversal of its first decision, then the readjudication: the latest word.
        claim("SEQ-2001", "22", -2610.00, -1536.00, "26150100001", ALICE, "ZZ0000101", "20260512", [
            svc("96369", -210.00, 0.00, [("CO", "58", -210.00)], "N428", "SEQ-2001-1", dos="20260512"),
            svc("J1559:JB:KX", -DRUG, -1536.00, [("CO", "45", -480.00), ("PR", "2", -384.00)],
                lcn="SEQ-2001-2", units=80, dos="20260512")]),
        claim("SEQ-2001", "1", 2610.00, 1670.40, "26196100001", ALICE, "ZZ0000101", "20260512", [
            svc("96369", 210.00, 134.40, [("CO", "45", 42.00), ("PR", "2", 33.60)], lcn="SEQ-2001-1",
                dos="20260512"),
            drug_paid("20260512", "SEQ-2001-2")]),
        claim("SEQ-2002", "4", 210.00, 0.00, "26196100002", BRUNO, "ZZ0000102", "20260513", [
            svc("96369", 210.00, 0.00, pos, "N428", "SEQ-2002-1", dos="20260513")]),
    ])
    remit("04_uhc_0801.835", UHC, "20260801", "EFT000000801", [
        claim("SEQ-3001", "1", 210.00, 100.00, "UHC3001A", CARLA, "ZZ0000103", "20260514", [
            svc("96369", 210.00, 100.00, [("CO", "58", 110.00)], "N428", "SEQ-3001-1",
                dos="20260514")]),
        claim("SEQ-3002", "1", 2730.00, 1728.00, "UHC3002B", DMITRI, "ZZ0000104", "20260515", [
            svc("96369", 210.00, 134.40, [("CO", "45", 42.00), ("PR", "2", 33.60)], lcn="SEQ-3002-1",
                dos="20260515"),
            svc("96371", 120.00, 57.60, [("CO", "45", 48.00), ("PR", "2", 14.40)], lcn="SEQ-3002-2",
                units=2, dos="20260515"),
            drug_paid("20260515", "SEQ-3002-3")]),
    ])


if __name__ == "__main__":
    main()

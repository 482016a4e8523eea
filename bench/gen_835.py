"""Generate a large synthetic X12 835 file for benchmarking ``appeals.readers.x12.read_835``.

Every payer, patient, member id and NPI is fictional. The mix is mostly paid office visits
and SCIG administrations, with a share of SCIG denials (CO-119/N362 on 96371, CO-107/N122
on add-ons, CO-4 on J-codes), a few whole-claim denials and reversals.

    python bench/gen_835.py 20000 /tmp/big.835
    python -c "import time; from appeals.readers.x12 import read_835; t=time.perf_counter(); \\
        l, r, rep = read_835('/tmp/big.835'); print(len(l), time.perf_counter()-t)"
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

PAYERS = ("NORIDIAN HEALTHCARE SOLUTIONS", "EXAMPLE HEALTH PLAN", "SAMPLE MUTUAL INSURANCE")
FIRST = ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL")


def _svc(
    rng: random.Random, code: str, billed: float, paid: float, units: int, dos: str, cas: list[str]
) -> list[str]:
    segs = [f"SVC*HC:{code}*{billed:.2f}*{paid:.2f}**{units}", f"DTM*472*{dos}"]
    segs += cas
    segs.append(f"REF*6R*{rng.randint(10**9, 10**10 - 1)}")
    if paid > 0:
        segs.append(f"AMT*B6*{paid:.2f}")
    return segs


def _claim(n: int, rng: random.Random) -> list[str]:
    dos = f"2025{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    roll = rng.random()
    status = "1"
    lines: list[list[str]] = []
    if roll < 0.55:  # paid office visit
        lines.append(_svc(rng, "99213", 150, 92.5, 1, dos, ["CAS*CO*45*57.50"]))
    elif roll < 0.85:  # paid SCIG administration
        lines.append(_svc(rng, "96369", 210, 160.0, 1, dos, ["CAS*CO*45*50.00"]))
        lines.append(_svc(rng, "96370", 95, 70.0, 1, dos, ["CAS*CO*45*25.00"]))
        lines.append(_svc(rng, "96371", 60, 45.0, 2, dos, ["CAS*CO*45*15.00"]))
        lines.append(_svc(rng, "J1559:JB", 2400, 2100.0, 80, dos, ["CAS*CO*45*300.00"]))
    elif roll < 0.92:  # units over cap
        lines.append(_svc(rng, "96369", 210, 160.0, 1, dos, ["CAS*CO*45*50.00"]))
        lines.append(
            [
                "SVC*HC:96371*90.00*0.00**0*HC:96371*3",
                f"DTM*472*{dos}",
                "CAS*CO*119*90.00",
                "LQ*HE*N362",
            ]
        )
    elif roll < 0.96:  # add-on without primary
        lines.append(_svc(rng, "96370", 95, 0.0, 1, dos, ["CAS*CO*107*95.00"]) + ["LQ*HE*N122"])
    elif roll < 0.98:  # whole claim denied
        status = "4"
        lines.append(_svc(rng, "J1559:JB", 2400, 0.0, 80, dos, ["CAS*CO*4*2400.00"]))
    else:  # reversal of an earlier payment
        status = "22"
        lines.append(_svc(rng, "99213", -150, -92.5, -1, dos, ["CAS*CO*45*-57.50"]))
    billed = sum(float(seg[0].split("*")[2]) for seg in lines)
    paid = sum(float(seg[0].split("*")[3]) for seg in lines)
    pid = f"ZZ{n:07d}"
    out = [
        f"CLP*PCN{n:08d}*{status}*{billed:.2f}*{paid:.2f}**MB*ICN{n:011d}*11*1",
        f"NM1*QC*1*TESTPATIENT*{FIRST[n % len(FIRST)]}****MI*{pid}",
        "NM1*82*1*EXAMPLE*PROVIDER****XX*1999999984",
        f"DTM*232*{dos}",
    ]
    for seg in lines:
        out += seg
    return out


def generate(claims: int, seed: int = 835) -> str:
    """Return the text of one 835 interchange holding ``claims`` claims (LF after each ~)."""
    rng = random.Random(seed)  # seeded: the same size gives the same file
    body = [
        "BPR*I*100000.00*C*ACH*CCP*01*999999999*DA*123456*1999999999**01*999999999*DA*654321*20250630",
        "TRN*1*EFT0000001*1999999999",
        "DTM*405*20250629",
        f"N1*PR*{PAYERS[0]}",
        "N3*PO BOX 0000",
        "N4*FARGO*ND*58108",
        "N1*PE*EXAMPLE INFUSION CLINIC*XX*1999999984",
        "LX*1",
    ]
    for n in range(1, claims + 1):
        body += _claim(n, rng)
    segs = [
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *250630*1200*^*00501*000000001*0*P*:",
        "GS*HP*SENDER*RECEIVER*20250630*1200*1*X*005010X221A1",
        "ST*835*0001",
        *body,
        f"SE*{len(body) + 2}*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    return "~\n".join(segs) + "~\n"


def main(argv: list[str] | None = None) -> int:
    """``gen_835.py CLAIMS OUTPUT``: write a synthetic 835 with CLAIMS claims."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[0].isdigit():
        sys.stderr.write("usage: python bench/gen_835.py CLAIMS OUTPUT\n")
        return 2
    Path(args[1]).write_text(generate(int(args[0])), encoding="ascii")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Header normalisation, the alias table, header-row detection and column mapping.

The alias table is data (``appeals/data/header_aliases.csv``: field, header); its row order
is the priority: when two columns claim one field, the one whose alias comes first wins,
so the most specific headers ("Claim ID Payer") sit above general ones ("Claim ID").

Besides the canonical line fields, a few helper fields feed them:

- ``group_code``, ``adjustment_amount``: combined with the CARCs into ``adjustments``;
- numbered slots of wide exports, ``carcs_N``, ``rarcs_N``, ``modifiers_N``,
  ``group_code_N``, ``adjustment_amount_N`` (``CARC 2``, ``adj_1_code``, ``Mod3``, ``M1``):
  a header whose digit is removed matches an alias of the base field.

Required: ``claim_id``; ``procedure_code`` or ``revenue_code`` (institutional exports may
carry only the revenue code); and at least one denial signal: CARCs, RARCs, paid amount or
claim status. ``service_date`` is expected but optional: without it lines group by claim.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from appeals.errors import ConfigError, InputFileError
from appeals.resources import read_data_csv
from appeals.schema import LINE_COLUMNS

ALIASES_CSV = "header_aliases.csv"

HELPER_FIELDS = ("group_code", "adjustment_amount")
NUMBERED_BASES = ("carcs", "rarcs", "modifiers", "group_code", "adjustment_amount")
LIST_BASES = ("carcs", "rarcs", "modifiers")
MAX_SLOT = 9
# Fields a file can supply (source_* come from the reader; payer is resolved elsewhere).
MAPPABLE_FIELDS = tuple(
    f for f in LINE_COLUMNS if f not in ("source_file", "source_sheet", "source_row", "payer", "claim_key")
) + HELPER_FIELDS
DENIAL_SIGNALS = ("carcs", "rarcs", "paid_amount", "claim_status")
HEADER_SCAN_ROWS = 30
MIN_HEADER_SCORE = 2

_ABBREVIATIONS = {
    "nbr": "number", "no": "number", "num": "number", "nmbr": "number",
    "amt": "amount", "amts": "amount", "amounts": "amount",
    "pd": "paid", "clm": "claim", "svc": "service", "serv": "service",
    "pyr": "payer", "cd": "code", "cod": "code", "cde": "code", "codes": "code",
    "dt": "date", "dte": "date", "dates": "date",
    "pt": "patient", "pat": "patient", "ins": "insurance", "acct": "account",
    "acc": "account", "adj": "adjustment", "proc": "procedure", "mod": "modifier",
    "mods": "modifier", "modifiers": "modifier", "qty": "quantity", "sts": "status",
    "stat": "status", "nam": "name", "nm": "name", "chk": "check", "rev": "revenue",
    "allwd": "allowed", "allow": "allowed", "rsn": "reason", "reasons": "reason",
    "grp": "group", "ref": "reference", "chg": "charge", "chgs": "charge",
    "charges": "charge", "rmk": "remark", "remarks": "remark", "prov": "provider",
    "rend": "rendering", "mbr": "member", "subscr": "subscriber", "pol": "policy",
    "ctrl": "control", "cntl": "control", "enc": "encounter", "pmt": "payment",
    "pymt": "payment", "sites": "site", "units": "unit", "tot": "total",
    "desc": "description", "descr": "description", "carcs": "carc", "rarcs": "rarc",
}
_CONTAINS_PRIORITY = 100_000  # any exact alias beats a contained one
_STOPWORDS = frozenset({"of", "the"})
# Free text about a code is not the code itself: never matched by containment.
_DESCRIPTIVE = frozenset({"description", "text", "message", "note", "notes", "comment"})


def normalise_header(text: object) -> str:
    """Lower-case words of a header, abbreviations expanded: ``"Clm Nbr"`` → ``"claim number"``."""
    raw = unicodedata.normalize("NFKD", str(text))
    raw = "".join(ch for ch in raw if not unicodedata.combining(ch))
    raw = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", raw)  # camelCase: ClaimID
    raw = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", raw)  # Mod1, adj1
    raw = raw.lower().replace("#", " number ").replace("&", " and ")
    words = re.sub(r"[^a-z0-9]+", " ", raw).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w not in _STOPWORDS)


@functools.lru_cache(maxsize=1)
def alias_table() -> dict[str, tuple[str, int]]:
    """Normalised header → (field, priority); the packaged CSV's first row wins."""
    frame = read_data_csv(ALIASES_CSV)
    table: dict[str, tuple[str, int]] = {}
    for priority, (fld, header) in enumerate(zip(frame["field"], frame["header"], strict=True)):
        if fld not in MAPPABLE_FIELDS:
            raise ConfigError(
                f"unknown field {fld!r} in the packaged {ALIASES_CSV}",
                row=priority + 2,
                fix="use a canonical field name",
            )
        table.setdefault(normalise_header(header), (fld, priority))
    return table


def aliases_for(fld: str) -> list[str]:
    """Normalised aliases of a field, in priority order."""
    base = _slot_base(fld)[0]
    return [h for h, (f, _) in alias_table().items() if f == base]


def _slot_base(fld: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"(.+)_(\d)", fld)
    if match and match.group(1) in NUMBERED_BASES:
        return match.group(1), int(match.group(2))
    return fld, None


def known_fields() -> tuple[str, ...]:
    """Every field name a ``columns`` override may use."""
    slots = tuple(f"{b}_{n}" for b in NUMBERED_BASES for n in range(1, MAX_SLOT + 1))
    return MAPPABLE_FIELDS + slots


def match_header(header: object) -> tuple[str, int, str] | None:
    """The field a single header means, its priority and how it matched, or None.

    Tried in order: the alias table exactly; a numbered slot (``CARC 2`` → ``carcs_2``);
    the longest alias of two or more words contained in the header (``Primary Payer Name``).
    """
    norm = normalise_header(header)
    if not norm:
        return None
    table = alias_table()
    if norm in table:
        fld, prio = table[norm]
        return fld, prio, "alias"
    words = norm.split()
    digits = [i for i, w in enumerate(words) if re.fullmatch(r"[1-9]", w)]
    if len(digits) == 1:
        rest = " ".join(w for i, w in enumerate(words) if i != digits[0])
        hit = table.get(rest)
        if hit and hit[0] in NUMBERED_BASES:
            return f"{hit[0]}_{words[digits[0]]}", hit[1], "numbered"
    if _DESCRIPTIVE.intersection(words):
        return None
    best: tuple[int, str, int] | None = None
    ambiguous = False
    for size in range(len(words) - 1, 1, -1):
        for start in range(len(words) - size + 1):
            hit = table.get(" ".join(words[start : start + size]))
            if hit is None:
                continue
            if best is None:
                best = (size, hit[0], hit[1])
            elif best[0] == size and best[1] != hit[0]:
                ambiguous = True
        if best is not None:
            break
    if best is None or ambiguous:
        return None
    return best[1], _CONTAINS_PRIORITY + best[2], "contains"


def header_score(cells: Iterable[object], extra: Iterable[str] = ()) -> int:
    """How many cells of a row look like known headers (or a user's mapped headers)."""
    extra_norm = {normalise_header(h) for h in extra}
    return sum(
        1
        for cell in cells
        if cell is not None
        and str(cell).strip()
        and (match_header(cell) is not None or normalise_header(cell) in extra_norm)
    )


def find_header_row(
    rows: Sequence[Sequence[object]], extra: Iterable[str] = ()
) -> tuple[int, int]:
    """(index, score) of the best header row among the first rows; (-1, 0) when none.

    Title rows above the header score low and are skipped; the earliest row wins a tie.
    """
    extra = tuple(extra)
    best, best_score = -1, 0
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = header_score(row, extra)
        if score > best_score:
            best, best_score = index, score
    if best_score < MIN_HEADER_SCORE:
        return -1, best_score
    return best, best_score


@dataclass
class ColumnMap:
    """Which column (by position) feeds which field, and how each was chosen."""

    fields: dict[str, int] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def headers(self, headers: Sequence[str]) -> dict[str, str]:
        return {f: headers[i] for f, i in self.fields.items()}

    def has(self, base: str) -> bool:
        return any(_slot_base(f)[0] == base for f in self.fields)

    def slots(self, base: str) -> list[str]:
        """Fields for ``base``: the plain one first, then numbered slots in order."""
        found = [f for f in self.fields if _slot_base(f)[0] == base]
        return sorted(found, key=lambda f: _slot_base(f)[1] or 0)


def map_columns(
    headers: Sequence[str], overrides: Mapping[str, str] | None = None
) -> ColumnMap:
    """Map header cells (by position) to fields; ``overrides`` (FIELD → HEADER) win.

    Raises ``ConfigError`` when an override names an unknown field or a header not in
    ``headers``. When two columns claim a field, the better alias wins; a second CARC,
    RARC or modifier column becomes an extra numbered slot, anything else is reported.
    """
    result = ColumnMap()
    taken: set[int] = set()
    for fld, header in (overrides or {}).items():
        index = _override_column(fld, header, headers)
        result.fields[fld] = index
        result.how[fld] = "override"
        taken.add(index)
    candidates = []
    for index, header in enumerate(headers):
        if index in taken:
            continue
        hit = match_header(header)
        if hit is not None:
            candidates.append((hit[1], index, hit[0], hit[2]))
    for _, index, fld, how in sorted(candidates):
        if fld not in result.fields:
            result.fields[fld] = index
            result.how[fld] = how
            continue
        base, slot = _slot_base(fld)
        free = [
            f"{base}_{n}" for n in range(1, MAX_SLOT + 1) if f"{base}_{n}" not in result.fields
        ]
        if base in LIST_BASES and slot is None and free:
            result.fields[free[0]] = index
            result.how[free[0]] = how
        else:
            result.warnings.append(
                f"column {headers[index]!r} also looks like {fld}; "
                f"using {headers[result.fields[fld]]!r} and ignoring it"
            )
    return result


def _override_column(fld: str, header: str, headers: Sequence[str]) -> int:
    if fld not in known_fields():
        close = difflib.get_close_matches(fld, known_fields(), n=3)
        raise ConfigError(
            f"--columns names an unknown field {fld!r} (for header {header!r})",
            fix=f"use one of {', '.join(close) if close else ', '.join(MAPPABLE_FIELDS)}",
        )
    wanted = str(header).strip()
    for rule in (lambda h: str(h).strip() == wanted,
                 lambda h: str(h).strip().lower() == wanted.lower(),
                 lambda h: normalise_header(h) == normalise_header(wanted)):
        for index, h in enumerate(headers):
            if rule(h):
                return index
    shown = [h for h in headers if str(h).strip()]
    close = difflib.get_close_matches(wanted, shown, n=3, cutoff=0.4)
    hint = f"closest: {', '.join(repr(c) for c in close)}; " if close else ""
    raise ConfigError(
        f"--columns {fld}={header!r}: no column {header!r} in the file",
        fix=f"{hint}headers found: {', '.join(repr(h) for h in shown)}",
    )


FIELD_LABELS = {
    "claim_id": "claim id (e.g. 'Claim #', 'Patient Acct')",
    "procedure_code": "procedure code (e.g. 'CPT', 'HCPCS', 'Proc Code') or 'Revenue Code'",
    "denial": "a denial column: CARC ('Adj Reason'), RARC ('Remark'), 'Paid' or 'Claim Status'",
}


def missing_required(colmap: ColumnMap, *, require_denial: bool = True) -> list[str]:
    """Required fields the mapping lacks: "claim_id", "procedure_code", "denial".

    Charge exports (for scrubbing) have no denial column: ``require_denial=False``."""
    missing = []
    if not colmap.has("claim_id"):
        missing.append("claim_id")
    if not (colmap.has("procedure_code") or colmap.has("revenue_code")):
        missing.append("procedure_code")
    if require_denial and not any(colmap.has(f) for f in DENIAL_SIGNALS):
        missing.append("denial")
    return missing


def closest_headers(
    fld: str, headers: Sequence[str], n: int = 2, used: Iterable[int] = ()
) -> list[str]:
    """Headers in the file (not at positions ``used``) most like an alias of ``fld``."""
    fields = DENIAL_SIGNALS if fld == "denial" else (fld,)
    aliases = [a for f in fields for a in aliases_for(f)]
    skip = set(used)
    scored = []
    for index, header in enumerate(headers):
        norm = normalise_header(header)
        if not norm or index in skip or match_header(header) is not None:
            continue
        ratio = max(difflib.SequenceMatcher(None, norm, a).ratio() for a in aliases)
        if ratio >= 0.6:
            scored.append((-ratio, str(header)))
    return [h for _, h in sorted(scored)[:n]]


def require_columns(
    colmap: ColumnMap, headers: Sequence[str], *, file: object, sheet: str | None = None,
    header_row: int | None = None, require_denial: bool = True,
) -> None:
    """Raise ``InputFileError`` naming what is missing, what was found and the closest."""
    missing = missing_required(colmap, require_denial=require_denial)
    if not missing:
        return
    parts = []
    for fld in missing:
        close = closest_headers(fld, headers, used=colmap.fields.values())
        near = f" (closest: {', '.join(repr(c) for c in close)})" if close else ""
        parts.append(FIELD_LABELS[fld] + near)
    found = [str(h) for h in headers if str(h).strip()]
    example = "claim_id" if missing[0] == "denial" else missing[0]
    example = "carcs" if missing[0] == "denial" else example
    raise InputFileError(
        f"required columns not found: {'; '.join(parts)}. "
        f"Headers found: {', '.join(repr(h) for h in found) or 'none'}",
        file=file,
        sheet=sheet,
        row=header_row,
        fix=f"rename the column, or map it by hand, e.g. --columns {example}=\"Your Header\"",
    )

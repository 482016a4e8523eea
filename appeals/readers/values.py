"""Vectorised parsing of raw cell text into canonical values.

Every parser takes a ``pd.Series`` of raw text ("" for a blank cell, never NaN) and returns
Series aligned with it. Parsers that can fail also return a boolean ``bad`` Series: True
where a non-blank cell could not be read (the loader turns those rows into rejected rows or
warnings). Work that needs Python runs once per distinct value (``pd.factorize``), not once
per row: exports repeat the same codes, dates and statuses over and over.

Two-digit years: ``yy`` means 20yy unless that date lies more than ``future_days`` ahead of
today, then 19yy (service dates allow a year ahead; birth dates allow none, so ``01/02/45``
is 1945 and ``03/05/26`` is 2026).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # 1954-10-03 .. 2119-01-10

_GROUP_WORDS = [
    (re.compile(r"CONTRACTUAL\s+OBLIGATIONS?"), "CO"),
    (re.compile(r"PATIENT\s+RESPONSIBILITY"), "PR"),
    (re.compile(r"OTHER\s+ADJUSTMENTS?"), "OA"),
    (re.compile(r"PAYE?R\s+INITIATED(\s+REDUCTIONS?)?"), "PI"),
    (re.compile(r"CORRECTIONS?\s*(AND|&)\s*REVERSALS?"), "CR"),
]
_GROUP_PREFIX = "|".join(GROUP_CODES)
_CARC = r"(?:\d{1,3}|[ABDPWY]\d{1,2})"
_RARC = r"(?:MA|M|N)\d{1,4}"
_TOKEN = re.compile(
    rf"(?:(?P<group>{_GROUP_PREFIX})-?)?(?P<code>{_CARC}|{_RARC})(?:\.0+)?"
    rf"(?::(?P<amount>-?\d+(?:\.\d+)?))?",
    re.ASCII,  # codes are ASCII digits; "𐴰" (a Unicode digit) is unrecognised, not a CARC
)
_RARC_RE = re.compile(_RARC, re.ASCII)
_SEPARATORS = re.compile(r"[,;/|\s]+")


_STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str", Arrow-backed


def _per_unique(values: pd.Series, func: Callable[[str], tuple], kinds: str) -> list[pd.Series]:
    """Apply ``func`` once per distinct value and spread its results back over the rows.

    ``func`` returns a tuple; ``kinds`` names each item's type: ``s`` text (an Arrow-backed
    str Series, built by ``take``), ``b`` bool, ``d`` a date (datetime64[ns], NaT for None).
    """
    codes, uniques = pd.factorize(values)
    results = [func(u) for u in uniques]
    results.append(func(""))  # factorize marks missing values -1, the last slot
    take = np.where(codes < 0, len(uniques), codes)
    out = []
    for k, kind in enumerate(kinds):
        items = [r[k] for r in results]
        if kind == "s":
            column = pa.array(items, type=pa.string()).take(pa.array(take))
            out.append(pd.Series(column, index=values.index, dtype=_STR))
        elif kind == "b":
            out.append(pd.Series(np.asarray(items, dtype=bool)[take], index=values.index))
        else:
            days = np.array([np.datetime64("NaT") if d is None else d for d in items],
                            dtype="datetime64[D]")
            out.append(pd.Series(days[take].astype("datetime64[ns]"), index=values.index))
    return out


def as_text(values: pd.Series) -> pd.Series:
    """Raw cells as stripped text, ``""`` for blanks; NUL bytes removed."""
    text = values.astype(_STR) if values.dtype == _STR and not values.hasnans else (
        values.fillna("").astype(_STR))
    if text.str.contains("\x00", regex=False).any():
        text = text.str.replace("\x00", "", regex=False)
    return text.str.strip()


# --- numbers -------------------------------------------------------------------------

_MONEY = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?")
_BLANKISH = ("N/A", "NA", "NONE", "NULL", "-")


_PLAIN_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)"


def _to_float(text: pd.Series) -> pd.Series:
    """Text already known to be plain numbers → float64, via Arrow's fast cast."""
    try:
        arr = pa.array(text.astype(_STR))
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
        cast = pc.cast(arr, pa.float64())
        return pd.Series(cast.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
    except Exception:  # noqa: BLE001 - any Arrow quirk: the slow, sure path
        return pd.to_numeric(text, errors="coerce").astype("float64")


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``$1,234.50`` → 1234.5, ``(12.00)`` and ``12.00-`` → -12.0, ``$ -`` → 0; (amounts, bad)."""
    text = as_text(values)
    numbers = pd.Series(np.nan, index=text.index, dtype="float64")
    bad = pd.Series(False, index=text.index)
    plain = text.str.fullmatch(_PLAIN_NUMBER).to_numpy(dtype=bool)
    if plain.any():  # most exports: plain numbers, parsed in one Arrow call
        numbers[plain] = _to_float(text[plain]).to_numpy()
        # a non-ASCII digit ("𐴰") matches the pattern but is no number: flagged, not lost
        bad[plain] = numbers[plain].isna().to_numpy()
    rest = ~plain & (text != "").to_numpy(dtype=bool)
    if rest.any():
        parsed, unread = _money_text(text[rest])
        numbers[rest] = parsed.to_numpy()
        bad[rest] = unread.to_numpy()
    return numbers, bad


def _money_text(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    bare = text
    for mark in ("$", " ", "\t", "\xa0"):  # literal replaces stay inside Arrow; a regex may not
        bare = bare.str.replace(mark, "", regex=False)
    paren = bare.str.startswith("(") & bare.str.endswith(")")
    core = bare.str.replace("(", "", regex=False).str.replace(")", "", regex=False)
    trailing = core.str.endswith("-") & (core.str.len() > 1)
    core = core.where(~trailing, "-" + core.str[:-1])
    dash = core.isin(["-", "$-"])
    blank = text.str.upper().isin(_BLANKISH[:-1])
    ok = core.str.fullmatch(_MONEY.pattern) & core.str.contains(r"\d", regex=True)
    plain = core.where(ok, "").str.replace(",", "", regex=False)
    numbers = _to_float(plain)
    numbers = numbers.where(~(paren | trailing), -numbers.abs())
    numbers = numbers.where(~dash, 0.0)
    bad = ~blank & ~dash & ~ok.fillna(False).astype(bool)
    return numbers.where(~bad), bad.astype(bool)


def parse_count(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole non-negative counts (units, sites): ``3``, ``3.0``; (numbers, bad).

    Negative, fractional and text values are bad: units decide payment, never guess them.
    """
    text = as_text(values)
    ok = text.str.fullmatch(r"\+?\d{1,7}(?:\.0*)?").to_numpy(dtype=bool)
    numbers = pd.Series(np.nan, index=text.index, dtype="float64")
    if ok.any():
        numbers[ok] = _to_float(text[ok].str.lstrip("+")).to_numpy()
    # a non-ASCII digit matches \d but is no number: flagged, never silently empty
    bad = (text != "").to_numpy(dtype=bool) & (~ok | numbers.isna().to_numpy())
    return numbers, pd.Series(bad, index=text.index)


# --- dates and times -----------------------------------------------------------------

_TIME_SUFFIX = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AP]M)?)?"
_US_DATE = re.compile(rf"(\d{{1,2}})[/\-.](\d{{1,2}})[/\-.](\d{{4}}|\d{{2}}){_TIME_SUFFIX}", re.I)
_ISO_DATE = re.compile(rf"(\d{{4}})[/\-.](\d{{1,2}})[/\-.](\d{{1,2}}){_TIME_SUFFIX}", re.I)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_NAMED_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
                  "%d %b %Y", "%d %B %Y")
_BAD = "bad"


def _full_year(yy: int, month: int, day: int, future_days: int) -> int:
    year = 2000 + yy
    try:
        if dt.date(year, month, day) > dt.date.today() + dt.timedelta(days=future_days):
            return year - 100
    except ValueError:
        pass  # impossible day: reported by the caller
    return year


def _one_date(text: str, future_days: int) -> Any:
    if not text:
        return None
    m = _US_DATE.fullmatch(text)
    if m:
        month, day, year = int(m.group(1)), int(m.group(2)), m.group(3)
        full = int(year) if len(year) == 4 else _full_year(int(year), month, day, future_days)
        return _make_date(full, month, day)
    m = _ISO_DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if _SERIAL.fullmatch(text):
        serial = float(text)
        if SERIAL_MIN <= serial <= SERIAL_MAX:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial))
        return _BAD
    for fmt in _NAMED_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if "%y" in fmt:
            return _make_date(
                _full_year(parsed.year % 100, parsed.month, parsed.day, future_days),
                parsed.month,
                parsed.day,
            )
        return _make_date(parsed.year, parsed.month, parsed.day)
    return _BAD


def _make_date(year: int, month: int, day: int) -> Any:
    if not 1900 <= year <= 2199:
        return _BAD
    try:
        return dt.date(year, month, day)
    except ValueError:
        return _BAD


def parse_dates(values: pd.Series, future_days: int = 366) -> tuple[pd.Series, pd.Series]:
    """Text US/ISO/``YYYYMMDD``/month-name dates, Excel serials, ``YYYY-MM-DD hh:mm:ss`` cells.

    Returns (datetime64[ns] dates, bad); impossible dates such as ``02/30/2026`` are bad.
    """
    text = as_text(values)

    def one(value: str) -> tuple[Any, bool]:
        parsed = _one_date(value, future_days)
        return (None, True) if parsed is _BAD else (parsed, False)

    dates, bad = _per_unique(text, one, "db")
    return dates, bad


# --- times of day: the one grammar, for table cells, the infusion log and `appeals units` --
_AMPM = r"\s*(?P<ampm>[ap])\.?\s*m?\.?"
_CLOCK_TEXT = re.compile(
    r"(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2})(?::\d{2}(?:\.\d+)?)?|(?P<cm>\d{2}))"
    rf"(?:{_AMPM})?|(?P<ho>\d{{1,2}}){_AMPM.replace('ampm', 'ampm_ho')}",
    re.I,
)
_TIME_DATE = re.compile(
    r"(?:(?P<y>\d{4})[/\-.](?P<mo>\d{1,2})[/\-.](?P<d>\d{1,2})"
    r"|(?P<us_mo>\d{1,2})/(?P<us_d>\d{1,2})/(?P<us_y>\d{4}))(?:[ T]+|$)",
    re.I,
)
_DAY_FRACTION = re.compile(r"0?\.\d+|0")  # an Excel time cell read as a number
_DAY = 24 * 60


@dataclass(frozen=True)
class Moment:
    """A time of day (minute 0-1439) and, when a date came with it, the day's ordinal."""

    minute: int
    day: int | None = None

    @property
    def clock(self) -> str:
        return f"{self.minute // 60:02d}:{self.minute % 60:02d}"

    @property
    def absolute(self) -> int | None:
        return None if self.day is None else self.day * _DAY + self.minute


def _time_date(text: str) -> tuple[int | None, str] | None:
    """(day ordinal or None, the rest) of a leading date; None when the date is impossible."""
    found = _TIME_DATE.match(text)
    if not found:
        return None, text
    year, month, day = ((found["y"], found["mo"], found["d"]) if found["y"]
                        else (found["us_y"], found["us_mo"], found["us_d"]))
    try:
        ordinal = dt.date(int(year), int(month), int(day)).toordinal()
    except ValueError:
        return None
    return ordinal, text[found.end():].strip()


def read_time(text: str) -> Moment | None:
    """A time of day from one non-blank cell; None when it is not one.

    ``09:05``, ``9:05``, ``9.05``, ``9h05``, ``09:05:30``, ``0905``, ``905``, with or
    without ``AM``/``a``/``p.m.``; ``9 AM``; ``24:00`` (midnight); an Excel day fraction
    (``0.378472``); any of these after a date (``2026-03-05 09:05``, ``03/05/2026 9:05``),
    whose day is kept. Not ``9:5`` (9:05 or 9:50?), ``13:00 PM``, ``25:00`` or ``9:65``.
    """
    dated = _time_date(text.strip())
    if dated is None:
        return None
    day, rest = dated
    if _DAY_FRACTION.fullmatch(rest):
        minutes = round(float(rest) * _DAY)
        return Moment(minutes, day) if minutes < _DAY else None
    found = _CLOCK_TEXT.fullmatch(rest)
    if not found:
        return None
    if found["ho"]:
        hour, minute, half = int(found["ho"]), 0, found["ampm_ho"]
    else:
        hour, minute, half = int(found["h"]), int(found["m"] or found["cm"]), found["ampm"]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if hour == 24 and minute == 0:  # some charts write midnight as 24:00
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return Moment(hour * 60 + minute, day)


def _one_time(text: str) -> str:
    if not text:
        return ""
    moment = read_time(text)
    return _BAD if moment is None else moment.clock


def parse_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Times of day as ``read_time`` reads them → ``"HH:MM"`` (any date dropped); (times, bad)."""
    def one(value: str) -> tuple[str, bool]:
        parsed = _one_time(value)
        return ("", True) if parsed is _BAD else (parsed, False)

    times, bad = _per_unique(as_text(values), one, "sb")
    return times, bad


# --- codes ---------------------------------------------------------------------------


def _strip_float(text: str) -> str:
    """``96369.0`` (a number cell) → ``96369``."""
    return text[: text.index(".")] if re.fullmatch(r"\d+\.0+", text) else text


def _one_procedure(text: str) -> tuple[str, str]:
    code = _strip_float(text.upper())
    m = re.fullmatch(r"([A-Z0-9]{5})(?:\s*[-:\s]\s*|\s+)([A-Z0-9]{2}(?:[\s,;:\-]+[A-Z0-9]{2})*)", code)
    if m:  # "96369-KX", "J1561 JB KX": modifiers typed into the code cell
        return m.group(1), ";".join(re.split(r"[\s,;:\-]+", m.group(2)))
    return code, ""


def parse_procedure(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """CPT/HCPCS as upper-case text (``0450`` keeps its zero); (codes, modifiers in the cell)."""
    code, mods = _per_unique(as_text(values), _one_procedure, "ss")
    return code, mods


def _one_revenue(text: str) -> tuple[str, bool]:
    code = _strip_float(text.upper())
    if re.fullmatch(r"\d{1,4}", code):
        return code.zfill(4), False
    return code, bool(code)


def parse_revenue(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Revenue codes as 4 digits (``450`` → ``0450``); (codes, bad)."""
    codes, bad = _per_unique(as_text(values), _one_revenue, "sb")
    return codes, bad


_POS_WORDS = {"OFFICE": "11", "HOME": "12"}


def _one_pos(text: str) -> tuple[str, bool]:
    code = _strip_float(text.upper())
    if re.fullmatch(r"0*\d{1,2}", code):
        return code.lstrip("0").zfill(2), False
    if code in _POS_WORDS:
        return _POS_WORDS[code], False
    return code, bool(code)


def parse_pos(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Place of service as 2 digits: ``11.0`` → ``11``, ``011`` → ``11``, ``1`` → ``01``; (pos, bad)."""
    pos, bad = _per_unique(as_text(values), _one_pos, "sb")
    return pos, bad


def _one_modifiers(text: str) -> tuple[str, bool]:
    if not text:
        return "", False
    tokens = [_strip_float(t) for t in re.split(r"[\s,;/|+\-]+", text.upper()) if t]
    return ";".join(dict.fromkeys(tokens)), any(len(t) != 2 for t in tokens)


def parse_modifiers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``JB KX``, ``JB,KX`` → ``JB;KX``; (modifiers, odd) where odd flags tokens not 2 long."""
    mods, odd = _per_unique(as_text(values), _one_modifiers, "sb")
    return mods, odd


def join_lists(*columns: pd.Series) -> pd.Series:
    """Join ``;``-lists column by column, dropping empties and repeats, keeping order."""
    if not columns:
        raise ValueError("join_lists needs at least one column")
    filled = [c.fillna("").astype(_STR) for c in columns]
    used = [c for c in filled if (c != "").any()]
    if len(used) <= 1:  # the common case: nothing to merge
        return (used or filled)[0]
    joined = used[0]
    for col in used[1:]:
        joined = joined + ";" + col
    (out,) = _per_unique(
        joined, lambda v: (";".join(dict.fromkeys(t for t in v.split(";") if t)),), "s"
    )
    return out


def _group_of(text: str) -> str:
    upper = text.upper()
    for pattern, code in _GROUP_WORDS:
        upper = pattern.sub(code, upper)
    m = re.match(rf"\s*({_GROUP_PREFIX})\b", upper)
    return m.group(1) if m else _BAD


def parse_group(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Group codes ``CO``/``co``/"Contractual Obligation" → ``CO``; (groups, bad)."""

    def one(value: str) -> tuple[str, bool]:
        group = _group_of(value) if value else ""
        return ("", True) if group == _BAD else (group, False)

    groups, bad = _per_unique(as_text(values), one, "sb")
    return groups, bad


def _tokens(cell: str) -> list[str]:
    text = cell.upper()
    for pattern, code in _GROUP_WORDS:
        text = pattern.sub(code, text)
    text = re.sub(r"\s*-\s*", "-", text)
    tokens = []
    for token in _SEPARATORS.split(text):
        if token in GROUP_CODES or _TOKEN.fullmatch(token) or "-" not in token:
            tokens.append(token)
        else:  # "119-N362": a hyphen used as a separator
            tokens.extend(token.split("-"))
    return [t for t in tokens if t]


def _split(cell: str, group: str) -> tuple[str, str, str, str, bool]:
    """(carcs, rarcs, adjustments, unrecognised, wants_amount).

    ``wants_amount``: the cell has one grouped CARC and no amount of its own, so the row's
    adjustment amount belongs after its trailing ``:``.
    """
    carcs: dict[str, None] = {}
    rarcs: dict[str, None] = {}
    unknown: dict[str, None] = {}
    adjustments: list[tuple[str, str, str | None]] = []
    pending = ""
    for token in _tokens(cell):
        if token in GROUP_CODES:
            pending = token
            continue
        m = _TOKEN.fullmatch(token)
        code = m.group("code") if m else ""
        if code and not _RARC_RE.fullmatch(code) and code.isdigit():
            code = code.lstrip("0")
        if not code:
            unknown[token] = None
        elif _RARC_RE.fullmatch(code):
            rarcs[code] = None
        else:
            assert m is not None  # a code comes only from a matched token
            carcs[code] = None
            grp = m.group("group") or pending or group
            if grp:
                given = m.group("amount")
                adjustments.append((grp, code, f"{float(given):.2f}" if given else None))
        pending = ""
    wants = len(adjustments) == 1 and adjustments[0][2] is None
    adj = ";".join(dict.fromkeys(f"{g}-{c}:{a or ''}" for g, c, a in adjustments))
    return ";".join(carcs), ";".join(rarcs), adj, ";".join(unknown), wants


def split_codes(
    cell: str, group: str = "", amount: float = float("nan")
) -> tuple[str, str, str, str]:
    """One cell of adjustment codes → (carcs, rarcs, adjustments, unrecognised), ``;``-joined.

    ``CO-119/N362``, ``CO119``, ``CO 119``, bare ``119`` (``group`` supplies the group),
    words for groups; RARCs are ``M``/``N``/``MA`` + digits, CARCs 1-3 digits or
    ``A``/``B``/``D``/``P``/``W``/``Y`` + digits. ``amount`` goes to the adjustment only when
    the cell has a single grouped CARC; otherwise the amount is left "" (unknown).
    """
    carcs, rarcs, adj, unknown, wants = _split(cell, group)
    if wants and amount == amount:
        adj += f"{amount:.2f}"
    return carcs, rarcs, adj, unknown


def parse_codes(
    codes: pd.Series, group: pd.Series | None = None, amount: pd.Series | None = None
) -> pd.DataFrame:
    """Vectorised ``split_codes``: columns carcs, rarcs, adjustments, unrecognised.

    ``group`` holds parsed group codes ("" when unknown), ``amount`` parsed floats. Cells are
    split once per distinct (codes, group) pair; amounts are filled in column-wise.
    """
    text = as_text(codes)
    if group is None:
        parts = _per_unique(text, lambda v: _split(v, ""), "ssssb")
    else:
        key = text + "\x1f" + group.fillna("").astype(_STR)
        parts = _per_unique(key, lambda k: _split(*k.split("\x1f")) if k else _split("", ""),
                            "ssssb")
    carcs, rarcs, adjustments, unknown, wants = parts
    if amount is not None:
        values = amount.to_numpy(dtype="float64")
        fill = wants.to_numpy() & ~np.isnan(values)
        if fill.any():
            text_amounts = pc.if_else(pa.array(fill), format_amounts(np.nan_to_num(values)), "")
            base = pa.array(adjustments).cast(pa.string())
            joined = pc.binary_join_element_wise(base, text_amounts, "")
            adjustments = pd.Series(joined, index=text.index, dtype=_STR)
    return pd.DataFrame(
        {"carcs": carcs, "rarcs": rarcs, "adjustments": adjustments, "unrecognised": unknown},
        index=text.index,
    )


def format_amounts(values: np.ndarray) -> pa.Array:
    """Floats → ``"1234.50"`` / ``"-12.00"`` text, vectorised (cents rounded half-even)."""
    cents = np.round(np.abs(values) * 100).astype(np.int64)
    whole = pc.cast(pa.array(cents // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), 2, "0")
    sign = pa.array(np.where(values < 0, "-", ""), type=pa.string())
    return pc.binary_join_element_wise(sign, whole, ".", frac, "")


# --- words ---------------------------------------------------------------------------

_STATUS_WORDS = {
    "denied": "4", "denial": "4", "deny": "4",
    "paid": "1", "processed": "1", "processed as primary": "1", "primary": "1",
    "approved": "1", "partially paid": "1", "partial": "1", "partial payment": "1",
    "processed as secondary": "2", "secondary": "2",
    "processed as tertiary": "3", "tertiary": "3",
    "processed as primary forwarded": "19", "forwarded": "19",
    "reversal": "22", "reversed": "22", "reversal of previous payment": "22",
    "not our claim": "23", "predetermination": "25",
}
_ROUTE_WORDS = {
    "sc": "SC", "sq": "SC", "subq": "SC", "sub q": "SC", "subcut": "SC", "subcutaneous": "SC",
    "subcutaneously": "SC", "scig": "SC", "sub cutaneous": "SC",
    "iv": "IV", "intravenous": "IV", "intravenously": "IV", "ivig": "IV",
}


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _one_status(text: str) -> tuple[str, bool]:
    if re.fullmatch(r"\d{1,2}(?:\.0+)?", text):
        return _strip_float(text).lstrip("0") or "0", False
    code = _STATUS_WORDS.get(_words(text), "")
    return code, bool(text) and not code


def parse_claim_status(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """835 CLP02 codes kept (``4.0`` → ``4``); words mapped ("Denied" → ``4``); (codes, bad)."""
    codes, bad = _per_unique(as_text(values), _one_status, "sb")
    return codes, bad


def parse_route(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """"subcutaneous", "SubQ", "SQ", "SC" → ``SC``; "intravenous", "IV" → ``IV``; (route, bad)."""

    def one(text: str) -> tuple[str, bool]:
        route = _ROUTE_WORDS.get(_words(text), "")
        return route, bool(text) and not route

    route, bad = _per_unique(as_text(values), one, "sb")
    return route, bad


_FORM_WORDS = {
    "ub 04": "institutional", "ub04": "institutional", "ub 92": "institutional",
    "837i": "institutional", "837 i": "institutional", "cms 1450": "institutional",
    "institutional": "institutional", "facility": "institutional", "inst": "institutional",
    "cms 1500": "professional", "cms1500": "professional", "hcfa 1500": "professional",
    "hcfa": "professional", "837p": "professional", "837 p": "professional",
    "professional": "professional", "prof": "professional", "1500": "professional",
}


def parse_claim_form(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A type of bill (``0131``, ``131``, ``13``) or a form name ("UB-04", "837I",
    "CMS-1500", "837P", "professional") → ``institutional`` / ``professional``; (form, bad).
    Only institutional claims carry a type of bill, so any 3-4 digit code means UB-04."""

    def one(text: str) -> tuple[str, bool]:
        words = _words(text)
        form = _FORM_WORDS.get(words, "")
        if not form and re.fullmatch(r"0?[1-9]\d{1,2}", _strip_float(text)):
            form = "institutional"
        return form, bool(text) and not form

    form, bad = _per_unique(as_text(values), one, "sb")
    return form, bad

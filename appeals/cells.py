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
from typing import Any

import numpy as np
import pandas as pd

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
    rf"(?::(?P<amount>-?\d+(?:\.\d+)?))?"
)
_RARC_RE = re.compile(_RARC)
_SEPARATORS = re.compile(r"[,;/|\s]+")


def _by_unique(values: pd.Series, func: Callable[[str], Any]) -> np.ndarray:
    """Apply ``func`` once per distinct value; an object array aligned with ``values``."""
    codes, uniques = pd.factorize(values)
    results = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        results[i] = func(value)
    results[-1] = func("")  # factorize marks missing values -1
    return results[codes]


def _unzip(pairs: np.ndarray, index: pd.Index, n: int) -> list[pd.Series]:
    if len(pairs) == 0:
        return [pd.Series([], index=index, dtype=object) for _ in range(n)]
    return [pd.Series([p[k] for p in pairs], index=index, dtype=object) for k in range(n)]


def as_text(values: pd.Series) -> pd.Series:
    """Raw cells as stripped text, ``""`` for blanks; NUL bytes removed."""
    text = values.fillna("").astype("str")
    return text.str.replace("\x00", "", regex=False).str.strip()


# --- numbers -------------------------------------------------------------------------

_MONEY = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?")
_BLANKISH = ("N/A", "NA", "NONE", "NULL", "-")


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``$1,234.50`` → 1234.5, ``(12.00)`` and ``12.00-`` → -12.0, ``$ -`` → 0; (amounts, bad)."""
    text = as_text(values)
    bare = text.str.replace(r"[\s$]", "", regex=True)
    paren = bare.str.startswith("(") & bare.str.endswith(")")
    core = bare.str.replace(r"[()]", "", regex=True)
    trailing = core.str.endswith("-") & (core.str.len() > 1)
    core = core.where(~trailing, "-" + core.str[:-1])
    dash = core.isin(["-", "$-"])
    blank = text.str.upper().isin(_BLANKISH[:-1]) | (text == "")
    ok = core.str.fullmatch(_MONEY.pattern) & core.str.contains(r"\d", regex=True)
    plain = core.where(ok, "").str.replace(",", "", regex=False)
    numbers = pd.to_numeric(plain, errors="coerce").astype("float64")
    numbers = numbers.where(~(paren | trailing), -numbers.abs())
    numbers = numbers.where(~dash, 0.0)
    bad = ~blank & ~dash & ~ok.fillna(False).astype(bool)
    return numbers.where(~bad), bad.astype(bool)


def parse_count(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole non-negative counts (units, sites): ``3``, ``3.0``; (numbers, bad).

    Negative, fractional and text values are bad: units decide payment, never guess them.
    """
    text = as_text(values)
    ok = text.str.fullmatch(r"\+?\d{1,7}(?:\.0*)?")
    numbers = pd.to_numeric(text.where(ok, ""), errors="coerce").astype("float64")
    bad = (text != "") & ~ok
    return numbers, bad.astype(bool)


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

    def one(value: str) -> Any:
        parsed = _one_date(value, future_days)
        if parsed is None:
            return np.datetime64("NaT")
        if parsed is _BAD:
            return _BAD
        return np.datetime64(parsed, "D")

    parsed = _by_unique(text, one)
    bad = np.array([p is _BAD for p in parsed], dtype=bool) if len(parsed) else np.zeros(0, bool)
    parsed[bad] = np.datetime64("NaT")
    dates = pd.Series(parsed.astype("datetime64[D]").astype("datetime64[ns]"), index=text.index)
    return dates, pd.Series(bad, index=text.index)


_CLOCK = re.compile(r"(\d{1,2}):?(\d{2})(?::\d{2}(?:\.\d+)?)?\s*([AP])?\.?M?\.?", re.I)
_HOUR_ONLY = re.compile(r"(\d{1,2})\s*([AP])\.?M\.?", re.I)


def _one_time(text: str) -> str:
    if not text:
        return ""
    m = re.fullmatch(r"\d{4}[/\-.]\d{1,2}[/\-.]\d{1,2}[ T]+(.+)", text)
    if m:  # an Excel time or date-time cell read as text
        text = m.group(1).strip()
    if re.fullmatch(r"0?\.\d+|0", text):  # Excel day fraction
        minutes = round(float(text) * 1440)
        return "" if minutes >= 1440 else f"{minutes // 60:02d}:{minutes % 60:02d}"
    m = _CLOCK.fullmatch(text)
    if m and (":" in text or len(m.group(1) + m.group(2)) >= 3):
        hour, minute, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").upper()
    else:
        m = _HOUR_ONLY.fullmatch(text)
        if not m:
            return _BAD
        hour, minute, half = int(m.group(1)), 0, m.group(2).upper()
    if half:
        if not 1 <= hour <= 12:
            return _BAD
        hour = hour % 12 + (12 if half == "P" else 0)
    if hour > 23 or minute > 59:
        return _BAD
    return f"{hour:02d}:{minute:02d}"


def parse_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``09:05``, ``9:05 AM``, ``0905``, Excel fractions and time cells → ``"HH:MM"``; (times, bad)."""
    text = as_text(values)
    parsed = _by_unique(text, _one_time)
    bad = parsed == _BAD
    parsed[bad] = ""
    return pd.Series(parsed, index=text.index, dtype=object), pd.Series(bad, index=text.index)


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
    text = as_text(values)
    code, mods = _unzip(_by_unique(text, _one_procedure), text.index, 2)
    return code, mods


def parse_revenue(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Revenue codes as 4 digits (``450`` → ``0450``); (codes, bad)."""
    text = as_text(values).str.upper()
    digits = text.str.fullmatch(r"\d{1,4}(?:\.0+)?")
    padded = text.str.replace(r"\.0+$", "", regex=True).str.zfill(4)
    codes = padded.where(digits, text)
    return codes.astype(object), ((text != "") & ~digits).astype(bool)


_POS_WORDS = {"OFFICE": "11", "HOME": "12"}


def parse_pos(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Place of service as 2 digits: ``11.0`` → ``11``, ``011`` → ``11``, ``1`` → ``01``; (pos, bad)."""
    text = as_text(values).str.upper()
    digits = text.str.fullmatch(r"0*\d{1,2}(?:\.0+)?")
    number = text.str.replace(r"\.0+$", "", regex=True).str.lstrip("0").str.zfill(2)
    words = text.map(_POS_WORDS).fillna("")
    pos = number.where(digits, words.where(words != "", text))
    bad = (text != "") & ~digits & (words == "")
    return pos.astype(object), bad.astype(bool)


def _one_modifiers(text: str) -> tuple[str, bool]:
    if not text:
        return "", False
    tokens = [_strip_float(t) for t in re.split(r"[\s,;/|+\-]+", text.upper()) if t]
    return ";".join(dict.fromkeys(tokens)), any(len(t) != 2 for t in tokens)


def parse_modifiers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``JB KX``, ``JB,KX`` → ``JB;KX``; (modifiers, odd) where odd flags tokens not 2 long."""
    text = as_text(values)
    mods, odd = _unzip(_by_unique(text, _one_modifiers), text.index, 2)
    return mods, odd.astype(bool)


def join_lists(*columns: pd.Series) -> pd.Series:
    """Join ``;``-lists column by column, dropping empties and repeats, keeping order."""
    if not columns:
        raise ValueError("join_lists needs at least one column")
    joined = columns[0].fillna("").astype("str")
    for col in columns[1:]:
        joined = joined + ";" + col.fillna("").astype("str")
    if len(columns) == 1:
        return joined.astype(object)
    return pd.Series(
        _by_unique(joined, lambda v: ";".join(dict.fromkeys(t for t in v.split(";") if t))),
        index=joined.index,
        dtype=object,
    )


def _group_of(text: str) -> str:
    upper = text.upper()
    for pattern, code in _GROUP_WORDS:
        upper = pattern.sub(code, upper)
    m = re.match(rf"\s*({_GROUP_PREFIX})\b", upper)
    return m.group(1) if m else _BAD


def parse_group(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Group codes ``CO``/``co``/"Contractual Obligation" → ``CO``; (groups, bad)."""
    text = as_text(values)
    groups = _by_unique(text, lambda v: _group_of(v) if v else "")
    bad = groups == _BAD
    groups[bad] = ""
    return pd.Series(groups, index=text.index, dtype=object), pd.Series(bad, index=text.index)


def split_codes(cell: str, group: str = "", amount: float = float("nan")) -> tuple[str, str, str, str]:
    """One cell of adjustment codes → (carcs, rarcs, adjustments, unrecognised), ``;``-joined.

    ``CO-119/N362``, ``CO119``, ``CO 119``, bare ``119`` (``group`` supplies the group),
    words for groups; RARCs are ``M``/``N``/``MA`` + digits, CARCs 1-3 digits or
    ``A``/``B``/``D``/``P``/``W``/``Y`` + digits. ``amount`` goes to the adjustment only when
    the cell has a single grouped CARC; otherwise the amount is left "" (unknown).
    """
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
    carcs: dict[str, None] = {}
    rarcs: dict[str, None] = {}
    unknown: dict[str, None] = {}
    adjustments: list[tuple[str, str, str]] = []
    pending = ""
    for token in tokens:
        if not token:
            continue
        if token in GROUP_CODES:
            pending = token
            continue
        m = _TOKEN.fullmatch(token)
        if not m:
            unknown[token] = None
            pending = ""
            continue
        code = m.group("code")
        if _RARC_RE.fullmatch(code):
            rarcs[code] = None
        else:
            code = code.lstrip("0") if code.isdigit() else code
            if not code:
                unknown[token] = None
                continue
            carcs[code] = None
            grp = m.group("group") or pending or group
            if grp:
                given = m.group("amount")
                adjustments.append((grp, code, f"{float(given):.2f}" if given else ""))
        pending = ""
    if len(adjustments) == 1 and not adjustments[0][2] and amount == amount:
        adjustments[0] = (*adjustments[0][:2], f"{amount:.2f}")
    adj_text = ";".join(dict.fromkeys(f"{g}-{c}:{a}" for g, c, a in adjustments))
    return ";".join(carcs), ";".join(rarcs), adj_text, ";".join(unknown)


def parse_codes(
    codes: pd.Series, group: pd.Series | None = None, amount: pd.Series | None = None
) -> pd.DataFrame:
    """Vectorised ``split_codes``: columns carcs, rarcs, adjustments, unrecognised.

    ``group`` holds parsed group codes ("" when unknown), ``amount`` parsed floats.
    """
    text = as_text(codes)
    if group is None and amount is None:
        parts = _by_unique(text, split_codes)
    else:
        grp = group.fillna("").astype("str") if group is not None else pd.Series("", index=text.index)
        amt = amount if amount is not None else pd.Series(np.nan, index=text.index)
        key = text + "\x1f" + grp + "\x1f" + amt.astype("float64").astype("str").fillna("nan")

        def one(k: str) -> tuple[str, str, str, str]:
            cell, g, a = k.split("\x1f") if k else ("", "", "nan")
            return split_codes(cell, g, float(a))

        parts = _by_unique(key, one)
    cols = _unzip(parts, text.index, 4)
    return pd.DataFrame(
        dict(zip(("carcs", "rarcs", "adjustments", "unrecognised"), cols, strict=True)),
        index=text.index,
    )


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


def _words(text: pd.Series) -> pd.Series:
    return text.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()


def parse_claim_status(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """835 CLP02 codes kept (``4.0`` → ``4``); words mapped ("Denied" → ``4``); (codes, bad)."""
    text = as_text(values)
    number = text.str.fullmatch(r"\d{1,2}(?:\.0+)?")
    codes = text.str.replace(r"\.0+$", "", regex=True).str.lstrip("0")
    words = _words(text).map(_STATUS_WORDS).fillna("")
    out = codes.where(number, words)
    bad = (text != "") & ~number & (words == "")
    return out.astype(object), bad.astype(bool)


def parse_route(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """"subcutaneous", "SubQ", "SQ", "SC" → ``SC``; "intravenous", "IV" → ``IV``; (route, bad)."""
    text = as_text(values)
    route = _words(text).map(_ROUTE_WORDS).fillna("")
    return route.astype(object), ((text != "") & (route == "")).astype(bool)

"""Dates and times of day: the one grammar for table cells, the infusion log and
``appeals units``.

Two-digit years: ``yy`` means 20yy unless that date lies more than ``future_days`` ahead of
today, then 19yy (service dates allow a year ahead; birth dates allow none, so ``01/02/45``
is 1945 and ``03/05/26`` is 2026).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from appeals.readers._cells import _BAD, _per_unique, as_text

EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_MIN, SERIAL_MAX = 20000, 80000  # 1954-10-03 .. 2119-01-10

_TIME_SUFFIX = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AP]M)?)?"
_US_DATE = re.compile(rf"(\d{{1,2}})[/\-.](\d{{1,2}})[/\-.](\d{{4}}|\d{{2}}){_TIME_SUFFIX}", re.I)
_ISO_DATE = re.compile(rf"(\d{{4}})[/\-.](\d{{1,2}})[/\-.](\d{{1,2}}){_TIME_SUFFIX}", re.I)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_NAMED_FORMATS = ("%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y",
                  "%d %b %Y", "%d %B %Y")


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


"""Infusion time and sites to SCIG administration units, with the arithmetic shown.

The counting rules come from the seeds: 96369 is the first hour together with the pump
set-up and the first subcutaneous site; each 96370 is a further hour, and a partial further
hour counts only when it runs 31 minutes or more; each 96371 is a further simultaneous site.
Most MAC LCDs cap 96371 at 2 units per encounter; the cap is the payer's and is passed in.

Times are read by ``appeals.readers.values.read_time``, the grammar the table and
infusion-log readers use too: clock text (``"09:05"``, ``"9:05 AM"``, ``"0905"``) or a date
with a time. A clock stop earlier than its start means the infusion ran past midnight; only when both times carry
a date can a stop before the start be shown to be an error.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from appeals.readers.values import Moment, read_time

FIRST_HOUR = 60
HOUR = 60
PARTIAL_HOUR_MIN = 31  # a partial further hour counts from 31 minutes (seed: "over 30")
DAY = 24 * 60

CODE_INITIAL = "96369"
CODE_HOUR = "96370"
CODE_SITE = "96371"

TimeValue = str | dt.time | dt.datetime | None


class TimeParseError(ValueError):
    """A value that is not a time of day."""


@dataclass
class SiteTime:
    """One site's documented times, kept for the corrected-claim worksheet."""

    site: str
    start: str
    stop: str
    minutes: int | None


@dataclass
class UnitsResult:
    """What the documented times and sites support.

    ``units`` holds only codes with at least one unit; a code the input cannot support is
    absent (96369/96370 when the times are unusable, 96371 when sites are not given).
    ``over_cap`` is how many 96371 units the chart supports beyond the payer cap; ``units``
    already holds the capped number.
    """

    minutes: int | None
    units: dict[str, int]
    steps: list[str]
    problems: list[str]
    start: str = ""
    stop: str = ""
    sites: int | None = None
    cap: int | None = None
    over_cap: int = 0
    crosses_midnight: bool = False
    site_times: list[SiteTime] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def parse_time(value: TimeValue) -> Moment | None:
    """Parse a time of day (with an optional date); ``None`` when blank.

    Raises ``TimeParseError`` for text that is not a time.
    """
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):  # also pd.Timestamp
        return Moment(value.hour * 60 + value.minute, value.date().toordinal())
    if isinstance(value, dt.time):
        return Moment(value.hour * 60 + value.minute)
    moment = read_time(str(value))
    if moment is None:
        raise TimeParseError(f"{value!s} is not a time of day")
    return moment


def _read(value: TimeValue, label: str, problems: list[str]) -> Moment | None:
    try:
        moment = parse_time(value)
    except TimeParseError:
        problems.append(
            f"{label} time {str(value).strip()!r} is not a time: write it as HH:MM "
            "(24-hour, e.g. 09:05 or 14:30)"
        )
        return None
    if moment is None:
        problems.append(f"{label} time missing: the units cannot be computed without it")
    return moment


def _duration(start: Moment, stop: Moment) -> tuple[int | None, bool, str | None]:
    """Minutes from start to stop, whether it crossed midnight, and a problem if any."""
    if start.absolute is not None and stop.absolute is not None:
        minutes = stop.absolute - start.absolute
        if minutes < 0:
            return None, False, "stop is before start (by the dates given): check the chart"
        if minutes == 0:
            return None, False, "stop equals start: no infusion time is documented"
        return minutes, stop.day != start.day, None
    minutes = stop.minute - start.minute
    if minutes == 0:
        return None, False, "stop equals start: no infusion time is documented"
    if minutes < 0:  # a clock-only stop earlier than the start: the infusion ran past midnight
        return minutes + DAY, True, None
    return minutes, False, None


def _hours_units(minutes: int) -> int:
    extra = max(minutes - FIRST_HOUR, 0)
    full, rest = divmod(extra, HOUR)
    return full + (1 if rest >= PARTIAL_HOUR_MIN else 0)


def _time_steps(start: Moment, stop: Moment, minutes: int, midnight: bool) -> list[str]:
    span = f"{start.clock} to {stop.clock}" + (" (crosses midnight)" if midnight else "")
    if minutes <= FIRST_HOUR:
        return [
            f"{span} = {minutes} minutes, within the first hour",
            f"first hour with pump set-up and the first site → {CODE_INITIAL} × 1 only, "
            f"no {CODE_HOUR}",
        ]
    extra = minutes - FIRST_HOUR
    full, rest = divmod(extra, HOUR)
    hours = "full hour" if full == 1 else "full hours"
    if rest == 0:
        partial = "no partial hour"
    elif rest >= PARTIAL_HOUR_MIN:
        partial = f"{rest} minutes (over 30, counts)"
    else:
        partial = f"{rest} minutes (30 or less, does not count)"
    return [
        f"{span} = {minutes} minutes = first hour + {extra} minutes",
        f"first hour with pump set-up and the first site → {CODE_INITIAL} × 1",
        f"{extra} minutes past the first hour: {full} {hours} + {partial} "
        f"→ {CODE_HOUR} × {_hours_units(minutes)}",
    ]


def _whole_sites(sites: Any, problems: list[str]) -> int | None:
    if _blank(sites):
        return None
    try:
        number = float(sites)
    except (TypeError, ValueError):
        problems.append(f"sites {sites!r} is not a number: write the count of sites, e.g. 3")
        return None
    if math.isnan(number):
        return None
    if number < 1 or number != int(number):
        problems.append(f"sites {sites!r} must be a whole number of 1 or more")
        return None
    return int(number)


def _site_units(sites: int, cap: int | None) -> tuple[int, int, str]:
    """96371 units to bill, units over the cap, and the step that explains them."""
    supported = sites - 1
    label = "1 site" if sites == 1 else f"{sites} sites"
    if supported == 0:
        return 0, 0, f"{label}: the first site is part of {CODE_INITIAL} → {CODE_SITE} × 0"
    if cap is None:
        return (
            supported,
            0,
            (f"{label} → {CODE_SITE} × {supported} (the first site is part of {CODE_INITIAL})"),
        )
    if supported <= cap:
        return supported, 0, f"{label} → {CODE_SITE} × {supported} (within the payer cap of {cap})"
    over = supported - cap
    return (
        cap,
        over,
        (
            f"{label} → {supported} further sites, over the payer cap of {cap} → bill "
            f"{CODE_SITE} × {cap}; the other {over} only with the clinical justification "
            "for the extra sites documented in the chart"
        ),
    )


def _finish(result: UnitsResult, sites: Any, cap: int | None, problems: list[str]) -> UnitsResult:
    before = len(problems)
    count = _whole_sites(sites, problems)
    result.sites = count
    result.cap = cap
    if count is None:
        if len(problems) == before:  # blank, not invalid: nothing to assess
            result.steps.append(f"number of sites not documented: {CODE_SITE} not assessed")
    else:
        units, over, step = _site_units(count, cap)
        result.steps.append(step)
        result.over_cap = over
        if units:
            result.units[CODE_SITE] = units
    result.problems = problems
    return result


def _count_time(result: UnitsResult, begin: Moment, end: Moment, minutes: int, midnight: bool) -> None:
    """Record a usable infusion time: 96369 for the first hour, 96370 for each further one."""
    result.minutes, result.crosses_midnight = minutes, midnight
    result.steps.extend(_time_steps(begin, end, minutes, midnight))
    result.units[CODE_INITIAL] = 1
    if hours := _hours_units(minutes):
        result.units[CODE_HOUR] = hours


def units_for_times(
    start: TimeValue, stop: TimeValue, sites: Any = None, *, cap: int | None = None
) -> UnitsResult:
    """The units the documented start/stop times and number of sites support."""
    problems: list[str] = []
    begin = _read(start, "start", problems)
    end = _read(stop, "stop", problems)
    result = UnitsResult(minutes=None, units={}, steps=[], problems=[])
    if begin is not None:
        result.start = begin.clock
    if end is not None:
        result.stop = end.clock
    if begin is not None and end is not None:
        minutes, midnight, problem = _duration(begin, end)
        if problem:
            problems.append(problem)
        else:
            assert minutes is not None
            _count_time(result, begin, end, minutes, midnight)
    if result.minutes is None:
        result.steps.append(f"times unusable: {CODE_INITIAL}/{CODE_HOUR} cannot be computed")
    return _finish(result, sites, cap, problems)


def _span(pairs: Sequence[tuple[Moment, Moment, int]]) -> tuple[Moment, Moment, int]:
    """First start and last stop of simultaneous sites, and the minutes between them.

    Clock-only starts are placed relative to the first site's start within ±12 hours, so
    sites started either side of midnight still order correctly.
    """
    first = pairs[0][0]
    placed = []
    for begin, end, minutes in pairs:
        if first.absolute is not None and begin.absolute is not None:
            offset = begin.absolute - first.absolute
        else:
            offset = (begin.minute - first.minute) % DAY
            if offset > DAY // 2:
                offset -= DAY
        placed.append((offset, offset + minutes, begin, end))
    earliest = min(placed, key=lambda p: p[0])
    latest = max(placed, key=lambda p: p[1])
    return earliest[2], latest[3], latest[1] - earliest[0]


def units_for_sites(
    sites: Sequence[tuple[TimeValue, TimeValue]], cap: int | None = None
) -> UnitsResult:
    """Units for sites infused simultaneously on one pump, each with its own start and stop.

    Infusion time runs from the first start to the last stop; every site counts.
    """
    problems: list[str] = []
    site_times: list[SiteTime] = []
    usable: list[tuple[Moment, Moment, int]] = []
    for number, (start, stop) in enumerate(sites, start=1):
        site_problems: list[str] = []
        begin = _read(start, f"site {number} start", site_problems)
        end = _read(stop, f"site {number} stop", site_problems)
        minutes = None
        if begin is not None and end is not None:
            minutes, _, problem = _duration(begin, end)
            if problem:
                site_problems.append(f"site {number}: {problem}")
        site_times.append(
            SiteTime(
                site=str(number),
                start=begin.clock if begin else ("" if _blank(start) else str(start)),
                stop=end.clock if end else ("" if _blank(stop) else str(stop)),
                minutes=minutes,
            )
        )
        problems.extend(site_problems)
        if begin is not None and end is not None and minutes is not None:
            usable.append((begin, end, minutes))
    result = UnitsResult(minutes=None, units={}, steps=[], problems=[], site_times=site_times)
    if not sites:
        problems.append("no site times given")
    elif not problems:
        begin, end, minutes = _span(usable)
        if begin.day is not None and end.day is not None:
            midnight = end.day != begin.day
        else:
            midnight = begin.minute + minutes >= DAY
        result.start, result.stop = begin.clock, end.clock
        result.steps.append(
            f"{len(sites)} sites on one pump: first start {begin.clock}, last stop {end.clock}"
            if len(sites) > 1
            else f"1 site: {begin.clock} to {end.clock}"
        )
        _count_time(result, begin, end, minutes, midnight)
    if result.minutes is None:
        result.steps.append(f"times unusable: {CODE_INITIAL}/{CODE_HOUR} cannot be computed")
    return _finish(result, len(sites) or None, cap, problems)


def _parse_unique(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Minute of day and day ordinal (NaN when absent) per row, parsing each text once."""
    text = series.astype(object).where(series.notna(), "").astype(str)
    codes, uniques = pd.factorize(text, sort=False)
    minute = np.full(len(uniques), np.nan)
    day = np.full(len(uniques), np.nan)
    for i, value in enumerate(uniques):
        try:
            moment = parse_time(value)
        except TimeParseError:
            continue
        if moment is not None:
            minute[i] = moment.minute
            if moment.day is not None:
                day[i] = moment.day
    if len(uniques) == 0:
        empty = np.full(len(series), np.nan)
        return empty, empty.copy()
    return minute[codes], day[codes]


def supported_units(start: pd.Series, stop: pd.Series, sites: pd.Series) -> pd.DataFrame:
    """Vectorised ``units_for_times`` without a cap, for the classifier.

    Columns ``minutes``, ``u96369``, ``u96370``, ``u96371`` (float64, NaN where the input
    cannot support a number), on the index of ``start``.
    """
    start_min, start_day = _parse_unique(start)
    stop_min, stop_day = _parse_unique(stop)
    clock = stop_min - start_min
    clock = np.where(clock < 0, clock + DAY, clock)  # clock-only: past midnight
    dated = ~np.isnan(start_day) & ~np.isnan(stop_day)
    with np.errstate(invalid="ignore"):
        absolute = (stop_day - start_day) * DAY + (stop_min - start_min)
    minutes = np.where(dated, absolute, clock)
    minutes = np.where(minutes > 0, minutes, np.nan)
    extra = np.maximum(minutes - FIRST_HOUR, 0)
    full, rest = np.floor_divide(extra, HOUR), np.mod(extra, HOUR)
    hours = full + (rest >= PARTIAL_HOUR_MIN)
    count = pd.to_numeric(pd.Series(sites, copy=False), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    whole = (count >= 1) & (count == np.floor(count))
    return pd.DataFrame(
        {
            "minutes": minutes,
            "u96369": np.where(np.isnan(minutes), np.nan, 1.0),
            "u96370": hours,
            "u96371": np.where(whole, count - 1, np.nan),
        },
        index=start.index,
    )

"""Reporting deadlines from the year's ReportingRule (DOMAIN §8). Pure date arithmetic.

Monthly cadence: month m is due on day N of month m+1 (December: of January next year).
Annual cadence: every month is due on the rule's month/day of the assessment year.
A day past the end of a month is clamped to its last day (day 31 in April → 30 April).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    cadence: str  # "monthly" | "annual"
    day: int
    month: int | None = None


def _clamped(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def due_date(rule: Rule, year: int, month: int) -> dt.date:
    if rule.cadence == "monthly":
        y, m = (year + 1, 1) if month == 12 else (year, month + 1)
        return _clamped(y, m, rule.day)
    return _clamped(year, rule.month or 12, rule.day)


def months_to_report(year: int, today: dt.date) -> list[int]:
    """Months of the year that have begun by ``today`` (a month can be reported once it started)."""
    if today.year < year:
        return []
    if today.year > year:
        return list(range(1, 13))
    return list(range(1, today.month + 1))


@dataclass(frozen=True)
class MonthState:
    month: int
    due: dt.date
    filed: bool
    late: bool  # past due and not filed
    filed_late: bool


def month_states(rule: Rule | None, year: int, today: dt.date, filed: dict[int, dt.date]) -> list[MonthState]:
    """Per month 1–12: its deadline, whether it was filed (filed[month] = filing date) and whether late."""
    states = []
    for month in range(1, 13):
        due = due_date(rule, year, month) if rule else dt.date(year, 12, 31)
        when = filed.get(month)
        states.append(
            MonthState(
                month=month,
                due=due,
                filed=when is not None,
                late=when is None and today > due,
                filed_late=when is not None and when > due,
            )
        )
    return states


def next_deadline(rule: Rule | None, year: int, today: dt.date, filed: dict[int, dt.date]) -> MonthState | None:
    """The earliest unfiled month whose deadline is today or later (None when nothing is left)."""
    if rule is None:
        return None
    pending = [s for s in month_states(rule, year, today, filed) if not s.filed and s.due >= today]
    return min(pending, key=lambda s: (s.due, s.month)) if pending else None


@dataclass(frozen=True)
class Obligation:
    """One report a unit owes: a month's (monthly cadence) or the whole year's (annual cadence, ``month`` None)."""

    month: int | None
    due: dt.date
    filed: bool
    late: bool  # past due and not filed
    filed_late: bool
    filed_on: dt.date | None = None


def obligations(rule: Rule | None, year: int, today: dt.date, filed: dict[int, dt.date]) -> list[Obligation]:
    """What a unit owes under its rule: twelve monthly reports, or one annual report due once at the rule's date
    (filed by the report for the rule's month), never twelve overdue months for a unit that reports once a year."""
    if rule is None:
        return []
    if rule.cadence == "annual":
        due = due_date(rule, year, rule.month or 12)
        when = filed.get(rule.month or 12)
        return [Obligation(None, due, when is not None, when is None and today > due, bool(when and when > due), when)]
    return [
        Obligation(s.month, s.due, s.filed, s.late, s.filed_late, filed.get(s.month))
        for s in month_states(rule, year, today, filed)
    ]

"""Helpers shared by the pages of every audience: the year a page shows, the day it is "as of", notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from publicity.models import (
    AssessmentYear,
    Publication,
    ReportingRule,
    YearStatus,
)
from publicity.reporting import Rule

PAGE_SIZE = 50
PIECE_PAGE_SIZE = 30  # the unit's piece list: one screenful on a phone


# --- shared helpers --------------------------------------------------------------------------


def current_year(request) -> AssessmentYear:
    """``?year=`` if given, else the latest open year, else the latest year (one query)."""
    years = list(AssessmentYear.objects.order_by("-year"))
    wanted = request.GET.get("year")
    if wanted:
        for y in years:
            if str(y.year) == wanted:
                return y
    for y in years:
        if y.status == YearStatus.OPEN:
            return y
    if not years:
        raise PermissionDenied(_("尚未设立考核年度,请联系市局管理员。"))
    return years[0]


def as_of_date(request, year: AssessmentYear) -> dt.date:
    """The day the page is "as of": ``?as_of=`` (to replay a past year), else today, clamped to the year."""
    try:
        wanted = parse_date(request.GET.get("as_of") or "")
    except ValueError:  # well formed but no such day (2011-02-30): today, not a server error
        wanted = None
    day = wanted or timezone.localdate()
    return min(max(day, dt.date(year.year, 1, 1)), dt.date(year.year, 12, 31))


def deadline_day(request, year: AssessmentYear) -> dt.date:
    """Deadlines are judged on the real day, or on ``?as_of=`` when a past year is replayed."""
    return as_of_date(request, year) if request.GET.get("as_of") else timezone.localdate()


def frozen_notice(year: AssessmentYear) -> str:
    """The banner of liaison pages once a year is closed or published ("" while it is open)."""
    if not year.is_frozen:
        return ""
    return _("%(year)s年度%(status)s,不能再登记或修改稿件。") % {"year": year.year, "status": year.get_status_display()}


def reporting_rule(year: AssessmentYear, kind_id: int) -> Rule | None:
    row = ReportingRule.objects.filter(year=year, unit_kind_id=kind_id).first()
    return Rule(row.cadence, row.day, row.month) if row else None


def unit_score_url(year: int, unit_id: int) -> str:
    """The scoring app's per-unit page (drill-down from the dashboard and the liaison home)."""
    return reverse("scoring:unit-score", kwargs={"year": year, "unit_id": unit_id})


def error_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def first_date_subquery():
    """A piece's earliest publication date, as a subquery (month filters and charts)."""
    return Subquery(
        Publication.objects.filter(piece=OuterRef("pk")).values("piece").annotate(d=Min("date")).values("d")
    )


def masked_duplicates(duplicates: list, user) -> list:
    """Likely duplicates as a reader may see them: bureau staff every unit's piece; a liaison or unit head
    their own unit's, and another unit's only as "另一单位" — no name, title, id or status (DOMAIN §1)."""
    if user.is_bureau_staff:
        return duplicates
    own = user.unit.name if user.unit_id else None
    return [
        d if d.unit_name == own else replace(d, piece_id=0, title="", unit_name="", status_label="") for d in duplicates
    ]

"""The liaison's and unit head's home: progress, projection, waiting pieces, deadlines, reminders."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from publicity import services
from publicity.claimed import REPORTED
from publicity.models import (
    Piece,
    PieceStatus,
    Publication,
    Reminder,
)
from publicity.reporting import month_states, next_deadline
from scoring.flags import flags_for
from scoring.progress import policy_from_params, project, year_pace
from scoring.services import score_year
from website.models import ItemStatus, WebsiteItem

from . import deadlines
from .access import (
    PIECE_WRITERS,
    UNIT_READERS,
    require_roles,
    scoped_or_404,
    user_unit,
)
from .common import (
    as_of_date,
    current_year,
    deadline_day,
    frozen_notice,
    reporting_rule,
    unit_score_url,
)
from .figures import unit_lines

# --- liaison / unit head home ----------------------------------------------------------------

FLAGGED_SHOWN = 20


def flagged_pieces(unit, year) -> list[dict]:
    """The unit's reported pieces that the year's §10 settings flag (duplicate claim, late report), newest
    first: five queries (the pieces with their publications, the policy, the claims). Another unit is only
    ever "另一单位" here (the partial is rendered with staff off)."""
    pieces = list(
        Piece.objects.filter(unit=unit, year=year, status__in=REPORTED)
        .only("pk", "title", "status", "unit_id", "year_id", "title_key", "first_submitted_at")
        .prefetch_related(Prefetch("publications", queryset=Publication.objects.select_related("outlet")))
        .order_by("-first_submitted_at", "-id")
    )
    flags = flags_for(year, pieces)
    return [{"piece": p, "flags": flags[p.pk]} for p in pieces if p.pk in flags][:FLAGGED_SHOWN]


@require_roles(*UNIT_READERS)
def unit_home(request):
    unit = user_unit(request.user)
    year = current_year(request)
    as_of = as_of_date(request, year)
    score = score_year(year, unit_ids=[unit.pk], as_of=as_of)
    try:
        unit_score = score.unit(unit.pk)
    except LookupError:
        unit_score = None
    projection = None
    policy = policy_from_params(score.policy)
    elapsed, total = year_pace(year.year, as_of)
    if unit_score is not None and policy is not None:
        projection = project(unit_score, policy, elapsed, total)
    indicators = []
    if unit_score:
        for i, ind in enumerate(unit_score.indicators):
            pct = min(100, int(ind.achieved * 100 / ind.target)) if ind.target else 100
            indicators.append(
                {"ind": ind, "pct": pct, "projected": projection.lines[i].projected if projection else None}
            )
    waiting = list(
        Piece.objects.filter(unit=unit, year=year, status__in=[PieceStatus.SUBMITTED, PieceStatus.REJECTED])
        .order_by("status", "-updated_at")
        .only("pk", "title", "status", "reject_reason", "submitted_at", "reviewed_at")[:30]
    )
    counts = dict(Piece.objects.filter(unit=unit, year=year).values_list("status").annotate(n=Count("id")).order_by())
    reminders = list(Reminder.objects.filter(unit=unit, year=year, read_at__isnull=True)[:10])
    rule = reporting_rule(year, unit.kind_id)
    filed = {
        month: timezone.localtime(when).date()
        for month, when in year.reports.filter(unit=unit).values_list("month", "filed_at")
    }
    today = deadline_day(request, year)
    # The head's sign-off queue, and what came back to the liaison (局网站信息发布).
    website_statuses = []
    if request.user.is_unit_head:
        website_statuses.append(ItemStatus.HEAD)
    if request.user.is_liaison:
        website_statuses.append(ItemStatus.RETURNED)
    website_items = list(
        WebsiteItem.objects.filter(unit=unit, year=year, status__in=website_statuses)
        .only("pk", "title", "status", "is_major", "waiting_since", "return_reason")
        .order_by("waiting_since", "id")[:20]
    )
    states = month_states(rule, year.year, today, filed) if rule else []
    figure_lines = unit_lines(year, unit)  # reported-figure tasks (发行征订): 3 queries
    context = {
        "unit": unit,
        "year": year,
        "as_of": as_of,
        "score": unit_score,
        "indicators": indicators,
        "projection": projection,
        "elapsed": elapsed,
        "total": total,
        "waiting": waiting,
        "flagged": flagged_pieces(unit, year),
        "counts": {PieceStatus(k).label: v for k, v in counts.items()},
        "drafts": counts.get(PieceStatus.DRAFT, 0),
        "reminders": reminders,
        "website_items": website_items,
        "deadlines": deadlines.for_unit(request.user, unit, year, today, figure_lines=figure_lines),
        "figure_lines": figure_lines,
        "rule": rule,
        "next_due": next_deadline(rule, year.year, today, filed),
        "late_months": [s for s in states if s.late],
        "can_write": request.user.has_role(*PIECE_WRITERS) and not year.is_frozen,
        "frozen_notice": frozen_notice(year),
        "score_url": unit_score_url(year.year, unit.pk),
    }
    return render(request, "publicity/unit_home.html", context)


@require_POST
@require_roles(*UNIT_READERS)
def reminder_read(request, pk):
    unit = user_unit(request.user)
    reminder = scoped_or_404(request.user, Reminder.objects.filter(unit=unit), pk=pk)
    services.reminder_mark_read(actor=request.user, reminder=reminder)
    return redirect("publicity:unit-home")

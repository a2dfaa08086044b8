"""The bureau's dashboard: every unit's completion, points and rewards by kind; the monthly chart."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Min, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from figures.services import year_summaries
from publicity.models import (
    AssessmentYear,
    Piece,
    PieceStatus,
)
from reports.ranking import kind_groups, write_ranking
from scoring.models import ScoringPolicy, StoredIndicatorScore, StoredMonthScore, StoredUnitScore, StoredYear
from scoring.services import year_results
from scoring.stored import ensure_months, ensure_stored, ranked
from units.models import UnitKind

from . import deadlines
from .access import (
    DASHBOARD_READERS,
    require_roles,
)
from .common import (
    current_year,
    deadline_day,
    first_date_subquery,
    unit_score_url,
)

# --- dashboard -------------------------------------------------------------------------------


PAGE_SIZE = 50


class Row:
    """One unit's line on the dashboard, from stored scores (open years) or the closing snapshot."""

    def __init__(self, unit_id, unit_name, rank, points, reward, indicators):
        self.unit_id, self.unit_name, self.rank = unit_id, unit_name, rank
        self.points, self.reward, self.indicators = points, reward, indicators


def _cells(codes, indicators):
    by_code = {i.code: i for i in indicators}
    cells = []
    for code, _name in codes:
        ind = by_code.get(code)
        if ind is not None and ind.points is not None:  # §10 per-piece item: points, no target to complete
            cells.append({"ind": ind, "pct": None, "per_piece": True})
            continue
        pct = min(100, int(ind.achieved * 100 / ind.target)) if ind and ind.target else (100 if ind else 0)
        cells.append({"ind": ind, "pct": pct})
    return cells


def _page_number(request, kind_id) -> int:
    try:
        return max(1, int(request.GET.get(f"p{kind_id}", "1")))
    except ValueError:
        return 1


def _stored_groups(request, year, query: str):
    """Totals by unit kind and a ranked, paged, searchable list per kind: a fixed number of queries per
    kind (the kinds are data, a handful), whatever the number of units or pieces."""
    ensure_stored(year)
    rows = ranked(year, within_kind=True)
    totals = {
        t["kind_id"]: t
        for t in StoredUnitScore.objects.filter(year=year)
        .values("kind_id")
        .annotate(units=Count("id"), points=Sum("points"), reward=Sum("reward"), pieces=Sum("piece_count"))
        .order_by()
    }
    sums: dict[int, list] = {}
    for t in (
        StoredIndicatorScore.objects.filter(unit_score__year=year)
        .values("unit_score__kind_id", "code", "name")
        # per_piece: a §10 per-piece item (points, no target); its points are not summed (a sum of scores means
        # nothing), its pieces are
        .annotate(target=Sum("target"), achieved=Sum("achieved"), per_piece=Count("points"), pos=Min("position"))
        .order_by("unit_score__kind_id", "pos", "code")
    ):
        sums.setdefault(t["unit_score__kind_id"], []).append(t)
    groups = []
    for kind in UnitKind.objects.filter(pk__in=list(totals)).order_by("order", "id"):
        codes = [(t["code"], t["name"]) for t in sums.get(kind.pk, [])]
        qs = rows.filter(kind=kind)
        if query:
            qs = qs.filter(unit_name__icontains=query)
        paginator = Paginator(qs.order_by("-points", "-reward", "order", "unit_id"), PAGE_SIZE)
        page = paginator.get_page(_page_number(request, kind.pk))
        stored = list(page.object_list)
        indicators: dict[int, list] = {}
        for ind in StoredIndicatorScore.objects.filter(unit_score__in=[r.pk for r in stored]).order_by("position"):
            indicators.setdefault(ind.unit_score_id, []).append(ind)
        table = []
        for r in stored:
            row = Row(r.unit_id, r.unit_name, r.rank, r.points, r.reward, indicators.get(r.pk, []))
            table.append(
                {"u": row, "cells": _cells(codes, row.indicators), "score_url": unit_score_url(year.year, r.unit_id)}
            )
        total = totals[kind.pk]
        groups.append(
            {
                "id": kind.pk,
                "name": kind.name,
                "codes": codes,
                "table": table,
                "page": page,
                "totals": total,
                "indicator_totals": sums.get(kind.pk, []),
            }
        )
    return (
        groups,
        sum(t["units"] for t in totals.values()),
        sum((t["reward"] for t in totals.values()), start=Decimal("0")),
    )


def _snapshot_groups(year, query: str):
    """A closed year: the closing snapshot, grouped by kind (kept whole: it is fixed and read rarely)."""
    results = year_results(year)
    groups: dict[str, dict] = {}
    # Each table is one unit kind: units are ranked within their kind (county bureaus among county bureaus).
    for u in [u for _kind, ranked_units in kind_groups(results) for u in ranked_units]:
        group = groups.setdefault(u.kind_name, {"id": u.kind_id, "name": u.kind_name, "codes": [], "units": []})
        for ind in u.indicators:
            if (ind.code, ind.name) not in group["codes"]:
                group["codes"].append((ind.code, ind.name))
        group["units"].append(u)
    for group in groups.values():
        units = [u for u in group.pop("units") if not query or query in u.unit_name]
        group["totals"] = {
            "units": len(units),
            "points": sum((u.points for u in units), start=Decimal("0")),
            "reward": sum((u.reward for u in units), start=Decimal("0")),
        }
        group["table"] = [
            {"u": u, "cells": _cells(group["codes"], u.indicators), "score_url": unit_score_url(year.year, u.unit_id)}
            for u in units
        ]
    return list(groups.values()), len(results.units), sum((u.reward for u in results.units), start=Decimal("0"))


def _parent_totals(year):
    """Units with a parent unit, summed per parent (where the bureau's units have one)."""
    return list(
        StoredUnitScore.objects.filter(year=year, parent__isnull=False)
        .values("parent_id", "parent__name")
        .annotate(units=Count("id"), points=Sum("points"), reward=Sum("reward"), pieces=Sum("piece_count"))
        .order_by("-points", "parent__name")[:PAGE_SIZE]
    )


@require_roles(*DASHBOARD_READERS)
def dashboard(request):
    year = current_year(request)
    query = (request.GET.get("q") or "").strip()[:50]
    if year.is_frozen:
        groups, unit_count, reward_total = _snapshot_groups(year, query)
        parents = []
    else:
        groups, unit_count, reward_total = _stored_groups(request, year, query)
        parents = _parent_totals(year)
    kinds = list(UnitKind.objects.order_by("order", "id"))
    approved, waiting, by_kind = _monthly(year, kinds)
    cumulative, running = [], 0
    for n in approved:
        running += n
        cumulative.append(running)
    chart = {
        "labels": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "approved": approved,
        "waiting": waiting,
        "cumulative": cumulative,
        "kinds": [{"name": k.name, "data": by_kind[k.pk]} for k in kinds],
        "text": {
            "approved": pgettext("图表", "审核通过"),  # a legend ("Approved"), not the button ("Approve")
            "waiting": _("待审核"),
            "cumulative": _("累计通过"),
            "per_month": _("当月篇数"),
            "total": _("累计"),
            "approved_per_month": _("当月通过篇数"),
        },
    }
    totals = {
        "units": unit_count,
        "reward": reward_total,
        "approved": sum(approved),
        "waiting": Piece.objects.filter(year=year, status=PieceStatus.SUBMITTED).count(),
    }
    figure_tasks = year_summaries(year)  # reported-figure tasks (发行征订): 1 query, 5 with tasks
    return render(
        request,
        "publicity/dashboard.html",
        {
            "year": year,
            "source": "snapshot" if year.is_frozen else "stored",
            "stale": not year.is_frozen and StoredYear.objects.filter(year=year, stale=True).exists(),
            "query": query,
            "parents": parents,
            "groups": groups,
            "chart": chart,
            "totals": totals,
            "full_score": _kind_full_scores(year, groups),
            "provisional": not year.is_frozen,
            "years": AssessmentYear.objects.order_by("-year"),
            "figure_tasks": figure_tasks,
            "deadlines": []
            if year.is_frozen
            else deadlines.for_bureau(year, deadline_day(request, year), figure_tasks=figure_tasks),
        },
    )


def _by_month(pieces):
    """(month, unit kind id, count) of pieces by the month of their first publication (else report date)."""
    return (
        pieces.annotate(m=ExtractMonth(Coalesce(first_date_subquery(), "report_date")))
        .values_list("m", "unit__kind_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def _monthly(year, kinds) -> tuple[list[int], list[int], dict[int, list[int]]]:
    """Approved and waiting pieces per month (and approved per unit kind) for the chart.

    Approved: an open year's stored month-end rows (each unit's approved pieces by the month's end, kept
    current with every approval): 12 × kinds rows, whatever the year's size. Waiting: the pieces waiting for
    review only (the queue, not the year). A closed year, or one whose month rows are still being written:
    one grouped aggregate over the year's approved pieces."""
    approved, waiting = [0] * 12, [0] * 12
    by_kind = {k.pk: [0] * 12 for k in kinds}
    for m, _kind, n in _by_month(Piece.objects.filter(year=year, status=PieceStatus.SUBMITTED)):
        if m:
            waiting[m - 1] += n
    if not year.is_frozen and ensure_months(year) is not None:
        running: dict[int, list[int]] = {}
        for month, kind_id, n in (
            StoredMonthScore.objects.filter(year=year)
            .values_list("month", "kind_id")
            .annotate(n=Sum("approved"))
            .order_by()
        ):
            running.setdefault(kind_id, [0] * 13)[month] = n
        for kind_id, ends in running.items():
            line = by_kind.setdefault(kind_id, [0] * 12)
            for m in range(1, 13):
                line[m - 1] = ends[m] - ends[m - 1]
                approved[m - 1] += line[m - 1]
        return approved, waiting, by_kind
    for m, kind_id, n in _by_month(Piece.objects.filter(year=year, status=PieceStatus.APPROVED)):
        if m:
            approved[m - 1] += n
            by_kind.setdefault(kind_id, [0] * 12)[m - 1] += n
    return approved, waiting, by_kind


def _kind_full_scores(year, groups) -> str:
    """Each kind's 满分 (group["full_score"]): the quota item's plus every separately scored reported-figure task
    its units take part in (a task without kinds is everyone's); returns the quota item's. 3 queries."""
    from figures.models import FigureTask

    base = ScoringPolicy.objects.filter(year=year).values_list("full_score", flat=True).first()
    tasks = list(FigureTask.objects.filter(year=year, is_scored=True).prefetch_related("unit_kinds"))
    for g in groups:
        if base is None:
            continue
        extra = sum(
            (t.full_score for t in tasks if not t.unit_kinds.all() or any(k.pk == g["id"] for k in t.unit_kinds.all())),
            Decimal("0"),
        )
        g["full_score"] = f"{base + extra:.2f}"
    return "" if base is None else f"{base:.2f}"


@require_roles(*DASHBOARD_READERS)
def dashboard_xlsx(request):
    """The ranking as a workbook (one sheet per unit kind), as the dashboard shows it."""
    import io
    from urllib.parse import quote

    from django.http import HttpResponse

    year = current_year(request)
    out = io.BytesIO()
    write_ranking(year, out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{year.year}年度考核排名.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response

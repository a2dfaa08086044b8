"""The bureau's dashboard: every unit's completion, points and rewards by kind; the monthly chart."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Coalesce, ExtractMonth
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from publicity.models import (
    AssessmentYear,
    Piece,
    PieceStatus,
)
from scoring.services import year_results
from units.models import UnitKind

from .access import (
    DASHBOARD_READERS,
    require_roles,
)
from .common import (
    current_year,
    first_date_subquery,
    unit_score_url,
)

# --- dashboard -------------------------------------------------------------------------------


@require_roles(*DASHBOARD_READERS)
def dashboard(request):
    year = current_year(request)
    results = year_results(year)
    kind_order = {k.pk: k.order for k in UnitKind.objects.all()}
    groups: dict[str, dict] = {}
    units_by_kind = sorted(results.units, key=lambda u: (kind_order.get(u.kind_id, 0), u.kind_name, u.rank))
    for u in units_by_kind:
        group = groups.setdefault(u.kind_name, {"name": u.kind_name, "codes": [], "rows": []})
        for ind in u.indicators:
            if (ind.code, ind.name) not in group["codes"]:
                group["codes"].append((ind.code, ind.name))
        group["rows"].append(u)
    for group in groups.values():
        for u in group["rows"]:
            by_code = {i.code: i for i in u.indicators}
            u_cells = []
            for code, _name in group["codes"]:
                ind = by_code.get(code)
                pct = min(100, int(ind.achieved * 100 / ind.target)) if ind and ind.target else (100 if ind else 0)
                u_cells.append({"ind": ind, "pct": pct})
            group.setdefault("cells", {})[u.unit_id] = u_cells
        group["table"] = [
            {"u": u, "cells": group["cells"][u.unit_id], "score_url": unit_score_url(year.year, u.unit_id)}
            for u in group["rows"]
        ]
    monthly = (
        Piece.objects.filter(year=year)
        .exclude(status=PieceStatus.DRAFT)
        .annotate(m=ExtractMonth(Coalesce(first_date_subquery(), "report_date")))
        .values("m", "status", "unit__kind_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    kinds = list(UnitKind.objects.order_by("order", "id"))
    approved = [0] * 12
    waiting = [0] * 12
    by_kind = {k.pk: [0] * 12 for k in kinds}
    for row in monthly:
        if not row["m"]:
            continue
        if row["status"] == PieceStatus.APPROVED:
            approved[row["m"] - 1] += row["n"]
            by_kind.setdefault(row["unit__kind_id"], [0] * 12)[row["m"] - 1] += row["n"]
        elif row["status"] == PieceStatus.SUBMITTED:
            waiting[row["m"] - 1] += row["n"]
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
        "units": len(results.units),
        "points": sum((u.points for u in results.units), start=0),
        "reward": sum((u.reward for u in results.units), start=0),
        "approved": sum(approved),
        "waiting": Piece.objects.filter(year=year, status=PieceStatus.SUBMITTED).count(),
    }
    return render(
        request,
        "publicity/dashboard.html",
        {
            "year": year,
            "results": results,
            "groups": list(groups.values()),
            "chart": chart,
            "totals": totals,
            "years": AssessmentYear.objects.order_by("-year"),
        },
    )

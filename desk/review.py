"""The reviewer's queue: filters, approve, reject with a reason, batch approve."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from publicity import services
from publicity.duplicates import duplicates_for_many
from publicity.models import (
    Piece,
    PieceStatus,
    Publication,
)
from publicity.proof_checks import attach_checks, flagged_piece_ids, proof_twins

from .access import (
    REVIEWERS,
    get_piece_for_user,
    require_roles,
)
from .common import (
    PAGE_SIZE,
    current_year,
    error_messages,
    first_date_subquery,
)
from .forms import (
    QueueFilterForm,
    RejectForm,
)

# --- reviewer queue --------------------------------------------------------------------------


@require_roles(*REVIEWERS)
def review_queue(request):
    year = current_year(request)
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = PieceStatus.SUBMITTED
    filters = QueueFilterForm(params)
    filters.is_valid()
    f = filters.cleaned_data if filters.is_valid() else {"status": PieceStatus.SUBMITTED}
    qs = (
        Piece.objects.filter(year=year)
        .annotate(first_date=Coalesce(first_date_subquery(), "report_date"))
        .select_related("unit", "year")
        .prefetch_related(
            "authors",
            "topics",
            Prefetch(
                "publications",
                queryset=Publication.objects.select_related("outlet", "outlet__level").prefetch_related("evidence"),
            ),
        )
    )
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("unit"):
        qs = qs.filter(unit=f["unit"])
    if f.get("month"):
        qs = qs.filter(first_date__month=f["month"])
    if f.get("level"):
        qs = qs.filter(pk__in=Publication.objects.filter(outlet__level=f["level"]).values("piece"))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    qs = qs.order_by("submitted_at", "id")
    if f.get("dup"):
        # The duplicate filter needs every candidate's warning: two queries over the year, then
        # the page is cut from the flagged ids.
        items = list(qs.values_list("pk", "title"))
        urls = defaultdict(list)
        for pid, url in (
            Publication.objects.filter(piece__in=[pk for pk, _ in items]).exclude(url="").values_list("piece_id", "url")
        ):
            urls[pid].append(url)
        flagged = duplicates_for_many(year_id=year.pk, items=[(pk, t, urls[pk]) for pk, t in items])
        qs = qs.filter(pk__in=list(flagged))
    if f.get("proof"):
        # Proof disagreeing with the claim, or the same proof on another unit's piece: checked over
        # every candidate (a fixed number of queries), then the page is cut from the flagged ids.
        ids = list(qs.values_list("pk", flat=True))
        flagged = flagged_piece_ids(Piece.objects.filter(pk__in=ids)) | set(proof_twins(year_id=year.pk, piece_ids=ids))
        qs = qs.filter(pk__in=list(flagged))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    dups = duplicates_for_many(
        year_id=year.pk, items=[(p.pk, p.title, [x.url for x in p.publications.all() if x.url]) for p in rows]
    )
    pubs = [pub for p in rows for pub in p.publications.all()]
    attach_checks(pubs, {p.pk: p.title for p in rows})
    twins = proof_twins(year_id=year.pk, piece_ids=[p.pk for p in rows])
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "publicity/review_queue.html",
        {
            "year": year,
            "filters": filters,
            "page": page,
            "rows": [
                {
                    "piece": p,
                    "dups": dups.get(p.pk, []),
                    "twins": twins.get(p.pk, []),
                    "proof_flagged": any(x.proof and x.proof.flagged for x in p.publications.all()),
                }
                for p in rows
            ],
            "query": query.urlencode(),
            "reject_form": RejectForm(),
        },
    )


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(default)


@require_POST
@require_roles(*REVIEWERS)
def review_approve(request, pk):
    piece = get_piece_for_user(request.user, pk)
    try:
        services.piece_review(actor=request.user, piece=piece, approve=True)
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(request, _("稿件“%(title)s”已审核通过。") % {"title": piece.title})
    return _back(request, reverse("publicity:review-queue"))


@require_POST
@require_roles(*REVIEWERS)
def review_reject(request, pk):
    piece = get_piece_for_user(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        for msg in form.errors.get("reason", []):
            messages.error(request, _("稿件“%(title)s”:%(error)s") % {"title": piece.title, "error": msg})
        return _back(request, reverse("publicity:review-queue"))
    try:
        services.piece_review(actor=request.user, piece=piece, approve=False, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(
            request,
            _("稿件“%(title)s”已退回:%(reason)s") % {"title": piece.title, "reason": form.cleaned_data["reason"]},
        )
    return _back(request, reverse("publicity:review-queue"))


@require_POST
@require_roles(*REVIEWERS)
def review_batch(request):
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    if not ids:
        messages.error(request, _("请先勾选要批量通过的稿件。"))
        return _back(request, reverse("publicity:review-queue"))
    approved, failed = 0, []
    for piece in Piece.objects.visible_to(request.user).filter(pk__in=ids).order_by("id"):
        try:
            services.piece_review(actor=request.user, piece=piece, approve=True)
            approved += 1
        except ValidationError as exc:
            failed.extend(error_messages(exc))
    if approved:
        messages.success(request, _("已批量通过 %(n)s 篇稿件。") % {"n": approved})
    for msg in failed:
        messages.warning(request, msg)
    return _back(request, reverse("publicity:review-queue"))

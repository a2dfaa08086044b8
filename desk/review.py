"""The reviewer's queue: filters and keyword search, proof flags, approve / reject with a reason (a common one
or free text), batch approve and batch reject; after a decision on the piece page the next piece opens.

Every decision carries the version of the piece the reviewer was shown (issue 11 item 1)."""

from __future__ import annotations

import re
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from publicity import review as review_services
from publicity.duplicates import duplicates_for_many
from publicity.models import (
    AssessmentYear,
    Evidence,
    Piece,
    PieceAuthor,
    PieceStatus,
    Publication,
    RejectionReason,
)
from publicity.proof_checks import attach_checks, flagged_piece_ids, proof_twins
from scoring.flags import flags_for

from . import deadlines
from .access import (
    REVIEWERS,
    get_piece_for_user,
    require_roles,
)
from .common import (
    PAGE_SIZE,
    current_year,
    deadline_day,
    error_messages,
    first_date_subquery,
)
from .forms import (
    CORRECTION_STATUS,
    QueueFilterForm,
    RejectForm,
    posted_version,
)

# "<piece id>:<version>" as a batch checkbox value; ids bounded so a huge number is no 500.
BATCH_ITEM = re.compile(r"^(\d{1,12}):(\d{1,9})$")


def without_proof():
    """Pieces with a publication that has neither an evidence file nor a link."""
    bare = Publication.objects.filter(piece=OuterRef("pk"), url="").exclude(
        Exists(Evidence.objects.filter(publication=OuterRef("pk")))
    )
    return Exists(bare)


def lacks_proof(piece: Piece) -> bool:
    """``without_proof`` for a piece whose publications and their evidence are prefetched: no query."""
    return any(not pub.url and not pub.evidence.all() for pub in piece.publications.all())


def queue_queryset(year: AssessmentYear, params: QueryDict) -> tuple[QueueFilterForm, object]:
    """The filtered queue, in review order (first submitted first)."""
    params = params.copy()
    if "status" not in params:
        params["status"] = PieceStatus.SUBMITTED
    filters = QueueFilterForm(params)
    f = filters.cleaned_data if filters.is_valid() else {"status": PieceStatus.SUBMITTED}
    # Subqueries only where a filter needs them: annotated on every row, PostgreSQL may hash them over the
    # whole year (every publication without a link) instead of running them for the page's rows.
    qs = Piece.objects.filter(year=year).select_related("unit", "year")
    status = f.get("status")
    if status == CORRECTION_STATUS:
        qs = qs.filter(publications__pending_review=True).distinct()
    elif status:
        qs = qs.filter(status=status)
    if f.get("unit"):
        qs = qs.filter(unit=f["unit"])
    if f.get("month"):
        qs = qs.annotate(first_date=Coalesce(first_date_subquery(), "report_date")).filter(first_date__month=f["month"])
    if f.get("level"):
        qs = qs.filter(pk__in=Publication.objects.filter(outlet__level=f["level"]).values("piece"))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("noproof"):
        qs = qs.filter(without_proof())
    if f.get("q"):
        words = f["q"].split()
        for word in words[:5]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(unit__name__icontains=word)
                | Q(pk__in=PieceAuthor.objects.filter(name__icontains=word).values("piece"))
                | Q(pk__in=Publication.objects.filter(outlet__name__icontains=word).values("piece"))
            )
    return filters, qs.order_by("submitted_at", "id")


@require_roles(*REVIEWERS)
def review_queue(request):
    year = current_year(request)
    filters, qs = queue_queryset(year, request.GET)
    qs = qs.prefetch_related(
        "authors",
        "topics",
        Prefetch(
            "publications",
            queryset=Publication.objects.select_related("outlet", "outlet__level").prefetch_related("evidence"),
        ),
    )
    f = filters.cleaned_data if filters.is_valid() else {}
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
    flags = flags_for(year, rows)  # duplicate claims and late reporting (DOMAIN §10): 3 queries
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
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
                    "flags": flags.get(p.pk),
                    "proof_flagged": any(x.proof and x.proof.flagged for x in p.publications.all()),
                    "no_proof": year.require_proof and lacks_proof(p),
                    "own": review_services.is_own_piece(user, p),
                    "pending": [x for x in p.publications.all() if x.pending_review],
                }
                for p in rows
            ],
            "query": query.urlencode(),
            "reject_form": RejectForm(),
            "reasons": list(RejectionReason.objects.filter(is_active=True)),
            # The reviewer's home: the year's deadlines above the queue's first page.
            "deadlines": deadlines.for_bureau(year, deadline_day(request, year))
            if page.number == 1 and not year.is_frozen
            else [],
        },
    )


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(default)


def _queue_url(request) -> str:
    """The queue address the reviewer came from (only a queue address is accepted)."""
    base = reverse("publicity:review-queue")
    wanted = request.POST.get("queue") or ""
    return wanted if wanted.startswith(base) else base


def _advance(request, year: AssessmentYear):
    """After a decision on the piece page: open the next piece of the same queue, else go back to it."""
    queue = _queue_url(request)
    params = QueryDict(queue.partition("?")[2])
    _filters, qs = queue_queryset(year, params)
    user = request.user
    for piece in qs.exclude(created_by=user).exclude(unit_id=user.unit_id or 0)[:1]:
        url = reverse("publicity:piece-detail", args=[piece.pk])
        return redirect(f"{url}?{urlencode({'from': 'review', 'back': queue})}")
    messages.info(request, _("队列中已没有待审核的稿件。"))
    return redirect(queue)


def _after(request, piece: Piece, done: bool):
    if done and request.POST.get("advance"):
        return _advance(request, piece.year)
    return _back(request, reverse("publicity:review-queue"))


def _decide(request, piece: Piece, *, approve: bool, reason: str = "") -> bool:
    version = posted_version(request.POST)
    if version is None:
        messages.error(request, _("该稿件在您打开后已被修改,请重新审核。"))
        return False
    try:
        review_services.piece_review(
            actor=request.user, piece=piece, approve=approve, reason=reason, expected_version=version
        )
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
        return False
    return True


@require_POST
@require_roles(*REVIEWERS)
def review_approve(request, pk):
    piece = get_piece_for_user(request.user, pk)
    done = _decide(request, piece, approve=True)
    if done:
        messages.success(request, _("稿件“%(title)s”已审核通过。") % {"title": piece.title})
    return _after(request, piece, done)


@require_POST
@require_roles(*REVIEWERS)
def review_reject(request, pk):
    piece = get_piece_for_user(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        for msg in form.errors.get("reason", []):
            messages.error(request, _("稿件“%(title)s”:%(error)s") % {"title": piece.title, "error": msg})
        return _back(request, reverse("publicity:review-queue"))
    reason = form.cleaned_data["reason"]
    done = _decide(request, piece, approve=False, reason=reason)
    if done:
        messages.success(request, _("稿件“%(title)s”已退回:%(reason)s") % {"title": piece.title, "reason": reason})
    return _after(request, piece, done)


def _batch_items(request) -> tuple[dict[int, int], int]:
    """{piece id: version} from the ticked boxes, and how many values were not understood."""
    items, bad = {}, 0
    for value in request.POST.getlist("ids"):
        match = BATCH_ITEM.match(value)
        if match is None:
            bad += 1
            continue
        items[int(match.group(1))] = int(match.group(2))
    return items, bad


@require_POST
@require_roles(*REVIEWERS)
def review_batch(request):
    """批量通过 / 批量退回 (one reason for all). Pieces lacking proof are named and need a confirmation."""
    items, bad = _batch_items(request)
    reject = request.POST.get("action") == "reject"
    if bad:
        messages.error(request, _("有 %(n)s 项勾选无法识别,已忽略;请刷新页面后重试。") % {"n": bad})
    if not items:
        messages.error(request, _("请先勾选要批量处理的稿件。"))
        return _back(request, reverse("publicity:review-queue"))
    reason = ""
    if reject:
        form = RejectForm(request.POST)
        if not form.is_valid():
            for msg in form.errors.get("reason", []):
                messages.error(request, msg)
            return _back(request, reverse("publicity:review-queue"))
        reason = form.cleaned_data["reason"]
    pieces = list(
        Piece.objects.visible_to(request.user)
        .filter(pk__in=list(items))
        .select_related("year", "unit")
        .annotate(no_proof=without_proof())
        .order_by("submitted_at", "id")
    )
    bare = [p for p in pieces if p.no_proof and p.year.require_proof]
    if not reject and bare and not request.POST.get("confirm_noproof"):
        # Name the publications without proof (a piece may have a link on one and nothing on another): 1 query.
        lacking: dict[int, list[str]] = {}
        rows = (
            Publication.objects.filter(piece__in=bare, url="")
            .exclude(Exists(Evidence.objects.filter(publication=OuterRef("pk"))))
            .order_by("piece_id", "id")
            .values_list("piece_id", "outlet__name")
        )
        for piece_id, outlet in rows:
            lacking.setdefault(piece_id, []).append(outlet)
        for p in bare:
            p.lacking = lacking.get(p.pk, [])
        return render(
            request,
            "publicity/review_batch_confirm.html",
            {"pieces": pieces, "bare": bare, "ids": request.POST.getlist("ids"), "next": request.POST.get("next", "")},
        )
    done, failed = 0, []
    for piece in pieces:
        try:
            review_services.piece_review(
                actor=request.user, piece=piece, approve=not reject, reason=reason, expected_version=items[piece.pk]
            )
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            text = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            failed.extend(_("“%(title)s”:%(error)s") % {"title": piece.title, "error": m} for m in text)
    if done:
        if reject:
            messages.success(request, _("已批量退回 %(n)s 篇稿件:%(reason)s") % {"n": done, "reason": reason})
        else:
            messages.success(request, _("已批量通过 %(n)s 篇稿件。") % {"n": done})
    for msg in failed:
        messages.warning(request, msg)
    return _back(request, reverse("publicity:review-queue"))

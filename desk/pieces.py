"""A unit's pieces: list, detail, the one-form entry of a piece with its publications, state changes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from publicity import services
from publicity.claimed import claim_summary
from publicity.duplicates import find_duplicates
from publicity.models import (
    AssessmentYear,
    Evidence,
    Piece,
    PieceStatus,
    Publication,
    RejectionReason,
)
from publicity.outlets import OutletIndex
from publicity.proof_checks import attach_checks, proof_twins
from publicity.review import is_own_piece
from scoring.flags import flags_for

from .access import (
    BUREAU_READERS,
    PIECE_WRITERS,
    REVIEWERS,
    UNIT_READERS,
    get_piece_for_user,
    require_roles,
    unit_for_user,
    user_unit,
)
from .common import (
    PIECE_PAGE_SIZE,
    current_year,
    error_messages,
    frozen_notice,
    masked_duplicates,
    unit_score_url,
)
from .forms import (
    PieceForm,
    PublicationFormSet,
    RejectForm,
    posted_version,
)
from .proof import staged_for

# --- pieces: list, detail, form, state changes -----------------------------------------------


def _piece_list_qs(user, year):
    return (
        Piece.objects.visible_to(user)
        .filter(year=year)
        .select_related("unit")
        .prefetch_related(
            "authors",
            Prefetch("publications", queryset=Publication.objects.select_related("outlet", "outlet__level")),
        )
    )


# The piece list's orders: newest first (the default), oldest first, by title, last changed.
PIECE_SORTS = {
    "-id": gettext_lazy("最新登记在前"),
    "id": gettext_lazy("最早登记在前"),
    "title": gettext_lazy("按标题"),
    "-updated_at": gettext_lazy("最近修改在前"),
}


@require_roles(*UNIT_READERS, *BUREAU_READERS)
def piece_list(request):
    year = current_year(request)
    user = request.user
    if user.has_role(*BUREAU_READERS) and not request.GET.get("unit") and not user.unit_id:
        unit = None  # bureau staff without a unit filter: every unit's pieces
        qs = _piece_list_qs(user, year)
    else:
        unit = unit_for_user(user, request.GET.get("unit"))
        qs = _piece_list_qs(user, year).filter(unit=unit)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:  # title or any author's name
        qs = qs.filter(Q(title__icontains=q) | Q(authors__name__icontains=q)).distinct()
    by_status = dict(qs.order_by().values_list("status").annotate(n=Count("id", distinct=True)))
    status = request.GET.get("status", "")
    if status in PieceStatus.values:
        qs = qs.filter(status=status)
    sort = request.GET.get("sort") if request.GET.get("sort") in PIECE_SORTS else "-id"
    page = Paginator(qs.order_by(sort, "-id"), PIECE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publicity/piece_list.html",
        {
            "year": year,
            "unit": unit,
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "statuses": PieceStatus.choices,
            "status_counts": [(value, label, by_status.get(value, 0)) for value, label in PieceStatus.choices],
            "total_count": sum(by_status.values()),
            "q": q,
            "sort": sort,
            "sorts": [(key, label) for key, label in PIECE_SORTS.items()],
            "can_write": unit is not None and user.is_liaison and user.unit_id == unit.pk and not year.is_frozen,
            "frozen_notice": frozen_notice(year) if unit is not None else "",
            "score_url": unit_score_url(year.year, unit.pk) if unit else None,
        },
    )


@require_roles(*UNIT_READERS, *BUREAU_READERS)
def piece_detail(request, pk):
    piece = get_piece_for_user(request.user, pk)
    prefetch_related_objects(
        [piece],
        Prefetch(
            "publications",
            queryset=Publication.objects.select_related("outlet", "outlet__level", "outlet__category").prefetch_related(
                "evidence"
            ),
        ),
    )
    publications = list(piece.publications.all())
    authors = [a.name for a in piece.authors.all()]
    dups = find_duplicates(
        year_id=piece.year_id, title=piece.title, urls=[p.url for p in publications], exclude_piece_id=piece.pk
    )
    user = request.user
    attach_checks(publications, {piece.pk: piece.title})
    # The same proof on another unit's piece names that piece: bureau staff only (a liaison never
    # learns about another unit's pieces this way).
    twins = proof_twins(year_id=piece.year_id, piece_ids=[piece.pk]).get(piece.pk, []) if user.is_bureau_staff else []
    history = list(piece.review_events.select_related("actor"))
    queue_url = None
    if request.GET.get("from") == "review" and user.has_role(*REVIEWERS):
        # Opened from the review queue: lead back to it, with its filters (only a queue address is accepted).
        queue_url = reverse("publicity:review-queue")
        wanted = request.GET.get("back") or ""
        if wanted.startswith(queue_url):
            queue_url = wanted
    # Reviewing: a reviewer's role, an open year, and never the reviewer's own unit or own entry.
    reviewer = user.has_role(*REVIEWERS) and not piece.year.is_frozen and not is_own_piece(user, piece)
    return render(
        request,
        "publicity/piece_detail.html",
        {
            "piece": piece,
            "queue_url": queue_url,
            "publications": publications,
            "authors": authors,
            "topics": list(piece.topics.all()),
            "duplicates": masked_duplicates(dups, user),
            "flags": flags_for(piece.year, [piece]).get(piece.pk),
            "staff": user.is_bureau_staff,
            "proof_twins": twins,
            "can_edit": user.is_liaison
            and user.unit_id == piece.unit_id
            and piece.status in services.EDITABLE_STATUSES
            and not piece.year.is_frozen,
            "can_review": reviewer and piece.status == PieceStatus.SUBMITTED,
            "can_revoke": reviewer and piece.status == PieceStatus.APPROVED,
            "can_correct": user.is_liaison
            and user.unit_id == piece.unit_id
            and piece.status == PieceStatus.APPROVED
            and not piece.year.is_frozen,
            "own_piece": user.has_role(*REVIEWERS) and is_own_piece(user, piece),
            "pending": [p for p in publications if p.pending_review],
            "history": history,
            "reasons": list(RejectionReason.objects.filter(is_active=True)) if reviewer else [],
            "reject_form": RejectForm(),
            "frozen_notice": frozen_notice(piece.year),
        },
    )


def _publication_initial(piece: Piece) -> list[dict]:
    return [
        {"outlet": p.outlet.name, "date": p.date, "placement": p.placement, "page": p.page, "url": p.url}
        for p in piece.publications.select_related("outlet")
    ]


def _apply_service_errors(exc: ValidationError, form: PieceForm, formset) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                formset._non_form_errors = formset.error_class(
                    list(formset.non_form_errors()) + errors, renderer=formset.renderer
                )
    else:
        form.add_error(None, exc.messages)


def _year_for(date: dt.date | None) -> AssessmentYear | None:
    """The assessment year a piece dated ``date`` belongs to (DOMAIN §4)."""
    if date is None:
        return None
    year = AssessmentYear.objects.filter(year=date.year).first()
    if year is None:
        raise ValidationError({"publications": _("%(year)s年度尚未设立,不能登记该年度的稿件。") % {"year": date.year}})
    return year


@require_roles(*PIECE_WRITERS)
def piece_form(request, pk=None):
    """Log a new piece or edit one (draft/submitted/rejected) in one form: piece + publications."""
    user = request.user
    unit = user_unit(user)
    piece = get_piece_for_user(user, pk, for_write=True) if pk else None
    if piece is not None and piece.status == PieceStatus.APPROVED:
        messages.info(request, _("该稿件已审核通过,不能再修改。"))
        return redirect("publicity:piece-detail", pk=piece.pk)
    if request.method != "POST":
        # A closed year takes no new or changed piece: say so instead of offering a form that cannot be saved.
        notice = frozen_notice(piece.year if piece is not None else current_year(request))
        if notice:
            messages.warning(request, notice)
            return redirect("publicity:piece-list")
    index = OutletIndex.load()
    duplicates = []
    if request.method == "POST":
        post = request.POST.copy()  # mutable: a proof kept after an error is written back as its token
        form = PieceForm(post)
        known_years = None if piece else set(AssessmentYear.objects.values_list("year", flat=True))
        formset = PublicationFormSet(post, request.FILES, prefix="pub", outlet_index=index, known_years=known_years)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            rows = formset.rows()
            pubs = [
                services.PublicationInput(
                    outlet=f.cleaned_data["outlet"],
                    date=f.cleaned_data["date"],
                    placement=f.cleaned_data["placement"],
                    page=f.cleaned_data.get("page", ""),
                    url=f.cleaned_data.get("url", ""),
                )
                for f in rows
            ]
            try:
                year = piece.year if piece else _year_for(services.piece_year_date(pubs, data["report_date"]))
                year = year or current_year(request)  # no date at all: the service names the missing field
                duplicates = find_duplicates(
                    year_id=year.pk,
                    title=data["title"],
                    urls=[p.url for p in pubs],
                    exclude_piece_id=piece.pk if piece else None,
                )
                if duplicates and not data["confirm_duplicate"]:
                    form.add_error(
                        "confirm_duplicate", _("发现疑似重复稿件(见上方),请核对;确认不是重复后勾选此项再保存。")
                    )
                    raise _Stop
                submit = request.POST.get("action") == "submit"
                with transaction.atomic():
                    fields = {
                        "title": data["title"],
                        "kind": data["kind"],
                        "characters": data["characters"],
                        "authors": data["authors"],
                        "topics": data["topics"],
                        "report_date": data["report_date"],
                        "publications": pubs,
                        "submit": submit,
                    }
                    # Files (uploaded now, or staged from the form before saving) are stored inside the service,
                    # before the year's proof rule is checked on submit.
                    uploads = {}
                    for f in rows:
                        if f.cleaned_data.get("upload"):
                            uploads[f.cleaned_data["outlet"].pk] = f.cleaned_data["upload"]
                        elif f.cleaned_data.get("staged"):
                            uploads[f.cleaned_data["outlet"].pk] = staged_for(user, f.cleaned_data["staged"])
                    fields["uploads"] = uploads
                    if piece is None:
                        saved = services.piece_create(actor=user, unit=unit, year=year, **fields)
                    else:
                        # A missing or malformed version is a stale form, not a server error.
                        version = posted_version(request.POST)
                        saved = services.piece_update(
                            actor=user, piece=piece, expected_version=-1 if version is None else version, **fields
                        )
            except _Stop:
                pass
            except ValidationError as exc:
                _apply_service_errors(exc, form, formset)
            else:
                if submit:
                    done = _("稿件“%(title)s”已提交审核。") % {"title": saved.title}
                else:
                    done = _("稿件“%(title)s”已保存(当前状态:%(status)s)。") % {
                        "title": saved.title,
                        "status": saved.get_status_display(),
                    }
                messages.success(request, done)
                if getattr(saved, "claims", None):  # found at submission (DOMAIN §10); never names the other unit
                    messages.warning(request, claim_summary(saved.claims))
                return redirect("publicity:piece-detail", pk=saved.pk)
        _keep_uploads(request, formset, post)
    else:
        if piece is not None:
            form = PieceForm(
                initial={
                    "title": piece.title,
                    "kind": piece.kind,
                    "authors": "、".join(a.name for a in piece.authors.all()),
                    "topics": list(piece.topics.all()),
                    "characters": piece.characters,
                    "report_date": piece.report_date,
                    "version": piece.version,
                }
            )
            initial = _publication_initial(piece)
        else:
            form = PieceForm()
            initial = []
        formset = PublicationFormSet(initial=initial, prefix="pub", outlet_index=index)
    evidence = {}
    if piece is not None:
        for ev in Evidence.objects.filter(publication__piece=piece).select_related("publication__outlet"):
            evidence.setdefault(ev.publication.outlet.name, []).append(ev)
    return render(
        request,
        "publicity/piece_form.html",
        {
            "form": form,
            "formset": formset,
            "piece": piece,
            "unit": unit,
            "duplicates": masked_duplicates(duplicates, user),
            "existing_evidence": evidence,
            "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


def _keep_uploads(request, formset, post) -> None:
    """The form comes back with an error: a browser never re-sends a chosen file, so each proof that passed
    its checks is staged now and its token written into the row, and the page says it was kept."""
    kept = []
    for f in formset.forms:
        data = getattr(f, "cleaned_data", None) or {}
        upload = data.get("upload")
        if not upload or f.errors.get("evidence") or (post.get(f.add_prefix("staged")) or "").strip():
            continue
        try:
            upload.seek(0)
            staged = services.evidence_stage(actor=request.user, upload=upload)
        except (ValidationError, PermissionDenied):
            continue
        post[f.add_prefix("staged")] = str(staged.token)
        kept.append(_("%(row)s的佐证“%(name)s”") % {"row": f.row_label, "name": staged.original_name})
    if kept:
        messages.info(request, _("%(files)s已保留,改正错误后保存即可,不必重新选择。") % {"files": "、".join(kept)})


class _Stop(Exception):
    """Stop saving and show the form again (duplicate warning not yet confirmed)."""


def _state_change(request, pk, action, done: str):
    piece = get_piece_for_user(request.user, pk, for_write=True)
    try:
        action(actor=request.user, piece=piece)
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(request, done % {"title": piece.title})
        if action is services.piece_delete:
            return redirect("publicity:piece-list")
    return redirect("publicity:piece-detail", pk=piece.pk)


@require_POST
@require_roles(*PIECE_WRITERS)
def piece_submit(request, pk):
    return _state_change(request, pk, services.piece_submit, _("稿件“%(title)s”已提交审核。"))


@require_POST
@require_roles(*PIECE_WRITERS)
def piece_withdraw(request, pk):
    return _state_change(request, pk, services.piece_withdraw, _("稿件“%(title)s”已撤回为草稿,可以继续修改。"))


@require_POST
@require_roles(*PIECE_WRITERS)
def piece_delete(request, pk):
    return _state_change(request, pk, services.piece_delete, _("稿件“%(title)s”已删除。"))

"""Corrections of an approved piece, the legitimate way (issue 11 item 4): the reviewer's 撤销通过 (with a
reason, the piece goes back to its liaison), the liaison's 补登刊发 (a publication added to an approved piece,
reviewed as an addition) and the reviewer's decision on such an addition."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from publicity import review as review_services
from publicity.models import PieceStatus, Publication
from publicity.outlets import OutletIndex
from publicity.services import PublicationInput

from .access import PIECE_WRITERS, REVIEWERS, get_piece_for_user, require_roles
from .common import error_messages, frozen_notice
from .forms import PublicationForm, RejectForm, posted_version


def _stale(request) -> None:
    messages.error(request, _("该稿件在您打开后已被修改,请重新审核。"))


@require_POST
@require_roles(*REVIEWERS)
def review_revoke(request, pk):
    """撤销通过: reason required; the piece returns to the liaison as rejected-for-correction."""
    piece = get_piece_for_user(request.user, pk)
    version = posted_version(request.POST)
    reason = (request.POST.get("reason") or "").strip()
    if version is None:
        _stale(request)
    else:
        try:
            review_services.piece_revoke(actor=request.user, piece=piece, reason=reason, expected_version=version)
        except ValidationError as exc:
            for msg in error_messages(exc):
                messages.error(request, msg)
        else:
            messages.success(
                request,
                _("已撤销稿件“%(title)s”的审核通过,退回联络员更正:%(reason)s")
                % {"title": piece.title, "reason": reason},
            )
    return redirect("publicity:piece-detail", pk=piece.pk)


@require_roles(*PIECE_WRITERS)
def piece_correction(request, pk):
    """补登刊发: the unit's liaison adds a publication (with proof) to an approved piece."""
    piece = get_piece_for_user(request.user, pk, for_write=True)
    if piece.status != PieceStatus.APPROVED:
        messages.info(request, _("只有审核通过的稿件才需要补登刊发;未通过的稿件请直接修改。"))
        return redirect("publicity:piece-detail", pk=piece.pk)
    notice = frozen_notice(piece.year)
    if notice:
        messages.warning(request, notice)
        return redirect("publicity:piece-detail", pk=piece.pk)
    index = OutletIndex.load()
    if request.method == "POST":
        form = PublicationForm(request.POST, request.FILES, outlet_index=index)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review_services.correction_add(
                    actor=request.user,
                    piece=piece,
                    publication=PublicationInput(
                        outlet=data["outlet"],
                        date=data["date"],
                        placement=data["placement"],
                        page=data.get("page", ""),
                        url=data.get("url", ""),
                    ),
                    upload=data.get("upload"),
                )
            except ValidationError as exc:
                for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    _("已补登“%(outlet)s”的刊发记录,等待审核;审核通过前稿件仍按原刊发记录计入。")
                    % {"outlet": data["outlet"]},
                )
                return redirect("publicity:piece-detail", pk=piece.pk)
    else:
        form = PublicationForm(outlet_index=index)
    return render(
        request,
        "publicity/piece_correction.html",
        {"piece": piece, "form": form, "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@require_roles(*REVIEWERS)
def correction_review(request, pk):
    """Approve an addition, or reject it with a reason (it is then removed; the history keeps it)."""
    pub = get_object_or_404(Publication.objects.select_related("piece"), pk=pk)
    piece = get_piece_for_user(request.user, pub.piece_id)
    version = posted_version(request.POST)
    approve = request.POST.get("decision") == "approve"
    reason = ""
    if not approve:
        form = RejectForm(request.POST)
        if not form.is_valid():
            for msg in form.errors.get("reason", []):
                messages.error(request, msg)
            return redirect("publicity:piece-detail", pk=piece.pk)
        reason = form.cleaned_data["reason"]
    if version is None:
        _stale(request)
        return redirect("publicity:piece-detail", pk=piece.pk)
    try:
        review_services.correction_review(
            actor=request.user, publication=pub, approve=approve, reason=reason, expected_version=version
        )
    except ValidationError as exc:
        for msg in error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(
            request, _("补登刊发已审核通过。") if approve else _("补登刊发已退回:%(reason)s") % {"reason": reason}
        )
    return redirect("publicity:piece-detail", pk=piece.pk)

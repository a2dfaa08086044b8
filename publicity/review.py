"""Review: approve, reject, revoke an approval (撤销通过), and review an addition to an approved piece
(补登刊发). Every act carries the version the reviewer was shown, is refused for the reviewer's own unit or
own entry, and writes a step of the piece's review history (issue 11 items 1, 2, 4)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import User
from units.validators import reject_control_chars

from .models import Piece, PieceStatus, Placement, Publication, ReviewEventKind
from .services import (
    PublicationInput,
    _save_new_version,
    _store_evidence,
    ensure_can_edit_unit,
    ensure_can_review,
    ensure_year_editable,
    lock_piece,
    missing_proof_error,
    publication_label,
    record_event,
    stale_version_error,
)
from .signals import counted_changed


def is_own_piece(user: User | None, piece: Piece) -> bool:
    """The piece is the user's own: entered by them, or of the unit they belong to."""
    if user is None:
        return False
    return piece.created_by_id == user.pk or (user.unit_id is not None and user.unit_id == piece.unit_id)


def ensure_not_own(actor: User | None, piece: Piece) -> None:
    if is_own_piece(actor, piece):
        raise PermissionDenied(_("不能审核本单位或本人录入的稿件,请由其他审核员审核。"))


def _check_version(piece: Piece, expected_version: int | None) -> None:
    if expected_version is not None and piece.version != expected_version:
        raise stale_version_error()


def _clean_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    reject_control_chars(reason, label=_("原因"))
    if len(reason) > 500:
        raise ValidationError({"reason": _("原因不能超过500字。")})
    return reason


@transaction.atomic
def piece_review(
    *, actor: User | None, piece: Piece, approve: bool, reason: str = "", expected_version: int | None = None
) -> Piece:
    """Approve or reject a submitted piece as it was shown (``expected_version``; None: a command)."""
    ensure_can_review(actor)
    piece = lock_piece(piece)
    ensure_year_editable(piece.year, lock=True)
    ensure_not_own(actor, piece)
    if piece.status in (PieceStatus.APPROVED, PieceStatus.REJECTED):
        raise ValidationError(
            _("稿件“%(title)s”当前状态为“%(status)s”,已被处理,不能重复审核。")
            % {"title": piece.title, "status": piece.get_status_display()}
        )
    _check_version(piece, expected_version)
    if piece.status != PieceStatus.SUBMITTED:
        raise stale_version_error()
    if not approve:
        reason = _clean_reason(reason, _("退回稿件必须填写退回原因。"))
    piece.status = PieceStatus.APPROVED if approve else PieceStatus.REJECTED
    piece.reject_reason = "" if approve else reason
    piece.reviewed_by, piece.reviewed_at = actor, timezone.now()
    _save_new_version(piece, ["status", "reject_reason", "reviewed_by", "reviewed_at"])
    record_event(
        piece, ReviewEventKind.APPROVED if approve else ReviewEventKind.REJECTED, actor, reason=piece.reject_reason
    )
    # Stored scores follow in this transaction (scoring.stored).
    counted_changed.send(sender=Piece, year_id=piece.year_id, piece_ids=[piece.pk])
    return piece


@transaction.atomic
def piece_revoke(*, actor: User | None, piece: Piece, reason: str, expected_version: int | None = None) -> Piece:
    """撤销通过: an approved piece goes back to its liaison as rejected, with the reason, for correction.
    It counts for nothing until approved again; additions waiting for review become part of it."""
    ensure_can_review(actor)
    piece = lock_piece(piece)
    ensure_year_editable(piece.year, lock=True)
    ensure_not_own(actor, piece)
    if piece.status != PieceStatus.APPROVED:
        raise ValidationError(
            _("稿件“%(title)s”当前状态为“%(status)s”,不能撤销通过。")
            % {"title": piece.title, "status": piece.get_status_display()}
        )
    _check_version(piece, expected_version)
    reason = _clean_reason(reason, _("撤销通过必须填写原因。"))
    piece.publications.filter(pending_review=True).update(pending_review=False)
    piece.status, piece.reject_reason = PieceStatus.REJECTED, reason
    piece.reviewed_by, piece.reviewed_at = actor, timezone.now()
    _save_new_version(piece, ["status", "reject_reason", "reviewed_by", "reviewed_at"])
    record_event(piece, ReviewEventKind.REVOKED, actor, reason=reason)
    counted_changed.send(sender=Piece, year_id=piece.year_id, piece_ids=[piece.pk])  # it counts no more
    return piece


@transaction.atomic
def correction_add(
    *, actor: User | None, piece: Piece, publication: PublicationInput, upload=None, check_proof: bool = True
) -> Publication:
    """补登刊发: the liaison adds a publication to an approved piece. It waits for review
    (``pending_review``) and counts for nothing until approved; the piece keeps counting as approved."""
    piece = lock_piece(piece)
    ensure_can_edit_unit(actor, piece.unit)
    ensure_year_editable(piece.year, lock=True)
    if piece.status != PieceStatus.APPROVED:
        raise ValidationError(_("只有审核通过的稿件才需要补登刊发;未通过的稿件请直接修改。"))
    errors: dict[str, list[str]] = {}
    if piece.publications.filter(outlet=publication.outlet).exists():
        errors["outlet"] = [_("该稿件已有“%(outlet)s”的刊发记录。") % {"outlet": publication.outlet}]
    if not isinstance(publication.date, dt.date) or publication.date.year != piece.year.year:
        errors["date"] = [_("刊发日期须在%(year)s年度内。") % {"year": piece.year.year}]
    if publication.placement not in Placement.values:
        errors["placement"] = [_("版面位置“%(placement)s”无效。") % {"placement": publication.placement}]
    for field, value, label in (("page", publication.page, _("版面/栏目")), ("url", publication.url, _("链接"))):
        try:
            reject_control_chars(value, label=label)
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    pub = Publication(
        piece=piece,
        outlet=publication.outlet,
        date=publication.date,
        placement=publication.placement,
        page=publication.page,
        url=publication.url,
        pending_review=True,
    )
    if check_proof and piece.year.require_proof and not pub.url and not upload:
        raise ValidationError({"evidence": missing_proof_error([pub]).messages})
    pub.full_clean(exclude=["piece", "outlet"], validate_unique=False, validate_constraints=False)
    pub.save()
    if upload:
        _store_evidence(actor, pub, upload)
    _save_new_version(piece)
    record_event(piece, ReviewEventKind.CORRECTION_ADDED, actor, detail=publication_label(pub))
    return pub


@transaction.atomic
def correction_review(
    *,
    actor: User | None,
    publication: Publication,
    approve: bool,
    reason: str = "",
    expected_version: int | None = None,
) -> Publication | None:
    """Approve an addition (it counts from now on) or reject it with a reason (it is removed; the
    history keeps what it was)."""
    ensure_can_review(actor)
    piece = lock_piece(publication.piece)
    ensure_year_editable(piece.year, lock=True)
    ensure_not_own(actor, piece)
    pub = (
        Publication.objects.select_related("outlet").filter(pk=publication.pk, piece=piece, pending_review=True).first()
    )
    if pub is None:
        raise ValidationError(_("该补登刊发记录已被处理,不能重复审核。"))
    _check_version(piece, expected_version)
    label = publication_label(pub)
    if approve:
        pub.pending_review = False
        pub.save(update_fields=["pending_review"])
        _save_new_version(piece)
        record_event(piece, ReviewEventKind.CORRECTION_APPROVED, actor, detail=label)
        counted_changed.send(sender=Piece, year_id=piece.year_id, piece_ids=[piece.pk])  # the addition counts now
        return pub
    reason = _clean_reason(reason, _("退回补登刊发必须填写原因。"))
    for ev in pub.evidence.all():
        storage, name = ev.file.storage, ev.file.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    pub.delete()
    _save_new_version(piece)
    record_event(piece, ReviewEventKind.CORRECTION_REJECTED, actor, reason=reason, detail=label)
    return None

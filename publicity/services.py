"""Writes to pieces and publications. Views, admin, imports and commands all come through here,
so the same rules hold whichever door the data came in by (CONVENTIONS §2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.recorder import record_many
from units.models import Unit, User
from units.validators import find_control_char, reject_control_chars

from .claimed import claim_summary, claims_for, claims_of_piece
from .claims import normalise_title
from .models import (
    TARGET_MAX,
    AssessmentYear,
    Evidence,
    Indicator,
    Outlet,
    PeriodReport,
    Piece,
    PieceAuthor,
    PieceKind,
    PieceStatus,
    Placement,
    Publication,
    Reminder,
    ReviewEvent,
    ReviewEventKind,
    StagedEvidence,
    Topic,
    UnitTarget,
    target_kind_error,
)
from .signals import counted_changed, rules_changed

# Validated by the caller (instances in hand); full_clean would query each one again.
PIECE_FK_FIELDS = ["year", "unit", "created_by", "reviewed_by"]
EDITABLE_STATUSES = (PieceStatus.DRAFT, PieceStatus.SUBMITTED, PieceStatus.REJECTED)
# Django rebuilds an enum's .values on every access; the bulk import checks thousands of pieces.
KIND_VALUES = frozenset(PieceKind.values)
PLACEMENT_VALUES = frozenset(Placement.values)


def year_frozen_error(year: AssessmentYear) -> ValidationError:
    return ValidationError(
        _("%(year)s年度%(status)s,该年度的数据不能再新增、修改或删除。")
        % {"year": year.year, "status": year.get_status_display()}
    )


def ensure_year_editable(year: AssessmentYear, *, lock: bool = False) -> AssessmentYear:
    """Raise unless the year accepts changes. With ``lock`` the year row is locked (SELECT … FOR UPDATE)
    so closing a year and writing into it cannot interleave."""
    if lock:
        year = AssessmentYear.objects.select_for_update().get(pk=year.pk)
    if year.is_frozen:
        raise year_frozen_error(year)
    return year


def can_edit_unit(user: User | None, unit_id: int) -> bool:
    """A liaison edits only their own unit; the bureau admin any unit. ``None`` is a management command."""
    if user is None:
        return True
    if user.is_bureau_admin:
        return True
    return bool(user.is_liaison and user.unit_id == unit_id)


def ensure_can_edit_unit(user: User | None, unit: Unit) -> None:
    if not can_edit_unit(user, unit.pk):
        raise PermissionDenied(_("您无权为该单位录入或修改稿件。"))


@dataclass(frozen=True)
class PublicationInput:
    outlet: Outlet
    date: dt.date
    placement: str = Placement.OTHER
    page: str = ""
    url: str = ""


def clean_authors(authors: Iterable[str] | str) -> list[str]:
    """The people in an author list. Typed as one text (the web form, the admin), it is read like an import's
    author cell (sheets.cells.split_authors): 王　伟 padded with a full-width space is one person, not 王 and
    伟; role words (本报记者, 通讯员, 摄影…) and a trailing 等 are not people."""
    if isinstance(authors, str):
        from sheets.cells import split_authors

        authors, _changed = split_authors(authors)
    names: list[str] = []
    for name in authors:
        name = name.strip()
        if name and name not in names:
            names.append(name)
    return names


def piece_year_date(publications: Sequence[PublicationInput], report_date: dt.date | None) -> dt.date | None:
    """DOMAIN §4: a piece belongs to the year of its earliest publication (its report date if unpublished)."""
    if publications:
        return min(p.date for p in publications)
    return report_date


def validate_piece(
    *,
    year: AssessmentYear,
    title: str,
    kind: str,
    characters: int,
    authors: list[str],
    publications: Sequence[PublicationInput],
    report_date: dt.date | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors.setdefault("title", []).append(_("标题不能为空。"))
    if kind not in KIND_VALUES:
        errors.setdefault("kind", []).append(_("稿件类型“%(kind)s”无效。") % {"kind": kind})
    if characters is None or characters < 0:
        errors.setdefault("characters", []).append(_("字数必须是不小于0的整数。"))
    if not authors:
        errors.setdefault("authors", []).append(_("至少填写一位作者。"))
    if not publications and kind != PieceKind.RESEARCH:
        errors.setdefault("publications", []).append(_("除未刊发的调研文章外,稿件至少要有一条刊发记录。"))
    if not publications and kind == PieceKind.RESEARCH and report_date is None:
        errors.setdefault("report_date", []).append(_("未刊发的调研文章须填写报送日期。"))
    outlets = [p.outlet.pk for p in publications]
    if len(outlets) != len(set(outlets)):
        errors.setdefault("publications", []).append(_("同一媒体只能登记一次刊发记录。"))
    for p in publications:
        if p.placement not in PLACEMENT_VALUES:
            errors.setdefault("publications", []).append(
                _("版面位置“%(placement)s”无效。") % {"placement": p.placement}
            )
    texts = {"title": [title], "authors": authors, "publications": [t for p in publications for t in (p.page, p.url)]}
    for field, values in texts.items():
        for value in values:
            if find_control_char(value) is not None:
                label = {"title": _("标题"), "authors": _("作者"), "publications": _("刊发记录")}[field]
                try:
                    reject_control_chars(value, label=label)
                except ValidationError as exc:
                    errors.setdefault(field, []).extend(exc.messages)
                break
    when = piece_year_date(publications, report_date)
    if when is not None and when.year != year.year:
        field = "publications" if publications else "report_date"
        errors.setdefault(field, []).append(
            _("日期 %(day)s 不在%(year)s年度内(稿件按最早刊发日期计入年度)。")
            % {"day": f"{when:%Y-%m-%d}", "year": year.year}
        )
    if errors:
        raise ValidationError(errors)


_validate_piece = validate_piece


def _write_children(
    piece: Piece, authors: list[str], topics: Iterable[Topic], publications: Sequence[PublicationInput] | None
) -> None:
    piece.authors.all().delete()
    created = PieceAuthor.objects.bulk_create(
        [PieceAuthor(piece=piece, position=i, name=name) for i, name in enumerate(authors, 1)]
    )
    # Authors decide who is paid: audited like every other write (bulk_create sends no signals).
    record_many(AuditAction.CREATE, created)
    piece.topics.set(list(topics))
    if publications is not None:
        keep = {p.outlet.pk for p in publications}
        piece.publications.exclude(outlet_id__in=keep).delete()
        existing = {p.outlet_id: p for p in piece.publications.all()}
        for p in publications:
            pub = existing.get(p.outlet.pk) or Publication(piece=piece, outlet=p.outlet)
            pub.date, pub.placement, pub.page, pub.url = p.date, p.placement, p.page, p.url
            # FKs are instances already in hand and DB constraints back the rest: skip the per-field queries.
            pub.full_clean(exclude=["piece", "outlet"], validate_unique=False, validate_constraints=False)
            pub.save()


# --- versions, history and proof (issue 11 items 1, 4, 5) ---------------------------------------------


def stale_version_error() -> ValidationError:
    return ValidationError(_("该稿件在您打开后已被修改,请重新审核。"), code="stale")


def record_event(piece: Piece, kind: str, actor: User | None, *, reason: str = "", detail: str = "") -> ReviewEvent:
    """One step of the piece's review history, written in the step's own transaction."""
    name = (actor.display_name or actor.username) if actor is not None else _("系统(命令行)")
    return ReviewEvent.objects.create(
        piece=piece, kind=kind, actor=actor, actor_name=name, reason=reason, detail=detail[:300], version=piece.version
    )


def _claim_detail(piece: Piece) -> str:
    """Duplicate claims found at submission (DOMAIN §10), kept in the submission's history and on the piece
    (``piece.claims``) for the page that submitted it. Never names the other unit (the liaison reads it)."""
    piece.claims = claims_of_piece(piece)
    return claim_summary(piece.claims) if piece.claims else ""


def _save_new_version(piece: Piece, fields: Iterable[str] = ()) -> Piece:
    """Save ``fields`` and raise the version: every change a review must not silently cover."""
    piece.version += 1
    piece.save(update_fields=[*fields, "version", "updated_at"])
    return piece


def publication_label(pub: Publication) -> str:
    return f"{pub.outlet} {pub.date:%Y-%m-%d} {pub.get_placement_display()}"


def publications_missing_proof(piece: Piece) -> list[Publication]:
    """Publications with neither an evidence file nor a link."""
    pubs = piece.publications.select_related("outlet").prefetch_related("evidence")
    return [p for p in pubs if not p.url and not p.evidence.all()]


def missing_proof_error(pubs: Iterable[Publication]) -> ValidationError:
    return ValidationError(
        {
            "publications": [
                _("“%(outlet)s”的刊发记录没有佐证材料:请上传版面照片、截图或 PDF,或填写链接。") % {"outlet": p.outlet}
                for p in pubs
            ]
        }
    )


def _ensure_proof(piece: Piece, check_proof: bool) -> None:
    """The year's proof rule (AssessmentYear.require_proof) at the moment a piece goes to review."""
    if not check_proof or not piece.year.require_proof:
        return
    missing = publications_missing_proof(piece)
    if missing:
        raise missing_proof_error(missing)


def _attach_uploads(piece: Piece, actor: User | None, uploads: Mapping[int, object] | None) -> None:
    """Evidence keyed by outlet id (an uploaded file, or a proof staged from the piece form), stored for the
    piece's publications in the same transaction."""
    if not uploads:
        return
    by_outlet = {p.outlet_id: p for p in piece.publications.select_related("outlet")}
    for outlet_id, upload in uploads.items():
        if isinstance(upload, StagedEvidence):
            _store_staged(actor, by_outlet[outlet_id], upload, piece.unit_id)
        elif upload:
            _store_evidence(actor, by_outlet[outlet_id], upload)


@transaction.atomic
def piece_create(
    *,
    actor: User | None,
    unit: Unit,
    year: AssessmentYear,
    title: str,
    kind: str = PieceKind.NEWS,
    characters: int = 0,
    authors: Iterable[str] | str = (),
    topics: Iterable[Topic] = (),
    report_date: dt.date | None = None,
    publications: Sequence[PublicationInput] = (),
    submit: bool = False,
    approve: bool = False,
    uploads: Mapping[int, object] | None = None,
    check_proof: bool = True,
) -> Piece:
    """Create a piece; ``submit`` sends it to review (the year's proof rule applies unless ``check_proof``
    is off: table imports carry no files, and their pieces are flagged in the review queue instead).
    ``approve`` (imports of reviewed tables) approves it at once: a reviewer's act, never for their own unit."""
    ensure_can_edit_unit(actor, unit)
    if approve:
        ensure_can_review(actor)
        if actor is not None and actor.unit_id == unit.pk:
            raise PermissionDenied(_("不能审核本单位或本人录入的稿件,请由其他审核员审核。"))
    year = ensure_year_editable(year, lock=True)
    author_list = clean_authors(authors)
    title = title.strip()
    _validate_piece(
        year=year,
        title=title,
        kind=kind,
        characters=characters,
        authors=author_list,
        publications=publications,
        report_date=report_date,
    )
    if Piece.objects.filter(year=year, unit=unit, title=title).exists():
        raise ValidationError(
            {"title": _("本单位%(year)s年度已登记过标题为“%(title)s”的稿件。") % {"year": year.year, "title": title}}
        )
    now = timezone.now()
    piece = Piece(
        year=year, unit=unit, title=title, kind=kind, characters=characters, report_date=report_date, created_by=actor
    )
    if submit or approve:
        piece.status, piece.submitted_at, piece.first_submitted_at = PieceStatus.SUBMITTED, now, now
    if approve:
        piece.status, piece.reviewed_at, piece.reviewed_by = PieceStatus.APPROVED, now, actor
    piece.full_clean(exclude=PIECE_FK_FIELDS, validate_unique=False, validate_constraints=False)
    piece.save()
    _write_children(piece, author_list, topics, publications)
    _attach_uploads(piece, actor, uploads)
    if submit or approve:
        _ensure_proof(piece, check_proof)
        record_event(piece, ReviewEventKind.SUBMITTED, actor, detail=_claim_detail(piece))
    if approve:
        record_event(piece, ReviewEventKind.APPROVED, actor, detail=_("录入时直接审核通过(导入已审核的统计表)"))
        counted_changed.send(sender=Piece, year_id=piece.year_id, piece_ids=[piece.pk])
    return piece


def lock_piece(piece: Piece) -> Piece:
    """Re-read the piece under a row lock: concurrent reviewers/editors see one consistent state."""
    return Piece.objects.select_for_update().select_related("year", "unit").get(pk=piece.pk)


@transaction.atomic
def piece_update(
    *,
    actor: User | None,
    piece: Piece,
    title: str,
    kind: str,
    characters: int,
    authors: Iterable[str] | str,
    topics: Iterable[Topic] = (),
    report_date: dt.date | None = None,
    publications: Sequence[PublicationInput] | None = None,
    submit: bool = False,
    expected_version: int | None = None,
    uploads: Mapping[int, object] | None = None,
    check_proof: bool = True,
) -> Piece:
    """Change a piece that is not approved. A submitted piece never changes under the reviewer's eyes:
    saved with ``submit`` it is a new submission (a new version), otherwise it goes back to draft."""
    piece = lock_piece(piece)
    ensure_can_edit_unit(actor, piece.unit)
    ensure_year_editable(piece.year, lock=True)
    if piece.status not in EDITABLE_STATUSES:
        raise ValidationError(_("稿件已审核通过,不能再修改。"))
    if expected_version is not None and piece.version != expected_version:
        raise ValidationError(_("稿件已被他人修改或审核,请刷新页面后重试。"))
    if publications is None:
        publications = [
            PublicationInput(p.outlet, p.date, p.placement, p.page, p.url)
            for p in piece.publications.select_related("outlet")
        ]
    author_list = clean_authors(authors)
    title = title.strip()
    _validate_piece(
        year=piece.year,
        title=title,
        kind=kind,
        characters=characters,
        authors=author_list,
        publications=publications,
        report_date=report_date,
    )
    if Piece.objects.filter(year=piece.year, unit=piece.unit, title=title).exclude(pk=piece.pk).exists():
        raise ValidationError(
            {
                "title": _("本单位%(year)s年度已登记过标题为“%(title)s”的稿件。")
                % {"year": piece.year.year, "title": title}
            }
        )
    was_submitted = piece.status == PieceStatus.SUBMITTED
    piece.title, piece.kind, piece.characters, piece.report_date = title, kind, characters, report_date
    event = None
    if submit:
        event = ReviewEventKind.RESUBMITTED if piece.submitted_at is not None else ReviewEventKind.SUBMITTED
        piece.status, piece.submitted_at, piece.reject_reason = PieceStatus.SUBMITTED, timezone.now(), ""
        piece.first_submitted_at = piece.first_submitted_at or piece.submitted_at
    elif was_submitted:
        event = ReviewEventKind.WITHDRAWN
        piece.status = PieceStatus.DRAFT
    piece.version += 1
    piece.full_clean(exclude=PIECE_FK_FIELDS, validate_unique=False, validate_constraints=False)
    piece.save()
    _write_children(piece, author_list, topics, publications)
    _attach_uploads(piece, actor, uploads)
    if submit:
        _ensure_proof(piece, check_proof)
    if event == ReviewEventKind.WITHDRAWN:
        record_event(piece, event, actor, detail=_("待审核时修改并保存为草稿,须重新提交审核"))
    elif event is not None:
        record_event(piece, event, actor, detail=_claim_detail(piece) if submit else "")
    return piece


@transaction.atomic
def piece_submit(
    *, actor: User | None, piece: Piece, check_proof: bool = True, expected_version: int | None = None
) -> Piece:
    piece = lock_piece(piece)
    ensure_can_edit_unit(actor, piece.unit)
    ensure_year_editable(piece.year, lock=True)
    if piece.status not in (PieceStatus.DRAFT, PieceStatus.REJECTED):
        raise ValidationError(_("稿件当前状态为“%(status)s”,不能提交。") % {"status": piece.get_status_display()})
    if expected_version is not None and piece.version != expected_version:
        raise ValidationError(_("稿件已被他人修改或审核,请刷新页面后重试。"))
    _ensure_proof(piece, check_proof)
    kind = ReviewEventKind.RESUBMITTED if piece.submitted_at is not None else ReviewEventKind.SUBMITTED
    piece.status, piece.submitted_at, piece.reject_reason = PieceStatus.SUBMITTED, timezone.now(), ""
    # The first submission date stays: it decides 以先报为准 and timeliness (DOMAIN §10).
    piece.first_submitted_at = piece.first_submitted_at or piece.submitted_at
    _save_new_version(piece, ["status", "submitted_at", "first_submitted_at", "reject_reason"])
    record_event(piece, kind, actor, detail=_claim_detail(piece))
    return piece


@transaction.atomic
def piece_withdraw(*, actor: User | None, piece: Piece) -> Piece:
    """Take a submitted piece back to draft before it is reviewed."""
    piece = lock_piece(piece)
    ensure_can_edit_unit(actor, piece.unit)
    ensure_year_editable(piece.year, lock=True)
    if piece.status != PieceStatus.SUBMITTED:
        raise ValidationError(_("稿件当前状态为“%(status)s”,不能撤回。") % {"status": piece.get_status_display()})
    piece.status = PieceStatus.DRAFT
    _save_new_version(piece, ["status"])
    record_event(piece, ReviewEventKind.WITHDRAWN, actor)
    return piece


@transaction.atomic
def piece_delete(*, actor: User | None, piece: Piece) -> None:
    piece = lock_piece(piece)
    ensure_can_edit_unit(actor, piece.unit)
    ensure_year_editable(piece.year, lock=True)
    if piece.status == PieceStatus.APPROVED:
        raise ValidationError(_("已审核通过的稿件不能删除。"))
    piece.delete()


def ensure_can_review(user: User | None) -> None:
    if user is not None and not (user.is_reviewer or user.is_bureau_admin):
        raise PermissionDenied(_("只有审核员可以审核稿件。"))


def piece_review(
    *, actor: User | None, piece: Piece, approve: bool, reason: str = "", expected_version: int | None = None
) -> Piece:
    """Approve or reject a submitted piece: see ``publicity.review.piece_review`` (kept here for every door
    that already calls ``services.piece_review``)."""
    from .review import piece_review as review

    return review(actor=actor, piece=piece, approve=approve, reason=reason, expected_version=expected_version)


# --- Many pieces at once (the table import) ---------------------------------------------------------


@dataclass
class PieceData:
    """What a piece should say after a bulk write; checked by ``validate_piece`` like a single write."""

    unit: Unit
    title: str
    kind: str
    characters: int
    authors: list[str]
    topics: list[Topic]
    report_date: dt.date | None
    publications: list[PublicationInput]


class StaleData(ValidationError):
    """The pieces changed between the check (preview) and the write."""


def check_piece_data(*, actor: User | None, year: AssessmentYear, data: PieceData) -> None:
    """Every rule ``piece_create``/``piece_update`` applies to what a piece says, without a query:
    the caller has checked the unique title and the approved lock against what it read."""
    ensure_can_edit_unit(actor, data.unit)
    validate_piece(
        year=year,
        title=data.title,
        kind=data.kind,
        characters=data.characters,
        authors=data.authors,
        publications=data.publications,
        report_date=data.report_date,
    )


BATCH = 2000


@transaction.atomic
def _bulk_claims(piece_ids: Sequence[int]) -> dict[int, str]:
    """{piece id: the claim summary} for the pieces just written that claim a publication another unit has
    reported: per batch, two queries to read them with their publications, two for the claims."""
    out: dict[int, str] = {}
    for i in range(0, len(piece_ids), BATCH):
        chunk = Piece.objects.filter(pk__in=piece_ids[i : i + BATCH]).prefetch_related(
            Prefetch("publications", queryset=Publication.objects.select_related("outlet"))
        )
        out |= {pk: claim_summary(found) for pk, found in claims_for(chunk).items()}
    return out


def pieces_bulk_write(
    *,
    actor: User | None,
    year: AssessmentYear,
    creates: Sequence[PieceData],
    updates: Sequence[tuple[int, dt.datetime, PieceData]],
    approvals: Sequence[tuple[int, dt.datetime]] = (),
    approve: bool = False,
) -> list[Piece]:
    """Create and update many pieces in a fixed number of queries per batch (the table import).

    The same rules as ``piece_create``/``piece_update``/``piece_review`` (``check_piece_data``,
    permissions, the year lock, approved pieces locked, one title per unit and year) hold; the year
    row is locked only here, for the write. ``updates`` and ``approvals`` carry each piece's
    ``updated_at`` as read when the rows were checked: a piece changed since is ``StaleData`` and
    nothing is written. New pieces arrive submitted (``approve``: approved by ``actor``)."""
    if approve or approvals:
        ensure_can_review(actor)
    year = ensure_year_editable(year, lock=True)
    for data in creates:
        check_piece_data(actor=actor, year=year, data=data)
    for *_ignored, data in updates:
        check_piece_data(actor=actor, year=year, data=data)
    touched = {pk: stamp for pk, stamp, _data in updates} | dict(approvals)
    current = {}
    ids = list(touched)
    for i in range(0, len(ids), BATCH):
        current |= {
            pk: (status, stamp, first, version, submitted)
            for pk, status, stamp, first, version, submitted in Piece.objects.select_for_update()
            .filter(pk__in=ids[i : i + BATCH], year=year)
            .values_list("pk", "status", "updated_at", "first_submitted_at", "version", "submitted_at")
        }
    for pk, stamp in touched.items():
        if pk not in current or current[pk][1] != stamp:
            raise StaleData(_("有稿件在检查之后被他人修改、审核或删除,未写入任何数据,请重新导入。"))
    for pk, *_ignored in updates:
        if current[pk][0] not in EDITABLE_STATUSES:
            raise StaleData(_("有稿件在检查之后被审核通过,未写入任何数据,请重新导入。"))
    for pk, _stamp in approvals:
        if current[pk][0] != PieceStatus.SUBMITTED:
            raise StaleData(_("有稿件在检查之后已被处理,未写入任何数据,请重新导入。"))

    now = timezone.now()
    new_pieces = []
    for data in creates:
        piece = Piece(
            year=year,
            unit=data.unit,
            title=data.title.strip(),
            kind=data.kind,
            characters=data.characters,
            report_date=data.report_date,
            created_by=actor,
            status=PieceStatus.SUBMITTED,
            submitted_at=now,
            first_submitted_at=now,
            title_key=normalise_title(data.title)[:300],
        )
        if approve:
            piece.status, piece.reviewed_at, piece.reviewed_by = PieceStatus.APPROVED, now, actor
        new_pieces.append(piece)
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            Piece.objects.bulk_create(new_pieces, batch_size=BATCH)
    except IntegrityError as exc:
        raise StaleData(_("有稿件在检查之后被他人以相同标题登记,未写入任何数据,请重新导入。")) from exc
    if any(p.pk is None for p in new_pieces):  # a backend that does not return ids
        by_key = {
            (u, t): pk
            for pk, u, t in Piece.objects.filter(year=year, created_at__gte=now).values_list("pk", "unit_id", "title")
        }
        for p in new_pieces:
            p.pk = p.id = by_key[(p.unit_id, p.title)]
    record_many(AuditAction.CREATE, new_pieces)

    updated = []
    update_ids = [pk for pk, *_ignored in updates]
    for pk, _stamp, data in updates:
        piece = Piece(pk=pk, year=year, unit=data.unit, title=data.title)
        piece.kind, piece.characters, piece.report_date = data.kind, data.characters, data.report_date
        piece.status, piece.submitted_at, piece.reject_reason, piece.updated_at = PieceStatus.SUBMITTED, now, "", now
        piece.first_submitted_at = current[pk][2] or now  # kept: it decides 以先报为准 (DOMAIN §10)
        piece.version = current[pk][3] + 1  # a new submission: a review must not cover the old content
        if approve:
            piece.status, piece.reviewed_at, piece.reviewed_by = PieceStatus.APPROVED, now, actor
        updated.append(piece)
    fields = ["kind", "characters", "report_date", "status", "submitted_at", "first_submitted_at", "reject_reason"]
    fields += ["version", "updated_at"]
    if approve:
        fields += ["reviewed_at", "reviewed_by"]
    Piece.objects.bulk_update(updated, fields, batch_size=BATCH)
    record_many(AuditAction.UPDATE, updated, message=_("表格导入"))
    if approvals:
        ids = [pk for pk, _stamp in approvals]
        for i in range(0, len(ids), BATCH):
            Piece.objects.filter(pk__in=ids[i : i + BATCH]).update(
                status=PieceStatus.APPROVED, reviewed_by=actor, reviewed_at=now, updated_at=now
            )
        record_many(AuditAction.UPDATE, [Piece(pk=pk) for pk in ids], message=_("表格导入:审核通过"))

    # Children: authors and topics are written anew; a publication is kept (with its evidence) per outlet.
    pairs = [(p, d) for p, d in zip(new_pieces, creates, strict=True)] + [
        (p, d) for p, (*_ignored, d) in zip(updated, updates, strict=True)
    ]
    for i in range(0, len(update_ids), BATCH):
        chunk = update_ids[i : i + BATCH]
        PieceAuthor.objects.filter(piece_id__in=chunk).delete()
        Piece.topics.through.objects.filter(piece_id__in=chunk).delete()
    existing_pubs: dict[tuple[int, int], Publication] = {}
    for i in range(0, len(update_ids), BATCH):
        for pub in Publication.objects.filter(piece_id__in=update_ids[i : i + BATCH]):
            existing_pubs[(pub.piece_id, pub.outlet_id)] = pub
    authors, links, new_pubs, changed_pubs, keep = [], [], [], [], set()
    for piece, data in pairs:
        authors += [
            PieceAuthor(piece=piece, position=i, name=name) for i, name in enumerate(clean_authors(data.authors), 1)
        ]
        links += [Piece.topics.through(piece_id=piece.pk, topic_id=t.pk) for t in data.topics]
        for p in data.publications:
            pub = existing_pubs.get((piece.pk, p.outlet.pk))
            if pub is None:
                new_pubs.append(
                    Publication(
                        piece=piece, outlet=p.outlet, date=p.date, placement=p.placement, page=p.page, url=p.url
                    )
                )
                continue
            keep.add(pub.pk)
            if (pub.date, pub.placement, pub.page, pub.url) != (p.date, p.placement, p.page, p.url):
                pub.date, pub.placement, pub.page, pub.url = p.date, p.placement, p.page, p.url
                changed_pubs.append(pub)
    gone = [pub.pk for pub in existing_pubs.values() if pub.pk not in keep]
    for i in range(0, len(gone), BATCH):
        Publication.objects.filter(pk__in=gone[i : i + BATCH]).delete()
    Publication.objects.bulk_update(changed_pubs, ["date", "placement", "page", "url"], batch_size=BATCH)
    record_many(AuditAction.UPDATE, changed_pubs, message=_("表格导入"))
    Publication.objects.bulk_create(new_pubs, batch_size=BATCH)
    record_many(AuditAction.CREATE, new_pubs)
    PieceAuthor.objects.bulk_create(authors, batch_size=BATCH)
    # Authors decide who is paid: audited like every other write (bulk_create sends no signals).
    record_many(AuditAction.CREATE, authors)
    Piece.topics.through.objects.bulk_create(links, batch_size=BATCH)
    # The review history, as piece_create/piece_update/piece_review write it (issue 11 item 4), with the
    # duplicate claims found at submission (DOMAIN §10), as _claim_detail words them for the web services.
    claims = _bulk_claims([p.pk for p, _data in pairs])
    name = (actor.display_name or actor.username) if actor is not None else _("系统(命令行)")
    events = [
        ReviewEvent(piece=p, kind=ReviewEventKind.SUBMITTED, actor=actor, actor_name=name, detail=claims.get(p.pk, ""))
        for p in new_pieces
    ]
    events += [
        ReviewEvent(
            piece=p,
            kind=ReviewEventKind.RESUBMITTED if current[p.pk][4] is not None else ReviewEventKind.SUBMITTED,
            actor=actor,
            actor_name=name,
            version=p.version,
            detail=claims.get(p.pk, ""),
        )
        for p in updated
    ]
    approved = (new_pieces + updated if approve else []) + [Piece(pk=pk) for pk, _stamp in approvals]
    events += [
        ReviewEvent(
            piece_id=p.pk,
            kind=ReviewEventKind.APPROVED,
            actor=actor,
            actor_name=name,
            detail=_("录入时直接审核通过(导入已审核的统计表)"),
            version=p.version if p.version else current.get(p.pk, (0, 0, 0, 1))[3],
        )
        for p in approved
    ]
    ReviewEvent.objects.bulk_create(events, batch_size=BATCH)
    # As piece_create/piece_review: the counted pieces changed, scoring re-scores in this transaction.
    counted = ([p.pk for p in new_pieces + updated] if approve else []) + [pk for pk, _stamp in approvals]
    if counted:
        counted_changed.send(sender=Piece, year_id=year.pk, piece_ids=counted)
    return new_pieces + updated


# --- Evidence, periodic reports and reminders (web app) -----------------------------------------


def _replace_evidence(publication: Publication) -> None:
    for old in publication.evidence.all():
        # The old file goes only once the new row is committed: a failure below must not
        # leave the kept row pointing at a deleted file.
        storage, name = old.file.storage, old.file.name
        old.delete()
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _request_reading(sha256: str, file_name: str) -> None:
    """Queue the proof reader for a stored file once the upload commits (never read in the request)."""
    from .proofs import request_reading

    transaction.on_commit(lambda: request_reading(sha256=sha256, file_name=file_name))


def _editable_piece_for_evidence(actor: User | None, publication: Publication) -> Piece:
    piece = lock_piece(publication.piece)
    ensure_can_edit_unit(actor, piece.unit)
    ensure_year_editable(piece.year, lock=True)
    # An approved piece's proof is what was approved; only an addition waiting for review (补登) takes a file.
    if piece.status == PieceStatus.APPROVED and not publication.pending_review:
        raise ValidationError(_("稿件已审核通过,佐证材料不能再更换。"))
    return piece


def _store_evidence(actor: User | None, publication: Publication, upload, *, replace: bool = True) -> Evidence:
    """Check and store an uploaded file for a publication (the caller holds the piece's lock)."""
    from .upload_guard import display_name
    from .uploads import validate_evidence

    info = validate_evidence(upload, label=_("“%(outlet)s”的佐证材料") % {"outlet": publication.outlet})
    if replace:
        _replace_evidence(publication)
    evidence = Evidence(
        publication=publication,
        original_name=display_name(getattr(upload, "name", "")),
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
        uploaded_by=actor,
    )
    upload = info.stored or upload
    evidence.file.save("upload", upload, save=False)
    evidence.full_clean(exclude=["file"])
    evidence.save()
    _request_reading(evidence.sha256, evidence.file.name)
    return evidence


STAGED_KEEP = dt.timedelta(days=1)


@transaction.atomic
def evidence_stage(*, actor: User, upload) -> StagedEvidence:
    """A proof uploaded from the piece form before the piece is saved: checked like any evidence,
    kept for its uploader's unit and queued for reading, so the form can offer what it shows.
    The uploader's staged files left unsaved for a day are removed on the way."""
    from .upload_guard import display_name
    from .uploads import validate_evidence

    if actor is None or not actor.is_liaison or not actor.unit_id:
        raise PermissionDenied(_("只有单位联络员可以上传佐证材料。"))
    ensure_can_edit_unit(actor, actor.unit)
    info = validate_evidence(upload)
    for old in StagedEvidence.objects.filter(uploaded_by=actor, uploaded_at__lt=timezone.now() - STAGED_KEEP):
        storage, name = old.file.storage, old.file.name
        old.delete()
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    staged = StagedEvidence(
        unit=actor.unit,
        uploaded_by=actor,
        original_name=display_name(getattr(upload, "name", "")),
        content_type=info.content_type,
        size=info.size,
        sha256=info.sha256,
    )
    staged.file.save("upload", info.stored or upload, save=False)
    staged.full_clean(exclude=["file", "unit", "uploaded_by"])
    staged.save()
    _request_reading(staged.sha256, staged.file.name)
    return staged


QUOTA_UPLOAD_DIR = "quota-uploads"  # the console's uploaded allocation tables, kept between preview and 确认导入


def purge_leftover_uploads(*, now: dt.datetime | None = None, keep: dt.timedelta = STAGED_KEEP, dry_run=False):
    """Files uploaded for a step that never came: proofs staged from a piece form that was never saved, and
    allocation tables previewed in the console but never confirmed. Older than ``keep`` (a day), they are
    deleted with their rows. Returns (staged proofs, quota tables) removed (or that would be, on a dry run).
    ``manage.py purge_uploads`` runs it (daily from cron, see README)."""
    from django.core.files.storage import default_storage

    cutoff = (now or timezone.now()) - keep
    old = list(StagedEvidence.objects.filter(uploaded_at__lt=cutoff))
    tables = []
    try:
        _dirs, names = default_storage.listdir(QUOTA_UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError):
        names = []
    for name in names:
        path = f"{QUOTA_UPLOAD_DIR}/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except (FileNotFoundError, NotImplementedError):
            continue
        if modified < cutoff:
            tables.append(path)
    if not dry_run:
        for staged in old:
            storage, name = staged.file.storage, staged.file.name
            staged.delete()
            storage.delete(name)
        for path in tables:
            default_storage.delete(path)
    return len(old), len(tables)


def _store_staged(actor: User | None, publication: Publication, staged: StagedEvidence, unit_id: int) -> Evidence:
    """Move a proof staged from the piece form onto its (now saved) publication; the staged copy goes."""
    from django.core.files import File

    staged = StagedEvidence.objects.select_for_update().filter(pk=staged.pk).first()
    if staged is None or staged.unit_id != unit_id or staged.uploaded_by_id != getattr(actor, "pk", None):
        raise ValidationError(_("“%(outlet)s”的佐证材料已失效,请重新上传。") % {"outlet": publication.outlet})
    _replace_evidence(publication)
    evidence = Evidence(
        publication=publication,
        original_name=staged.original_name,
        content_type=staged.content_type,
        size=staged.size,
        sha256=staged.sha256,
        uploaded_by=actor,
    )
    with staged.file.open("rb") as fh:
        evidence.file.save("upload", File(fh), save=False)
    evidence.full_clean(exclude=["file"])
    evidence.save()
    storage, name = staged.file.storage, staged.file.name
    staged.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _request_reading(evidence.sha256, evidence.file.name)  # already read while staged: a no-op then
    return evidence


@transaction.atomic
def evidence_attach_staged(*, actor: User, publication: Publication, staged: StagedEvidence) -> Evidence:
    """Attach a proof staged from the piece form to its (now saved) publication: a new version of the piece."""
    piece = _editable_piece_for_evidence(actor, publication)
    evidence = _store_staged(actor, publication, staged, piece.unit_id)
    _save_new_version(piece)
    return evidence


@transaction.atomic
def evidence_attach(*, actor: User | None, publication: Publication, upload, replace: bool = True) -> Evidence:
    """Store an uploaded clipping/screenshot/PDF for a publication. The content is checked by
    ``publicity.uploads``; the stored name is generated (``evidence_path``). An approved piece's
    evidence cannot be replaced; a submitted piece's new evidence is a new version (a review
    opened before it is refused)."""
    piece = _editable_piece_for_evidence(actor, publication)
    evidence = _store_evidence(actor, publication, upload, replace=replace)
    _save_new_version(piece)
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User | None, evidence: Evidence) -> None:
    """Remove an evidence file (the admin's delete): not from an approved piece, and a new version."""
    piece = lock_piece(evidence.publication.piece)
    ensure_can_edit_unit(actor, piece.unit)
    ensure_year_editable(piece.year, lock=True)
    if piece.status == PieceStatus.APPROVED and not evidence.publication.pending_review:
        raise ValidationError(_("稿件已审核通过,佐证材料不能删除。"))
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _save_new_version(piece)


def piece_month_q(year: AssessmentYear, month: int):
    """Pieces whose year-date (earliest publication, else report date) falls in ``month``."""
    from django.db.models import Min, OuterRef, Q, Subquery

    first = Publication.objects.filter(piece=OuterRef("pk")).values("piece").annotate(d=Min("date")).values("d")
    return (
        Piece.objects.filter(year=year)
        .annotate(first_date=Subquery(first))
        .filter(
            Q(first_date__year=year.year, first_date__month=month)
            | Q(first_date__isnull=True, report_date__year=year.year, report_date__month=month)
        )
    )


@transaction.atomic
def report_file(
    *, actor: User | None, unit: Unit, year: AssessmentYear, month: int, is_zero: bool = False, note: str = ""
) -> PeriodReport:
    """File a unit's report for a month: its submitted/approved pieces of that month, or a zero report."""
    if actor is not None and not (actor.is_bureau_admin or (actor.is_liaison and actor.unit_id == unit.pk)):
        raise PermissionDenied(_("您无权为该单位报送。"))
    year = ensure_year_editable(year, lock=True)
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("月份“%(month)s”无效,应为1到12。") % {"month": month}})
    if PeriodReport.objects.filter(year=year, unit=unit, month=month).exists():
        raise ValidationError(
            {
                "month": _("%(unit)s已报送过%(year)s年%(month)s月的报告,不能重复报送。")
                % {"unit": unit, "year": year.year, "month": month}
            }
        )
    in_month = piece_month_q(year, month).filter(unit=unit)
    count = in_month.filter(status__in=[PieceStatus.SUBMITTED, PieceStatus.APPROVED]).count()
    drafts = in_month.filter(status__in=[PieceStatus.DRAFT, PieceStatus.REJECTED]).count()
    if is_zero and (count or drafts):
        raise ValidationError(
            {"is_zero": _("%(month)s月已登记%(n)s篇稿件,不能报送零报告。") % {"month": month, "n": count + drafts}}
        )
    if not is_zero and count == 0:
        raise ValidationError(
            {"is_zero": _("%(month)s月没有已提交的稿件:请先提交稿件,或勾选“本月无稿件”报送零报告。") % {"month": month}}
        )
    if drafts:
        raise ValidationError(
            {
                "month": _("%(month)s月还有%(n)s篇草稿或被退回的稿件未提交,请先处理后再报送。")
                % {"month": month, "n": drafts}
            }
        )
    report = PeriodReport(
        year=year, unit=unit, month=month, is_zero=is_zero, piece_count=count, note=note.strip(), filed_by=actor
    )
    report.full_clean(validate_unique=False)
    report.save()
    return report


@transaction.atomic
def report_refile(*, actor: User | None, report: PeriodReport, note: str | None = None) -> PeriodReport:
    """File a month's report again (更新报送) while the year is open: the count is taken anew from the month's
    submitted/approved pieces; with none left it becomes a zero report; drafts or rejected pieces must be dealt
    with first, as when filing. The first filing date is kept (it decides whether the month was on time)."""
    unit = report.unit
    if actor is not None and not (actor.is_bureau_admin or (actor.is_liaison and actor.unit_id == unit.pk)):
        raise PermissionDenied(_("您无权为该单位报送。"))
    year = ensure_year_editable(report.year, lock=True)
    report = PeriodReport.objects.select_for_update().get(pk=report.pk)
    month = report.month
    in_month = piece_month_q(year, month).filter(unit=unit)
    count = in_month.filter(status__in=[PieceStatus.SUBMITTED, PieceStatus.APPROVED]).count()
    drafts = in_month.filter(status__in=[PieceStatus.DRAFT, PieceStatus.REJECTED]).count()
    if drafts:
        raise ValidationError(
            {
                "month": _("%(month)s月还有%(n)s篇草稿或被退回的稿件未提交,请先处理后再报送。")
                % {"month": month, "n": drafts}
            }
        )
    report.piece_count, report.is_zero = count, count == 0
    if note is not None:
        report.note = note.strip()
    report.full_clean(validate_unique=False)
    report.save(update_fields=["piece_count", "is_zero", "note"])
    return report


@transaction.atomic
def reminder_send(*, actor: User | None, unit: Unit, year: AssessmentYear, month: int, message: str) -> Reminder:
    if actor is not None and not (actor.is_bureau_admin or actor.is_reviewer):
        raise PermissionDenied(_("只有市局管理员或审核员可以发送催报提醒。"))
    year = ensure_year_editable(year, lock=True)
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("提醒内容不能为空。")})
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": _("月份“%(month)s”无效,应为1到12。") % {"month": month}})
    reminder = Reminder(year=year, unit=unit, month=month, message=message, sent_by=actor)
    reminder.full_clean()
    reminder.save()
    return reminder


@transaction.atomic
def reminder_mark_read(*, actor: User, reminder: Reminder) -> Reminder:
    if not (actor.unit_id == reminder.unit_id and actor.has_role("liaison", "unit_head")):
        raise PermissionDenied(_("您无权处理该提醒。"))
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
    return reminder


# --- Targets (任务分解): the quota grid, the admin and the import all write through these ------------


def ensure_bureau_admin(actor: User | None, text: str) -> None:
    """``None`` is a management command (run by whoever holds the server)."""
    if actor is not None and not actor.is_bureau_admin:
        raise PermissionDenied(text)


def _target_number(target) -> int | None:
    """A whole number ≥ 0, or None for "the default" (a blank cell, as the allocation table reads it)."""
    if target is None or (isinstance(target, str) and not target.strip()):
        return None
    number = None
    if isinstance(target, int) and not isinstance(target, bool) and target >= 0:
        number = target
    elif isinstance(target, str) and target.strip().isascii() and target.strip().isdigit():
        number = int(target.strip())
    if number is not None:
        if number > TARGET_MAX:
            raise ValidationError(
                {"target": _("任务数“%(value)s”太大:每项指标最多%(max)s篇。") % {"value": target, "max": TARGET_MAX}}
            )
        return number
    raise ValidationError(
        {"target": _("任务数“%(value)s”无效:须为不小于0的整数,或留空采用默认任务数。") % {"value": target}}
    )


@transaction.atomic
def target_set(*, actor: User | None, unit: Unit, indicator: Indicator, target: int | str | None) -> UnitTarget | None:
    """Set a unit's target for an indicator; ``None`` (or "") puts the unit back on the indicator's default.
    Refused for a frozen year, for an indicator of another unit kind and for anything but a whole number ≥ 0."""
    ensure_bureau_admin(actor, _("只有市局管理员可以分解任务。"))
    number = _target_number(target)
    ensure_year_editable(indicator.year, lock=True)
    if unit.kind_id != indicator.unit_kind_id:
        raise ValidationError({"indicator": target_kind_error(unit, indicator)})
    current = UnitTarget.objects.filter(unit=unit, indicator=indicator).first()
    if number is None:
        if current is not None:
            current.delete()
        return None
    if current is None:
        current = UnitTarget(unit=unit, indicator=indicator, target=number)
    elif current.target == number:
        return current
    current.target = number
    current.full_clean(validate_unique=False, validate_constraints=False)
    current.save()
    return current


@transaction.atomic
def target_fill(
    *, actor: User | None, indicator: Indicator, target: int | str | None, units: Iterable[Unit] | None = None
) -> int:
    """Give every active unit of the indicator's kind (or ``units``) the same target; ``None`` resets them all
    to the default. Returns how many units changed. Bulk writes with an audit event each (no signals)."""
    ensure_bureau_admin(actor, _("只有市局管理员可以分解任务。"))
    number = _target_number(target)
    ensure_year_editable(indicator.year, lock=True)
    if units is None:
        units = Unit.objects.active().filter(kind_id=indicator.unit_kind_id)
    units = list(units)
    wrong = [u for u in units if u.kind_id != indicator.unit_kind_id]
    if wrong:
        raise ValidationError({"indicator": target_kind_error(wrong[0], indicator)})
    existing = {t.unit_id: t for t in UnitTarget.objects.filter(indicator=indicator, unit__in=units)}
    if number is None:
        gone = list(existing.values())
        if gone:  # QuerySet.delete() sends the delete signals: the audit trail records each row
            UnitTarget.objects.filter(pk__in=[t.pk for t in gone]).delete()
        return len(gone)
    changed = [t for t in existing.values() if t.target != number]
    by_old: dict[int, list[UnitTarget]] = {}
    for t in changed:
        by_old.setdefault(t.target, []).append(t)
        t.target = number
    UnitTarget.objects.bulk_update(changed, ["target"], batch_size=500)
    created = UnitTarget.objects.bulk_create(
        [UnitTarget(unit=u, indicator=indicator, target=number) for u in units if u.pk not in existing],
        batch_size=500,
    )
    for old, targets in by_old.items():
        record_many(
            AuditAction.UPDATE, targets, message=_("整列填入:任务数 %(old)s → %(new)s") % {"old": old, "new": number}
        )
    record_many(AuditAction.CREATE, created, message=_("整列填入:任务数 %(new)s") % {"new": number})
    if changed or created:  # bulk writes send no model signals: say it, so stored scores follow
        rules_changed.send(sender=UnitTarget, year_id=indicator.year_id)
    return len(changed) + len(created)

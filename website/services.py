"""Writes to bureau-website items: draft, submit, sign off, return, publish (seed 004 §2).

Every door (pages, admin, commands) comes through here. Each step checks who may take it, locks the
item row, records a ``WebsiteStep`` (who, when, why) and keeps the year's freeze (a closed year accepts
nothing). Four eyes: the person who drafted an item neither signs nor publishes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from publicity.models import AssessmentYear, Outlet, Piece, PieceKind, PieceStatus, Placement
from publicity.outlets import host_of
from publicity.services import PublicationInput, ensure_year_editable, piece_create, piece_update
from publicity.upload_guard import display_name
from publicity.uploads import validate_evidence
from units.models import Unit, User
from units.text import clean_text

from .models import (
    DEFAULT_WAIT_DAYS,
    EDITABLE,
    DeputyInCharge,
    ItemStatus,
    SignoffMode,
    StepKind,
    WebsiteItem,
    WebsiteRule,
    WebsiteStep,
)

MAX_BODY = 20000


@dataclass(frozen=True)
class ItemInput:
    title: str
    body: str
    authors: str
    kind: str = PieceKind.NEWS
    is_major: bool = False
    signoff_mode: str = SignoffMode.IN_APP
    source_url: str = ""


# --- who may do what ---------------------------------------------------------------------------


def can_draft(user: User | None, unit_id: int) -> bool:
    """The unit's liaison drafts its items (``None`` is a management command)."""
    return user is None or bool(user.is_liaison and user.unit_id == unit_id)


def deputy_for(item: WebsiteItem) -> User | None:
    row = DeputyInCharge.objects.filter(year_id=item.year_id, unit_id=item.unit_id).select_related("user").first()
    return row.user if row else None


def can_sign(user: User | None, item: WebsiteItem, deputy: User | None = None) -> bool:
    """Whether ``user`` takes the item's current sign-off step (head or deputy). ``deputy``: the unit's
    named 分管领导 this year, if the caller already looked it up."""
    if user is None:
        return True
    if item.created_by_id == user.pk:
        return False
    if item.status == ItemStatus.HEAD:
        return bool(user.is_unit_head and user.unit_id == item.unit_id)
    if item.status == ItemStatus.DEPUTY:
        return bool(user.is_deputy_director and (deputy is None or deputy.pk == user.pk))
    return False


def can_publish(user: User | None, item: WebsiteItem) -> bool:
    if user is None:
        return True
    return item.status == ItemStatus.EDITOR and user.is_website_editor and item.created_by_id != user.pk


def can_act(user: User | None, item: WebsiteItem, deputy: User | None = None) -> bool:
    """May ``user`` take (or refuse) the step the item waits for?"""
    if item.status == ItemStatus.EDITOR:
        return can_publish(user, item)
    return can_sign(user, item, deputy)


def wait_days(year: AssessmentYear) -> tuple[int, int]:
    """(sign-off days, publishing days) of the year's rule, or the defaults."""
    rule = WebsiteRule.objects.filter(year=year).first()
    return (rule.signoff_days, rule.publish_days) if rule else (DEFAULT_WAIT_DAYS, DEFAULT_WAIT_DAYS)


# --- helpers --------------------------------------------------------------------------------------


def _lock(item: WebsiteItem) -> WebsiteItem:
    return WebsiteItem.objects.select_for_update().select_related("year", "unit").get(pk=item.pk)


def _step(item: WebsiteItem, kind: str, actor: User | None, from_status: str, reason: str = "") -> None:
    step = WebsiteStep(item=item, kind=kind, from_status=from_status, actor=actor, reason=reason)
    step.full_clean(exclude=["item", "actor"])
    step.save()


def _http_url(value: str, *, field: str, label: str) -> str:
    value = clean_text(value, field=field, label=label)
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise ValidationError(
            {
                field: _("%(label)s“%(url)s”不是有效的网址,应以 http:// 或 https:// 开头。")
                % {"label": label, "url": value}
            }
        ) from exc
    return value


def _clean_input(data: ItemInput) -> ItemInput:
    errors: dict[str, list[str]] = {}

    def take(field, fn):
        try:
            return fn()
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items():
                errors.setdefault(key, []).extend(msgs)
            return ""

    title = take("title", lambda: clean_text(data.title, field="title", label=_("标题"), required=True))
    body = take("body", lambda: clean_text(data.body, field="body", label=_("正文"), multiline=True, required=True))
    authors = take("authors", lambda: clean_text(data.authors, field="authors", label=_("作者"), required=True))
    source = take("source_url", lambda: _http_url(data.source_url, field="source_url", label=_("本单位网站原文链接")))
    if len(title) > 300:
        errors.setdefault("title", []).append(_("标题不能超过300字。"))
    if len(body) > MAX_BODY:
        errors.setdefault("body", []).append(_("正文不能超过%(n)s字。") % {"n": MAX_BODY})
    if len(authors) > 300:
        errors.setdefault("authors", []).append(_("作者不能超过300字。"))
    if data.kind not in PieceKind.values:
        errors.setdefault("kind", []).append(_("稿件类型“%(kind)s”无效。") % {"kind": data.kind})
    if data.signoff_mode not in SignoffMode.values:
        errors.setdefault("signoff_mode", []).append(_("签发方式“%(mode)s”无效。") % {"mode": data.signoff_mode})
    if errors:
        raise ValidationError(errors)
    return ItemInput(title, body, authors, data.kind, bool(data.is_major), data.signoff_mode, source)


def _store_scan(item: WebsiteItem, upload, actor: User | None) -> None:
    info = validate_evidence(upload, label=_("领导签字原件或传真件"))
    old = item.scan.name if item.scan else ""
    item.scan.save("upload", info.stored or upload, save=False)
    item.scan_name = display_name(getattr(upload, "name", ""))
    item.scan_type = info.content_type
    item.scan_sha256 = info.sha256
    if old:
        storage = item.scan.storage
        transaction.on_commit(lambda: storage.delete(old))


# --- drafting and submitting ------------------------------------------------------------------------


@transaction.atomic
def item_save(
    *,
    actor: User | None,
    unit: Unit,
    year: AssessmentYear,
    data: ItemInput,
    item: WebsiteItem | None = None,
    scan=None,
    submit: bool = False,
) -> WebsiteItem:
    """Create a draft (``item`` None) or change a draft/returned item; ``submit`` sends it on at once."""
    if not can_draft(actor, unit.pk):
        raise PermissionDenied(_("只有本单位联络员可以起草或修改本单位的局网站稿件。"))
    year = ensure_year_editable(year, lock=True)
    if item is not None:
        item = _lock(item)
        if item.unit_id != unit.pk:
            raise PermissionDenied(_("只有本单位联络员可以起草或修改本单位的局网站稿件。"))
        if item.status not in EDITABLE:
            raise ValidationError(
                _("稿件当前状态为“%(status)s”,不能修改;需要修改请先撤回。") % {"status": item.get_status_display()}
            )
    data = _clean_input(data)
    if item is None:
        item = WebsiteItem(year=year, unit=unit, created_by=actor)
    item.title, item.body, item.authors, item.kind = data.title, data.body, data.authors, data.kind
    item.is_major, item.signoff_mode, item.source_url = data.is_major, data.signoff_mode, data.source_url
    if scan is not None:
        _store_scan(item, scan, actor)
    try:
        item.full_clean(
            exclude=["year", "unit", "created_by", "scan", "piece", "publication"], validate_constraints=False
        )
        item.save()
        if submit:
            item = _submit(item, actor)
    except Exception:
        if scan is not None and item.scan:
            item.scan.storage.delete(item.scan.name)  # the transaction rolls back: no row keeps the new file
        raise
    return item


def _submit(item: WebsiteItem, actor: User | None) -> WebsiteItem:
    old = item.status
    if item.signoff_mode == SignoffMode.SCAN and not item.scan:
        raise ValidationError({"scan": _("选择“上传领导签字原件或传真件”时,须先上传签字原件或传真件。")})
    now = timezone.now()
    item.return_reason = ""
    item.head_signed_by = item.head_signed_at = item.deputy_signed_by = item.deputy_signed_at = None
    _step(item, StepKind.SUBMIT, actor, old)
    if item.signoff_mode == SignoffMode.SCAN:
        # The signed original stands for the head's signature: the step records who attached it.
        _step(item, StepKind.SCAN, actor, ItemStatus.HEAD, reason=item.scan_name)
        item.status = ItemStatus.DEPUTY if item.is_major else ItemStatus.EDITOR
    else:
        item.status = ItemStatus.HEAD
    item.waiting_since = now
    item.save()
    return item


@transaction.atomic
def item_submit(*, actor: User | None, item: WebsiteItem) -> WebsiteItem:
    item = _lock(item)
    if not can_draft(actor, item.unit_id):
        raise PermissionDenied(_("只有本单位联络员可以提交本单位的局网站稿件。"))
    ensure_year_editable(item.year, lock=True)
    if item.status not in EDITABLE:
        raise ValidationError(_("稿件当前状态为“%(status)s”,不能提交。") % {"status": item.get_status_display()})
    return _submit(item, actor)


@transaction.atomic
def item_withdraw(*, actor: User | None, item: WebsiteItem) -> WebsiteItem:
    """The drafting unit takes a waiting item back to draft (sign-offs so far are void)."""
    item = _lock(item)
    if not can_draft(actor, item.unit_id):
        raise PermissionDenied(_("只有本单位联络员可以撤回本单位的局网站稿件。"))
    ensure_year_editable(item.year, lock=True)
    if item.status not in (ItemStatus.HEAD, ItemStatus.DEPUTY, ItemStatus.EDITOR):
        raise ValidationError(_("稿件当前状态为“%(status)s”,不能撤回。") % {"status": item.get_status_display()})
    _step(item, StepKind.WITHDRAW, actor, item.status)
    item.status, item.waiting_since = ItemStatus.DRAFT, None
    item.save()
    return item


@transaction.atomic
def item_delete(*, actor: User | None, item: WebsiteItem) -> None:
    item = _lock(item)
    if not can_draft(actor, item.unit_id):
        raise PermissionDenied(_("只有本单位联络员可以删除本单位的局网站稿件。"))
    ensure_year_editable(item.year, lock=True)
    if item.status not in EDITABLE:
        raise ValidationError(_("只有草稿或被退回的稿件可以删除。"))
    name = item.scan.name if item.scan else ""
    storage = item.scan.storage
    item.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- signing, returning, publishing -------------------------------------------------------------


def _ensure_can_act(actor: User | None, item: WebsiteItem) -> User | None:
    deputy = deputy_for(item) if item.status == ItemStatus.DEPUTY else None
    if item.status not in (ItemStatus.HEAD, ItemStatus.DEPUTY, ItemStatus.EDITOR):
        raise ValidationError(
            _("稿件“%(title)s”当前状态为“%(status)s”,已被处理,不能重复操作。")
            % {"title": item.title, "status": item.get_status_display()}
        )
    if not can_act(actor, item, deputy):
        if actor is not None and item.created_by_id == actor.pk:
            raise PermissionDenied(_("起草人不能签发或发布自己起草的稿件。"))
        if item.status == ItemStatus.DEPUTY and deputy is not None:
            raise PermissionDenied(_("该单位本年度的分管领导是%(name)s,只有其本人可以签发。") % {"name": deputy})
        raise PermissionDenied(
            _("稿件“%(title)s”正%(status)s,您无权办理。") % {"title": item.title, "status": item.get_status_display()}
        )
    return deputy


@transaction.atomic
def item_sign(*, actor: User | None, item: WebsiteItem) -> WebsiteItem:
    """The head (or, for a 重大事项 after the head, the deputy director) signs the item off."""
    item = _lock(item)
    ensure_year_editable(item.year, lock=True)
    if item.status == ItemStatus.EDITOR:
        raise ValidationError(_("稿件已签发,等待网站编辑发布。"))
    _ensure_can_act(actor, item)
    now, old = timezone.now(), item.status
    if old == ItemStatus.HEAD:
        item.head_signed_by, item.head_signed_at = actor, now
        item.status = ItemStatus.DEPUTY if item.is_major else ItemStatus.EDITOR
        _step(item, StepKind.HEAD, actor, old)
    else:
        item.deputy_signed_by, item.deputy_signed_at = actor, now
        item.status = ItemStatus.EDITOR
        _step(item, StepKind.DEPUTY, actor, old)
    item.waiting_since = now
    item.save()
    return item


@transaction.atomic
def item_return(*, actor: User | None, item: WebsiteItem, reason: str) -> WebsiteItem:
    """Refuse the current step: the item goes back to its unit with the reason."""
    item = _lock(item)
    ensure_year_editable(item.year, lock=True)
    reason = clean_text(reason, field="reason", label=_("退回原因"))
    _ensure_can_act(actor, item)
    if not reason:
        raise ValidationError({"reason": _("退回稿件必须填写退回原因。")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("退回原因不能超过500字。")})
    _step(item, StepKind.RETURN, actor, item.status, reason=reason)
    item.status, item.return_reason, item.waiting_since = ItemStatus.RETURNED, reason, None
    item.save()
    return item


def own_website() -> Outlet:
    outlet = Outlet.objects.filter(is_own_website=True, is_active=True).first()
    if outlet is None:
        raise ValidationError(_("媒体目录中没有标为“本局网站”的媒体,请市局管理员先在后台设置,再发布。"))
    return outlet


@transaction.atomic
def item_publish(*, actor: User | None, item: WebsiteItem, url: str, date: dt.date | None = None) -> WebsiteItem:
    """The website editor publishes: a publication in the bureau's own website outlet on the unit's piece
    (its piece of the same title if it has one not yet approved, else a new piece, approved: the sign-offs
    were its review and the bureau's own site is its proof)."""
    item = _lock(item)
    ensure_year_editable(item.year, lock=True)
    if item.status in (ItemStatus.HEAD, ItemStatus.DEPUTY):
        raise ValidationError(
            _("稿件尚未签发完毕(当前“%(status)s”),不能发布。") % {"status": item.get_status_display()}
        )
    _ensure_can_act(actor, item)
    url = _http_url(url, field="url", label=_("局网站链接"))
    if not url:
        raise ValidationError({"url": _("请填写稿件在局网站上的链接。")})
    outlet = own_website()
    if outlet.domain_list:
        host = host_of(url)
        if not any(host == d or host.endswith("." + d) for d in outlet.domain_list):
            raise ValidationError(
                {
                    "url": _("链接“%(url)s”不是%(outlet)s的地址(应为 %(domains)s)。")
                    % {"url": url, "outlet": outlet.name, "domains": "、".join(outlet.domain_list)}
                }
            )
    date = date or timezone.localdate()
    if date.year != item.year.year:
        raise ValidationError(
            {"date": _("发布日期 %(day)s 不在%(year)s年度内。") % {"day": f"{date:%Y-%m-%d}", "year": item.year.year}}
        )
    pub = PublicationInput(outlet, date, Placement.OTHER, page="", url=url)
    piece = Piece.objects.filter(year=item.year, unit=item.unit, title=item.title).first()
    if piece is None:
        piece = piece_create(
            actor=None,
            unit=item.unit,
            year=item.year,
            title=item.title,
            kind=item.kind,
            characters=item.characters,
            authors=item.author_list,
            publications=[pub],
            submit=True,
            approve=True,
        )
        piece.created_by, piece.reviewed_by = item.created_by, actor
        piece.save(update_fields=["created_by", "reviewed_by", "updated_at"])
    else:
        if piece.status == PieceStatus.APPROVED:
            raise ValidationError(
                {
                    "url": _("本单位已有标题为“%(title)s”且已审核通过的稿件,不能再添加刊发记录;请审核员先退回该稿件。")
                    % {"title": piece.title}
                }
            )
        existing = list(piece.publications.select_related("outlet"))
        if any(p.outlet_id == outlet.pk for p in existing):
            raise ValidationError(
                {"url": _("稿件“%(title)s”已登记过%(outlet)s的刊发记录。") % {"title": piece.title, "outlet": outlet}}
            )
        piece_update(
            actor=None,
            piece=piece,
            title=piece.title,
            kind=piece.kind,
            characters=piece.characters,
            authors=[a.name for a in piece.authors.all()],
            topics=list(piece.topics.all()),
            report_date=piece.report_date,
            publications=[PublicationInput(p.outlet, p.date, p.placement, p.page, p.url) for p in existing] + [pub],
            # A submitted piece that changes is a new submission (the reviewer sees the added publication);
            # a draft stays a draft (issue 11 item 1). The unit's own proof rule is for the liaison's submission.
            submit=piece.status == PieceStatus.SUBMITTED,
            check_proof=False,
        )
    now, old = timezone.now(), item.status
    item.piece = piece
    item.publication = piece.publications.get(outlet=outlet)
    item.status, item.url, item.published_by, item.published_at, item.waiting_since = (
        ItemStatus.PUBLISHED,
        url,
        actor,
        now,
        None,
    )
    _step(item, StepKind.PUBLISH, actor, old, reason=url)
    item.save()
    return item

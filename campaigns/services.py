"""Writes and reads of campaign tasks: the bureau sets a campaign up, units upload, everyone sees completion.

Every door (pages, admin, commands) comes through here. Uploads are checked by content: photos and summary
PDFs by the evidence checks of pieces (``publicity.uploads``), videos as MP4/WebM by their first bytes with
their own size limit (``settings.CAMPAIGN_VIDEO_MAX_BYTES``), summary documents as .docx without macros.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publicity.models import AssessmentYear, ReminderKind
from publicity.reminders import Due
from publicity.services import ensure_year_editable
from publicity.upload_guard import display_name
from publicity.uploads import validate_evidence
from units.models import Unit, User
from units.text import clean_text

from .models import MAX_COUNT, MAX_POINTS, Campaign, CampaignFile, Deliverable, DeliverableKind
from .signals import campaign_files_changed

ZERO, CENT = Decimal("0"), Decimal("0.01")

MAX_TEXT = 20000
KIND_ORDER = [DeliverableKind.PHOTO, DeliverableKind.VIDEO, DeliverableKind.SUMMARY]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4"}


@dataclass(frozen=True)
class CampaignInput:
    title: str
    theme: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    deadline: dt.date | None
    unit_ids: tuple[int, ...]
    # kind → count required of each unit; 0 or missing: not asked for
    deliverables: dict[str, int] = field(default_factory=dict)
    # Scored as its own item of the year's score (as typed; checked by clean_campaign_input): full score,
    # deduction per deliverable missing at the deadline, floor. Not scored: all three are 0.
    is_scored: bool = False
    full_score: object = None
    penalty_per_item: object = None
    floor: object = None


def ordered(deliverables) -> list[Deliverable]:
    """Photos, video, summary: the order a campaign notice lists them (not the alphabet of their codes)."""
    return sorted(deliverables, key=lambda d: KIND_ORDER.index(d.kind))


# --- who may do what ---------------------------------------------------------------------------


def can_manage(user: User | None) -> bool:
    """The bureau admin sets campaigns up (``None`` is a management command)."""
    return user is None or bool(user.is_bureau_admin)


def can_upload(user: User | None, unit_id: int) -> bool:
    return user is None or bool(user.is_liaison and user.unit_id == unit_id)


# --- setting a campaign up ------------------------------------------------------------------------


def clean_campaign_input(data: CampaignInput, year: AssessmentYear) -> CampaignInput:
    """The input checked and trimmed; a ``ValidationError`` keyed by field, in Chinese, names what is wrong."""
    errors: dict[str, list[str]] = {}

    def add(key, msg):
        errors.setdefault(key, []).append(msg)

    def text(key, value, label, required):
        try:
            return clean_text(value, field=key, label=label, required=required)
        except ValidationError as exc:
            for k, msgs in exc.message_dict.items():
                errors.setdefault(k, []).extend(msgs)
            return ""

    title = text("title", data.title, _("活动名称"), True)
    theme = text("theme", data.theme, _("宣传主题"), False)
    if len(title) > 200:
        add("title", _("活动名称不能超过200字。"))
    if len(theme) > 200:
        add("theme", _("宣传主题不能超过200字。"))
    for key, label in (
        ("starts_on", _("活动开始日期")),
        ("ends_on", _("活动结束日期")),
        ("deadline", _("材料报送截止日期")),
    ):
        if getattr(data, key) is None:
            add(key, _("请填写%(label)s。") % {"label": label})
    if data.starts_on and data.starts_on.year != year.year:
        add("starts_on", _("活动开始日期须在%(year)s年内。") % {"year": year.year})
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        add("ends_on", _("活动结束日期不能早于开始日期。"))
    if data.starts_on and data.deadline and data.deadline < data.starts_on:
        add("deadline", _("材料报送截止日期不能早于活动开始日期。"))
    unit_ids = tuple(sorted({int(u) for u in data.unit_ids}))
    if not unit_ids:
        add("units", _("请至少选择一个参加单位。"))
    elif Unit.objects.active().filter(pk__in=unit_ids).count() != len(unit_ids):
        add("units", _("参加单位中有不存在或已停用的单位。"))
    deliverables = {}
    for kind, count in (data.deliverables or {}).items():
        label = DeliverableKind(kind).label if kind in DeliverableKind.values else kind
        if kind not in DeliverableKind.values:
            add("deliverables", _("材料类型“%(kind)s”无效。") % {"kind": kind})
        elif count is None or count < 0 or count > MAX_COUNT:
            add(kind, _("%(label)s的要求数量应在0到%(max)s之间。") % {"label": label, "max": MAX_COUNT})
        elif count:
            deliverables[kind] = int(count)
    if not deliverables and not any(k in errors for k in DeliverableKind.values):
        add("deliverables", _("请至少要求一种报送材料(照片、视频或书面总结)。"))
    points = {"full_score": ZERO, "penalty_per_item": ZERO, "floor": ZERO}
    if data.is_scored:
        for key, label, required in (
            ("full_score", _("单项满分"), True),
            ("penalty_per_item", _("每缺一项扣分"), False),
            ("floor", _("最低得分"), False),
        ):
            value = getattr(data, key)
            if value in (None, ""):
                if required:
                    add(key, _("计入考核得分时请填写%(label)s。") % {"label": label})
                continue
            try:
                number = Decimal(str(value).strip())
                if not number.is_finite() or number < 0 or number > MAX_POINTS or number != number.quantize(CENT):
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                add(
                    key,
                    _("%(label)s“%(value)s”无效:须在0到%(max)s之间,最多两位小数。")
                    % {"label": label, "value": value, "max": MAX_POINTS},
                )
                continue
            points[key] = number.quantize(CENT)
        if "full_score" not in errors and points["full_score"] <= 0:
            add("full_score", _("计入考核得分时单项满分须大于0。"))
        if "floor" not in errors and "full_score" not in errors and points["floor"] > points["full_score"]:
            add("floor", _("最低得分不能高于单项满分。"))
    if errors:
        raise ValidationError(errors)
    return CampaignInput(
        title,
        theme,
        data.starts_on,
        data.ends_on,
        data.deadline,
        unit_ids,
        deliverables,
        bool(data.is_scored),
        points["full_score"],
        points["penalty_per_item"],
        points["floor"],
    )


@transaction.atomic
def campaign_save(
    *, actor: User | None, year: AssessmentYear, data: CampaignInput, campaign: Campaign | None = None
) -> Campaign:
    """Create a campaign (``campaign`` None) or change one; a unit that already sent something stays in, and a
    kind of deliverable already sent stays asked for."""
    if not can_manage(actor):
        raise PermissionDenied(_("只有市局管理员可以设置专题宣传活动。"))
    if campaign is not None:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        year = campaign.year
    year = ensure_year_editable(year, lock=True)
    data = clean_campaign_input(data, year)
    if campaign is not None:
        sent = CampaignFile.objects.filter(campaign=campaign)
        kept_out = sent.exclude(unit_id__in=data.unit_ids).values_list("unit__name", flat=True).distinct()
        if kept_out:
            raise ValidationError(
                {"units": _("%(units)s已上传材料,不能移出本活动。") % {"units": "、".join(sorted(kept_out))}}
            )
        for kind in sent.exclude(kind__in=list(data.deliverables)).values_list("kind", flat=True).distinct():
            raise ValidationError(
                {kind: _("已有单位上传了%(label)s,不能取消这项要求。") % {"label": DeliverableKind(kind).label}}
            )
    else:
        campaign = Campaign(year=year, created_by=actor)
    campaign.title, campaign.theme = data.title, data.theme
    campaign.starts_on, campaign.ends_on, campaign.deadline = data.starts_on, data.ends_on, data.deadline
    campaign.is_scored, campaign.full_score = data.is_scored, data.full_score
    campaign.penalty_per_item, campaign.floor = data.penalty_per_item, data.floor
    campaign.full_clean(exclude=["year", "created_by", "units"])
    campaign.save()
    campaign.units.set(data.unit_ids)
    have = {d.kind: d for d in campaign.deliverables.all()}
    for kind, count in data.deliverables.items():
        row = have.pop(kind, None) or Deliverable(campaign=campaign, kind=kind, count=count)
        if row.pk is None or row.count != count:
            row.count = count
            row.full_clean(exclude=["campaign"])
            row.save()
    for row in have.values():
        row.delete()
    return campaign


# --- uploads ----------------------------------------------------------------------------------------


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def sniff_video(head: bytes) -> str | None:
    """``video/mp4`` or ``video/webm`` from a file's first bytes, else None (the name does not count)."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "video/webm"
    return None


@dataclass(frozen=True)
class Checked:
    """An accepted file: its checked type and what is stored (a re-encoded photo without metadata, or the
    upload itself), with that file's size and SHA-256."""

    content_type: str
    sha256: str
    size: int
    data: object


def _check_video(upload, label: str) -> Checked:
    size, limit = upload.size or 0, settings.CAMPAIGN_VIDEO_MAX_BYTES
    if size == 0:
        raise ValidationError({"file": _("%(label)s:文件是空的,请重新选择。") % {"label": label}})
    if size > limit:
        raise ValidationError(
            {
                "file": _("%(label)s:文件大小 %(size)s MB,超过上限 %(limit)s MB,请压缩或剪短后再上传。")
                % {"label": label, "size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
            }
        )
    upload.seek(0)
    content_type = sniff_video(upload.read(64))
    if content_type is None:
        raise ValidationError(
            {"file": _("%(label)s:文件内容不是 MP4 或 WebM 视频(按文件内容识别,与扩展名无关)。") % {"label": label}}
        )
    return Checked(content_type, _sha256(upload), size, upload)


def _check_docx(upload, label: str) -> Checked:
    size = upload.size or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("%(label)s:文件大小 %(size)s MB,超过上限 %(limit)s MB。")
                % {
                    "label": label,
                    "size": f"{size / 1048576:.1f}",
                    "limit": f"{settings.EVIDENCE_MAX_BYTES / 1048576:.0f}",
                }
            }
        )
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as zf:
            names = set(zf.namelist())
            types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError({"file": _("%(label)s:Word 文件已损坏,无法打开。") % {"label": label}}) from exc
    upload.seek(0)
    if "word/document.xml" not in names:
        raise ValidationError({"file": _("%(label)s:文件不是 Word(.docx)文档。") % {"label": label}})
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
        raise ValidationError(
            {"file": _("%(label)s:Word 文档中含有宏,不予上传。请另存为普通 .docx 或 PDF 后再上传。") % {"label": label}}
        )
    return Checked(DOCX, _sha256(upload), size, upload)


def check_upload(kind: str, upload) -> Checked:
    """An acceptable deliverable file of ``kind``, or a Chinese error naming the file. Photos: JPEG/PNG/WebP
    (stored re-encoded, as evidence is); video: MP4/WebM; summary: PDF or .docx."""
    label = _("%(kind)s文件“%(name)s”") % {
        "kind": DeliverableKind(kind).label,
        "name": display_name(getattr(upload, "name", "")),
    }
    if kind == DeliverableKind.VIDEO:
        return _check_video(upload, label)
    if kind == DeliverableKind.SUMMARY:
        upload.seek(0)
        if upload.read(4) == b"PK\x03\x04":
            return _check_docx(upload, label)
        upload.seek(0)
    try:
        info = validate_evidence(upload, label=label)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    if kind == DeliverableKind.PHOTO and not info.content_type.startswith("image/"):
        raise ValidationError({"file": _("%(label)s:照片须是 JPEG、PNG 或 WebP 图片。") % {"label": label}})
    if kind == DeliverableKind.SUMMARY and info.content_type != "application/pdf":
        raise ValidationError(
            {"file": _("%(label)s:书面总结须是 PDF 或 Word(.docx)文档,或直接填写文字。") % {"label": label}}
        )
    return Checked(info.content_type, info.sha256, info.size, info.stored or upload)


def _ensure_can_upload(actor: User | None, campaign: Campaign, unit: Unit) -> AssessmentYear:
    if not can_upload(actor, unit.pk):
        raise PermissionDenied(_("只有本单位联络员可以上传本单位的活动材料。"))
    if not campaign.units.filter(pk=unit.pk).exists():
        raise PermissionDenied(_("%(unit)s不是“%(title)s”的参加单位。") % {"unit": unit, "title": campaign.title})
    return ensure_year_editable(campaign.year, lock=True)


@transaction.atomic
def files_add(
    *, actor: User | None, campaign: Campaign, unit: Unit, kind: str, uploads=(), text: str = ""
) -> list[CampaignFile]:
    """Add a unit's deliverables of one kind: files (each checked; one bad file and nothing is kept) or, for a
    summary, typed text. Uploads after the deadline are accepted and show as late."""
    _ensure_can_upload(actor, campaign, unit)
    wanted = set(campaign.deliverables.values_list("kind", flat=True))
    if kind not in wanted:
        label = DeliverableKind(kind).label if kind in DeliverableKind.values else kind
        raise ValidationError({"kind": _("本活动不要求报送“%(kind)s”。") % {"kind": label}})
    uploads = [u for u in uploads if u is not None]
    text = clean_text(text, field="text", label=_("总结正文"), multiline=True)
    if text and kind != DeliverableKind.SUMMARY:
        raise ValidationError({"text": _("只有书面总结可以直接填写文字。")})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("总结正文不能超过%(n)s字。") % {"n": MAX_TEXT}})
    if not uploads and not text:
        raise ValidationError(
            {"file": _("请选择要上传的%(kind)s文件。") % {"kind": DeliverableKind(kind).label}}
            if kind != DeliverableKind.SUMMARY
            else {"text": _("请上传书面总结文件,或直接填写总结正文。")}
        )
    # All checked before anything is stored, and every bad file named at once (not one per attempt).
    checked, bad = [], []
    for u in uploads:
        try:
            checked.append((u, check_upload(kind, u)))
        except ValidationError as exc:
            bad.extend(exc.messages)
    if bad:
        raise ValidationError({"file": bad})
    rows, stored = [], []
    try:
        if text:
            row = CampaignFile(campaign=campaign, unit=unit, kind=kind, text=text, uploaded_by=actor)
            row.save()
            rows.append(row)
        for upload, ok in checked:
            row = CampaignFile(
                campaign=campaign,
                unit=unit,
                kind=kind,
                name=display_name(getattr(upload, "name", "")),
                content_type=ok.content_type,
                size=ok.size,
                sha256=ok.sha256,
                uploaded_by=actor,
            )
            row.file.save("upload", ok.data, save=False)
            stored.append(row.file.name)
            row.save()
            rows.append(row)
    except Exception:
        for name in stored:  # the transaction rolls back: no row keeps these files
            CampaignFile.file.field.storage.delete(name)
        raise
    if campaign.is_scored:  # the unit's campaign item may move: its stored scores are kept exact
        campaign_files_changed.send(sender=CampaignFile, year_id=campaign.year_id, unit_ids=[unit.pk])
    return rows


@transaction.atomic
def file_delete(*, actor: User | None, item: CampaignFile) -> None:
    item = CampaignFile.objects.select_related("campaign", "unit").get(pk=item.pk)
    if not can_upload(actor, item.unit_id):
        raise PermissionDenied(_("只有本单位联络员可以删除本单位的活动材料。"))
    ensure_year_editable(item.campaign.year, lock=True)
    name, storage = (item.file.name, item.file.storage) if item.file else ("", None)
    item.delete()
    if item.campaign.is_scored:
        campaign_files_changed.send(sender=CampaignFile, year_id=item.campaign.year_id, unit_ids=[item.unit_id])
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- completion -------------------------------------------------------------------------------------


class State:
    DONE = "done"
    LATE = "late"
    PENDING = "pending"
    MISSING = "missing"

    LABELS = {
        "done": gettext_lazy("按时完成"),
        "late": gettext_lazy("逾期完成"),
        "pending": gettext_lazy("未完成"),
        "missing": gettext_lazy("逾期未交"),
    }

    @classmethod
    def label(cls, value: str) -> str:
        return str(cls.LABELS[value])


@dataclass
class UnitCompletion:
    unit: Unit
    counts: dict[str, int]  # kind → how many the unit sent
    required: dict[str, int]
    completed_at: dt.datetime | None  # when the last required item arrived (None: not complete)
    state: str
    last_upload: dt.datetime | None = None

    @property
    def state_label(self) -> str:
        return State.label(self.state)

    @property
    def missing(self) -> dict[str, int]:
        return {
            k: self.required[k] - self.counts.get(k, 0)
            for k in KIND_ORDER
            if k in self.required and self.counts.get(k, 0) < self.required[k]
        }

    @property
    def missing_total(self) -> int:
        return sum(self.missing.values())

    def lines(self) -> list[tuple[str, int, int]]:
        """(kind label, sent, required) in the fixed kind order."""
        return [
            (DeliverableKind(k).label, self.counts.get(k, 0), self.required[k])
            for k in KIND_ORDER
            if k in self.required
        ]


def _state(deadline: dt.date, completed_at: dt.datetime | None, today: dt.date) -> str:
    if completed_at is not None:
        return State.LATE if timezone.localtime(completed_at).date() > deadline else State.DONE
    return State.MISSING if today > deadline else State.PENDING


def completions(campaigns, today: dt.date, *, unit_ids=None) -> dict[int, list[UnitCompletion]]:
    """Each taking-part unit's state in each campaign, by campaign id (2 queries, plus one for the deliverables
    unless the campaigns were fetched with ``prefetch_related("deliverables")``), whatever the number of units
    and files. ``unit_ids``: only these units."""
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    links = Campaign.units.through.objects.filter(campaign_id__in=ids).select_related("unit__kind")
    files = CampaignFile.objects.filter(campaign_id__in=ids)
    if unit_ids is not None:
        links, files = links.filter(unit_id__in=unit_ids), files.filter(unit_id__in=unit_ids)
    members: dict[int, list[Unit]] = defaultdict(list)
    for link in links.order_by("unit__kind__order", "unit__order", "unit_id"):
        members[link.campaign_id].append(link.unit)
    times: dict[tuple[int, int], dict[str, list[dt.datetime]]] = defaultdict(lambda: defaultdict(list))
    for campaign_id, unit_id, kind, at in files.order_by("uploaded_at", "id").values_list(
        "campaign_id", "unit_id", "kind", "uploaded_at"
    ):
        times[(campaign_id, unit_id)][kind].append(at)
    out: dict[int, list[UnitCompletion]] = {}
    for campaign in campaigns:
        required = {d.kind: d.count for d in campaign.deliverables.all()}
        rows = []
        for unit in members.get(campaign.pk, []):
            got = times.get((campaign.pk, unit.pk), {})
            counts = {k: len(v) for k, v in got.items()}
            done_at = [got[k][n - 1] for k, n in required.items() if len(got.get(k, ())) >= n]
            completed_at = max(done_at) if required and len(done_at) == len(required) else None
            last = max((v[-1] for v in got.values()), default=None)
            state = _state(campaign.deadline, completed_at, today)
            rows.append(UnitCompletion(unit, counts, required, completed_at, state, last))
        out[campaign.pk] = rows
    return out


def completion(campaign: Campaign, today: dt.date, *, unit_ids=None) -> list[UnitCompletion]:
    """One campaign's completion table (see ``completions``)."""
    return completions([campaign], today, unit_ids=unit_ids)[campaign.pk]


def summary(rows: list[UnitCompletion]) -> dict[str, int]:
    counts = {State.DONE: 0, State.LATE: 0, State.PENDING: 0, State.MISSING: 0}
    for row in rows:
        counts[row.state] += 1
    return counts


def unit_campaigns(unit: Unit, year: AssessmentYear, today: dt.date) -> list[tuple[Campaign, UnitCompletion]]:
    """The unit's campaigns of the year with its state in each (3 queries)."""
    campaigns = list(Campaign.objects.filter(year=year, units=unit).prefetch_related("deliverables"))
    table = completions(campaigns, today, unit_ids=[unit.pk])
    return [(c, table[c.pk][0]) for c in campaigns if table.get(c.pk)]


def overdue_deliverables(year: AssessmentYear, today: dt.date) -> list[Due]:
    """Units that owe deliverables past a campaign's deadline, for the reminders (one ``Due`` per unit and
    deadline, naming every campaign due that day and what is missing)."""
    dues: dict[tuple[int, dt.date], list[str]] = defaultdict(list)
    units: dict[int, Unit] = {}
    campaigns = list(Campaign.objects.filter(year=year, deadline__lt=today).prefetch_related("deliverables"))
    table = completions(campaigns, today)
    for campaign in campaigns:
        for row in table[campaign.pk]:
            if row.state != State.MISSING:
                continue
            units[row.unit.pk] = row.unit
            what = "、".join(
                _("%(kind)s%(n)s份") % {"kind": DeliverableKind(k).label, "n": n} for k, n in row.missing.items()
            )
            dues[(row.unit.pk, campaign.deadline)].append(
                _("“%(title)s”还差%(what)s") % {"title": campaign.title, "what": what}
            )
    return [
        Due(
            units[unit_id],
            deadline,
            ReminderKind.CAMPAIGN,
            _("专题活动材料(截止%(due)s):%(items)s") % {"due": f"{deadline:%Y-%m-%d}", "items": ";".join(items)},
            deadline.month,
        )
        for (unit_id, deadline), items in sorted(dues.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]

"""What the proof says, on the liaison's piece form: upload a proof before saving, then poll for what
was read and offer it as suggestions (nothing is filled without a tap). The reading itself happens in
the background worker (``publicity.tasks``), never in these requests."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from proof.fields import Fields
from publicity import services
from publicity.models import EvidenceReading, Placement, ReadingStatus, StagedEvidence
from publicity.outlets import OutletIndex

from .access import PIECE_WRITERS, require_roles

POLL_MS = 1500


def staged_for(user, token) -> StagedEvidence:
    """The user's own staged proof, or a Chinese error for the form (expired or someone else's)."""
    fresh = timezone.now() - services.STAGED_KEEP
    staged = StagedEvidence.objects.filter(token=token, uploaded_by=user, uploaded_at__gte=fresh).first()
    if staged is None:
        raise ValidationError({"publications": _("佐证材料已失效(超过一天未保存或已被替换),请重新上传。")})
    return staged


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _url(url: str) -> str:
    if url and not url.startswith(("http://", "https://")):
        return "http://" + url
    return url


def suggestions(fields: Fields, index: OutletIndex) -> list[dict]:
    """What the form may offer, field by field: ``field`` names the form input, ``value`` what a tap
    puts there, ``text`` what the person reads. Only values the form accepts are offered."""
    out = []
    if fields.title:
        out.append({"field": "title", "value": fields.title, "text": fields.title, "label": _("标题")})
    outlet = index.resolve(fields.outlet) if fields.outlet else None
    if outlet is not None:
        how = {"masthead": _("据报头"), "domain": _("据网址"), "text": _("据正文")}.get(fields.outlet_how, "")
        out.append({"field": "outlet", "value": outlet.name, "text": f"{outlet.name}({how})", "label": _("媒体")})
    if fields.date:
        day = fields.date_value
        text = _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}
        out.append({"field": "date", "value": fields.date, "text": text, "label": _("刊发日期")})
    if fields.placement in Placement.values:
        label = Placement(fields.placement).label
        out.append({"field": "placement", "value": fields.placement, "text": str(label), "label": _("版面位置")})
    if fields.page_text:
        page = _("第%(n)s版") % {"n": fields.page} if fields.page else fields.page_text
        out.append({"field": "page", "value": page, "text": page, "label": _("版面/栏目")})
    if fields.url:
        out.append({"field": "url", "value": _url(fields.url), "text": _url(fields.url), "label": _("链接")})
    if fields.characters >= 50:
        # Rounded: a clipping's edge cuts words, OCR drops some; the liaison knows the exact count.
        approx = int(round(fields.characters, -1))
        text = _("约 %(n)s 字") % {"n": approx}
        out.append({"field": "characters", "value": approx, "text": text, "label": _("字数")})
    return out


@require_POST
@require_roles(*PIECE_WRITERS)
def evidence_stage(request):
    """Upload a proof from the piece form before saving it: stored, queued for reading, answered with
    the token the form keeps and the address to poll."""
    upload = request.FILES.get("file")
    if upload is None:
        return _json({"error": _("请选择要上传的照片、截图或 PDF。")}, status=400)
    try:
        staged = services.evidence_stage(actor=request.user, upload=upload)
    except ValidationError as exc:
        return _json({"error": " ".join(exc.messages)}, status=400)
    except PermissionDenied as exc:
        return _json({"error": str(exc)}, status=403)
    return _json(
        {
            "token": str(staged.token),
            "name": staged.original_name,
            "reading_url": reverse("publicity:staged-reading", args=[staged.token]),
            "poll_ms": POLL_MS,
        },
        status=201,
    )


@require_GET
@require_roles(*PIECE_WRITERS)
def staged_reading(request, token: uuid.UUID):
    """What was read from the user's staged proof so far (only its uploader sees it: else 404)."""
    staged = StagedEvidence.objects.filter(token=token, uploaded_by=request.user).first()
    if staged is None:
        raise Http404(_("没有找到该佐证材料。"))
    reading = EvidenceReading.objects.filter(sha256=staged.sha256).first()
    status = reading.status if reading else ReadingStatus.PENDING
    data = {
        "status": status,
        "status_text": str(ReadingStatus(status).label),
        "name": staged.original_name,
        "suggestions": [],
    }
    if status == ReadingStatus.DONE:
        data["suggestions"] = suggestions(Fields.from_dict(reading.fields), OutletIndex.load())
        if not data["suggestions"]:
            data["status_text"] = _("已识别,但没有找到可填写的信息")
    elif status in (ReadingStatus.FAILED, ReadingStatus.UNAVAILABLE):
        data["status_text"] = _("未能自动识别,请手工填写(佐证材料已上传,保存稿件时一并保存)")
    return _json(data)

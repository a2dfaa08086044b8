"""A campaign's files to download: one file, everything a unit sent as one zip (streamed), and the completion
table as a workbook."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import services
from campaigns.archive import stream_zip
from campaigns.models import CampaignFile
from reports.cells import set_safe_value

from .access import (
    BUREAU_READERS,
    CAMPAIGN_READERS,
    campaign_unit_for_user,
    get_campaign_file_for_user,
    get_campaign_for_user,
    require_roles,
)
from .common import deadline_day

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXT = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "video/webm": "webm",
    services.DOCX: "docx",
}


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


@require_roles(*CAMPAIGN_READERS)
def file_download(request, pk):
    """One uploaded file, to the bureau and its own unit; never from a public URL. Images open in the browser,
    everything else downloads; the checked type is sent, with nosniff and a sandbox."""
    item = get_campaign_file_for_user(request.user, pk)
    if item.is_text:
        raise Http404(_("书面总结是直接填写的文字,没有文件。"))
    inline = item.content_type.startswith("image/")
    response = FileResponse(
        item.file.open("rb"),
        content_type=item.content_type,
        as_attachment=not inline,
        filename=f"{item.campaign_id}-{item.pk}.{EXT.get(item.content_type, 'bin')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@require_roles(*CAMPAIGN_READERS)
def unit_zip(request, pk, unit_id):
    campaign = get_campaign_for_user(request.user, pk)
    unit = campaign_unit_for_user(request.user, campaign, unit_id)
    files = list(CampaignFile.objects.filter(campaign=campaign, unit=unit).order_by("kind", "uploaded_at", "id"))
    if not files:
        raise Http404(_("该单位尚未上传材料。"))
    response = StreamingHttpResponse(stream_zip(files), content_type="application/zip")
    response["Content-Disposition"] = _attachment(f"{campaign.title}-{unit.name}.zip")
    return response


@require_roles(*BUREAU_READERS)
def completion_xlsx(request, pk):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    campaign = get_campaign_for_user(request.user, pk)
    today = deadline_day(request, campaign.year)
    rows = services.completion(campaign, today)
    kinds = services.ordered(campaign.deliverables.all())
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("完成情况"))
    ws.freeze_panes = "A4"
    for col, width in zip("ABCDEFGHI", [6, 26, 10, 12, 12, 12, 12, 18, 18], strict=False):
        ws.column_dimensions[col].width = width

    def cells(values, bold=False):
        out = []
        for v in values:
            c = WriteOnlyCell(ws)
            set_safe_value(c, v)
            if bold:
                c.font = Font(bold=True)
            out.append(c)
        return out

    ws.append(cells([campaign.title], bold=True))
    ws.append(
        cells(
            [
                _("活动时间 %(start)s 至 %(end)s,材料截止 %(due)s,统计日期 %(today)s")
                % {
                    "start": f"{campaign.starts_on:%Y-%m-%d}",
                    "end": f"{campaign.ends_on:%Y-%m-%d}",
                    "due": f"{campaign.deadline:%Y-%m-%d}",
                    "today": f"{today:%Y-%m-%d}",
                }
            ]
        )
    )
    header = [_("序号"), _("单位"), _("单位类型")]
    header += [_("%(kind)s(要求%(n)s)") % {"kind": d.get_kind_display(), "n": d.count} for d in kinds]
    header += [_("状态"), _("完成时间"), _("最后上传")]
    ws.append(cells(header, bold=True))
    for i, row in enumerate(rows, 1):
        values = [i, row.unit.name, str(row.unit.kind)]
        values += [row.counts.get(d.kind, 0) for d in kinds]
        values += [
            row.state_label,
            f"{timezone.localtime(row.completed_at):%Y-%m-%d %H:%M}" if row.completed_at else "",
            f"{timezone.localtime(row.last_upload):%Y-%m-%d %H:%M}" if row.last_upload else "",
        ]
        ws.append(cells(values))
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = _attachment(_("%(title)s-完成情况.xlsx") % {"title": campaign.title})
    return response

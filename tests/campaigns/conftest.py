"""Campaign fixtures: a campaign of units A and B (photos 2, video 1, summary 1, due 9 April 2011, as seed 002),
and small but real deliverable files."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.browser_kit import reload_preset_after  # noqa: F401
from tests.web.conftest import PDF_BYTES, as_user, media_tmp, png_bytes  # noqa: F401

MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + b"\x00" * 2000
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"
    + b"\x00" * 500
)


def docx_bytes(macro: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        kind = "application/vnd.ms-word.document.macroEnabled.main+xml" if macro else "application/vnd.openxmlformats"
        zf.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types><Override ContentType="{kind}"/></Types>')
        zf.writestr("word/document.xml", "<w:document>总结</w:document>")
        if macro:
            zf.writestr("word/vbaProject.bin", b"\x00" * 10)
    return out.getvalue()


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def photo():
    def make(name="现场.png", rgb=(200, 30, 30)):
        return upload(name, png_bytes(rgb=rgb), "image/png")

    return make


@pytest.fixture
def campaign_input():
    from campaigns.services import CampaignInput

    def make(units, **over):
        data = {
            "title": "社会工作主题宣传活动",
            "theme": "推进五社联动 关爱一小一老",
            "starts_on": dt.date(2011, 3, 28),
            "ends_on": dt.date(2011, 4, 7),
            "deadline": dt.date(2011, 4, 9),
            "unit_ids": tuple(u.pk for u in units),
            "deliverables": {"photo": 2, "video": 1, "summary": 1},
        }
        data.update(over)
        return CampaignInput(**data)

    return make


@pytest.fixture
def campaign(users, units, year, campaign_input):
    from campaigns.services import campaign_save

    return campaign_save(actor=users["bureau_admin"], year=year, data=campaign_input([units["a"], units["b"]]))


def at(rows, day: dt.date, hour: int = 10):
    """Backdate uploads (the service stamps now)."""
    from campaigns.models import CampaignFile

    when = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    CampaignFile.objects.filter(pk__in=[r.pk for r in rows]).update(uploaded_at=when)

"""The real OCR engine and PDF readers on generated files (Pillow + the embedded CJK font).

Skipped with a reason only where the engine or the font is missing on a developer's machine; CI
(REQUIRE_OPTIONAL=1) fails instead, since `make test` installs both.
"""

import datetime as dt
import io
import socket

import pytest

from proof import engine, samples
from proof.fields import OutletEntry, extract
from tests.conftest import skip_or_fail

OUTLETS = [
    OutletEntry("安康日报"),
    OutletEntry("陕西日报"),
    OutletEntry("人民网", (), ("people.com.cn",)),
    OutletEntry("陕西省人社厅网站", (), ("rst.shaanxi.gov.cn",)),
]


@pytest.fixture(scope="module")
def ocr():
    if samples.font_path() is None:
        skip_or_fail("no CJK TrueType font (apt-get install fonts-wqy-zenhei)")
    try:
        return engine.get_engine()
    except engine.EngineUnavailable as exc:
        skip_or_fail(f"OCR engine missing: {exc} (pip install rapidocr_onnxruntime)")


class NoOcr:
    name = "no-ocr"

    def read_image(self, image):
        raise AssertionError("the text layer should have been enough")


def clip(**kw):
    base = {
        "outlet": "安康日报",
        "title": "我市人社系统扎实推进就业再就业工作",
        "date": dt.date(2011, 3, 5),
        "page": 1,
        "headline": True,
        "date_style": "cn",
        "rotation": 2.0,
        "quality": 70,
    }
    return samples.Clipping(**(base | kw))


def test_a_tilted_jpeg_clipping(ocr):
    reading = engine.read_bytes(samples.render(clip()), engine=ocr)
    assert reading.source == "ocr" and reading.engine.startswith("rapidocr_onnxruntime ")
    f = extract(reading.lines, OUTLETS)
    assert (f.outlet, f.title, f.date, f.page, f.placement) == (
        "安康日报",
        "我市人社系统扎实推进就业再就业工作",
        "2011-03-05",
        1,
        "headline",
    )
    assert f.weekday_ok is True
    assert 150 <= f.characters <= 260


def test_a_web_screenshot(ocr):
    c = clip(
        outlet="陕西省人社厅网站",
        page=None,
        headline=False,
        date_style="web",
        kind="web",
        url="http://www.rst.shaanxi.gov.cn/news/201103/1234.html",
        rotation=0,
    )
    f = extract(engine.read_bytes(samples.render(c, fmt="PNG"), engine=ocr).lines, OUTLETS)
    assert f.outlet == "陕西省人社厅网站"  # the site's name at the top, and its domain in the address bar
    assert "rst.shaanxi.gov.cn" in f.url
    assert (f.title, f.date, f.page) == ("我市人社系统扎实推进就业再就业工作", "2011-03-05", None)


def test_a_phone_photo_stored_sideways_with_an_exif_tag(ocr):
    from PIL import Image

    upright = Image.open(io.BytesIO(samples.render(clip(rotation=0, date_style="iso"))))
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # what the sensor stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    out = io.BytesIO()
    sideways.save(out, format="JPEG", quality=80, exif=exif)
    f = extract(engine.read_bytes(out.getvalue(), engine=ocr).lines, OUTLETS)
    assert (f.title, f.date) == ("我市人社系统扎实推进就业再就业工作", "2011-03-05")


def _text_pdf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", samples.font_path(), subfontIndex=0))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595, 842))
    c.setFont("WQY", 40)
    c.drawString(200, 780, "陕西日报")
    c.setFont("WQY", 11)
    c.drawString(40, 740, "2011年3月2日 星期三    第3版")
    c.setFont("WQY", 22)
    c.drawString(40, 700, "全省人社工作会议在西安召开")
    c.setFont("WQY", 11)
    for i, line in enumerate(
        ["本报讯 会议总结了去年全省人社工作,部署了今年的重点任务。", "会议要求,各地要抓好就业和社保工作。"]
    ):
        c.drawString(40, 670 - 16 * i, line)
    c.save()
    return out.getvalue()


def test_a_pdf_with_a_text_layer_needs_no_ocr():
    if samples.font_path() is None:
        skip_or_fail("no CJK TrueType font (apt-get install fonts-wqy-zenhei)")
    reading = engine.read_bytes(_text_pdf(), engine=NoOcr())
    assert reading.source == "pdf-text" and reading.engine.startswith("pypdf ")
    f = extract(reading.lines, OUTLETS)
    assert (f.outlet, f.title, f.date, f.page, f.placement) == (
        "陕西日报",
        "全省人社工作会议在西安召开",
        "2011-03-02",
        3,
        "other",
    )


def test_a_scanned_pdf_is_rendered_and_read(ocr):
    from PIL import Image

    image = Image.open(io.BytesIO(samples.render(clip(rotation=-1.5, page=2, headline=False))))
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=100)
    reading = engine.read_bytes(out.getvalue(), engine=ocr)
    assert reading.source == "ocr" and "pypdfium2" in reading.engine
    f = extract(reading.lines, OUTLETS)
    assert (f.outlet, f.title, f.date, f.page) == ("安康日报", "我市人社系统扎实推进就业再就业工作", "2011-03-05", 2)


def test_nothing_is_downloaded(monkeypatch):
    """The models are in the wheel: a fresh engine loads and reads with every socket refused."""
    if samples.font_path() is None:
        skip_or_fail("no CJK TrueType font (apt-get install fonts-wqy-zenhei)")

    def refuse(*args, **kwargs):
        raise OSError("network use during OCR")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    try:
        fresh = engine.RapidOcrEngine()
    except engine.EngineUnavailable as exc:
        skip_or_fail(f"OCR engine missing: {exc} (pip install rapidocr_onnxruntime)")
    lines = engine.read_bytes(samples.render(clip(rotation=0)), engine=fresh).lines
    assert "安康日报" in [line.text for line in lines]


def test_switched_off_or_swapped(monkeypatch):
    engine.set_engine(None)
    monkeypatch.setenv("PROOF_OCR", "off")
    with pytest.raises(engine.EngineUnavailable):
        engine.get_engine()
    assert engine.engine_status()[0] is False
    fake = NoOcr()
    engine.set_engine(fake)
    try:
        assert engine.get_engine() is fake
    finally:
        engine.set_engine(None)


def test_not_an_image_or_pdf():
    with pytest.raises(engine.UnreadableFile):
        engine.read_bytes(b"GIF89a...", engine=NoOcr())
    with pytest.raises(engine.UnreadableFile):
        engine.read_bytes(b"\xff\xd8\xff\xe0 truncated jpeg", engine=NoOcr())

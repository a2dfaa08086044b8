"""Issue 11 item 10: PDFs are parsed (active content hidden in compressed object streams is found,
where a byte scan sees nothing) and images are re-encoded without metadata, their size checked from
the header before a single pixel is decoded."""

import io
import re
import resource
import struct
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from publicity.models import Evidence, PieceStatus
from publicity.services import evidence_attach
from publicity.uploads import validate_evidence
from tests.pdfs import build

JS = b"<< /S /JavaScript /JS (app.alert(1)) >>"

# name → (catalog additions, page additions, extra objects 4…), every one packed in an object stream
HIDDEN = {
    "javascript open action": (b"/OpenAction 4 0 R", b"", (JS,)),
    "javascript name tree": (b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>", b"", (JS,)),
    "open action launching": (b"/OpenAction << /S /Launch /F (cmd.exe) >>", b"", ()),
    "open action to a uri": (b"/OpenAction 4 0 R", b"", (b"<< /S /URI /URI (http://evil.example/) >>",)),
    "page additional action": (b"", b"/AA << /O 4 0 R >>", (b"<< /S /GoTo /D [3 0 R /Fit] >>",)),
    "catalog additional action": (b"/AA << /WC 4 0 R >>", b"", (JS,)),
    "link annotation to a uri beside a script": (
        b"/OpenAction 5 0 R",
        b"/Annots [4 0 R]",
        (b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /URI /URI (http://evil.example/) >> >>", JS),
    ),
    "remote go-to": (b"/OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >>", b"", ()),
    "embedded file": (
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
        b"",
        (b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>", b"<< /Type /EmbeddedFile >>"),
    ),
    "escaped name in a packed object": (b"/OpenAction << /S /J#61vaScript /J#53 (x) >>", b"", ()),
}


def _upload(data, name="clip.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.mark.parametrize("case", list(HIDDEN))
def test_active_content_in_a_compressed_object_stream_is_refused(case):
    catalog, page, extra = HIDDEN[case]
    data = build(catalog_extra=catalog, page_extra=page, extra=extra, packed=True)
    # The byte scan alone cannot see it: every telling name is inside the compressed stream.
    for name in (b"/JavaScript", b"/JS", b"/Launch", b"/URI", b"/GoToR", b"/AA", b"/OpenAction", b"/EmbeddedFile"):
        assert name not in data
    with pytest.raises(ValidationError) as exc:
        validate_evidence(_upload(data))
    assert "PDF 中含有脚本、链接或自动执行的内容" in exc.value.messages[0]


def test_the_refusal_names_what_was_found():
    data = build(catalog_extra=b"/OpenAction 4 0 R", extra=(JS,), packed=True)
    with pytest.raises(ValidationError, match="JavaScript.*OpenAction|OpenAction.*JavaScript"):
        validate_evidence(_upload(data))


@pytest.mark.parametrize("packed", [True, False])
def test_a_plain_pdf_passes_packed_or_not(packed):
    # An /OpenAction that only names the page to show is not an action.
    data = build(catalog_extra=b"/OpenAction [3 0 R /Fit] /PageMode /UseNone", packed=packed)
    info = validate_evidence(_upload(data))
    assert info.content_type == "application/pdf" and info.stored is None and info.size == len(data)


def test_a_pdf_written_by_pypdf_and_reportlab_passes():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "剪报"})
    out = io.BytesIO()
    writer.write(out)
    assert validate_evidence(_upload(out.getvalue())).content_type == "application/pdf"

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "Ankang Daily 2011-03-05")
    c.save()
    assert validate_evidence(_upload(out.getvalue())).content_type == "application/pdf"


def _links(data: bytes) -> list:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [
        a.get_object().get("/A", {}).get("/URI")
        for page in reader.pages
        for a in (page.get("/Annots") or [])
        if a.get_object().get("/Subtype") == "/Link"
    ]


@pytest.mark.parametrize("packed", [True, False])
def test_web_links_are_removed_not_refused(packed):
    """A web page saved with a browser's "Save as PDF" keeps its links as /URI link annotations: the proof
    is accepted and stored rewritten without them (a click in the reviewer's reader opens nothing)."""
    link = b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /URI /URI (http://evil.example/) >> >>"
    data = build(page_extra=b"/Annots [4 0 R]", extra=(link,), packed=packed)
    assert _links(data) == ["http://evil.example/"]
    info = validate_evidence(_upload(data))
    stored = info.stored.read()
    assert info.content_type == "application/pdf" and _links(stored) == [] and b"evil.example" not in stored
    assert info.size == len(stored) and info.sha256 == __import__("hashlib").sha256(stored).hexdigest()


def test_a_saved_web_page_keeps_its_text_without_its_links():
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "akxw.cn 2011-03-05 Ankang news")
    c.linkURL("http://akxw.cn/2011/0305/a.html", (72, 710, 300, 730))
    c.showPage()
    c.drawString(72, 720, "page two")
    c.save()
    info = validate_evidence(_upload(out.getvalue()))
    stored = info.stored.read()
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 2 and "Ankang news" in reader.pages[0].extract_text()
    assert _links(stored) == []


def test_a_pdf_that_does_not_parse_is_refused():
    data = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ngarbage\n%%EOF\n"
    with pytest.raises(ValidationError, match="PDF 文件已损坏"):
        validate_evidence(_upload(data))


# ---- images --------------------------------------------------------------------------------------


def _jpeg_with_metadata() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (34.0, 41.0, 0.0)}  # GPS latitude: where the liaison lives
    exif[0x0112] = 6  # Orientation: rotate 90° to stand upright
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (10, 200, 10)).save(out, "JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def test_images_are_re_encoded_without_metadata_and_appended_bytes():
    from PIL import Image

    data = _jpeg_with_metadata() + b"PK\x03\x04 appended archive"
    info = validate_evidence(SimpleUploadedFile("photo.jpg", data))
    stored = info.stored.read()
    assert b"secret comment" not in stored and b"PhoneMaker" not in stored and b"PK\x03\x04" not in stored
    with Image.open(io.BytesIO(stored)) as im:
        assert not im.getexif() and "comment" not in im.info and "exif" not in im.info
        assert im.size == (40, 60)  # the EXIF orientation was applied before it was dropped
    import hashlib

    assert info.sha256 == hashlib.sha256(stored).hexdigest() and info.size == len(stored)


def test_png_text_chunks_are_dropped_and_transparency_kept():
    from PIL import Image, PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", "张三 13800000000")
    im = Image.new("P", (8, 8), 1)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    out = io.BytesIO()
    im.save(out, "PNG", pnginfo=meta, transparency=0)
    stored = validate_evidence(SimpleUploadedFile("a.png", out.getvalue())).stored.read()
    assert b"13800000000" not in stored and b"tEXt" not in stored
    with Image.open(io.BytesIO(stored)) as again:
        assert again.info.get("transparency") == 0


def _png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares a huge RGBA image (the data is a stream of zeros, cut short)."""

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (20 * 1024 * 1024), 9)  # ~20 KB on disk
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_a_png_bomb_is_refused_from_its_header_cheaply():
    # 7,500 × 7,500 RGBA (56 megapixels, under Pillow's own bomb limit): decoding it would take
    # 225 MB; it is refused from the header alone.
    data = _png_declaring(7500, 7500)
    assert len(data) < 64 * 1024
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started = time.perf_counter()
    with pytest.raises(ValidationError, match=re.escape("图片尺寸过大(7500×7500")):
        validate_evidence(SimpleUploadedFile("bomb.png", data))
    assert time.perf_counter() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_rss < 64 * 1024  # < 64 MB more at peak


def test_the_pixel_bound_is_a_setting(settings):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (200, 100)).save(out, "PNG")
    settings.EVIDENCE_MAX_PIXELS = 19_999
    with pytest.raises(ValidationError, match="图片尺寸过大"):
        validate_evidence(SimpleUploadedFile("a.png", out.getvalue()))
    settings.EVIDENCE_MAX_PIXELS = 20_000
    assert validate_evidence(SimpleUploadedFile("a.png", out.getvalue())).content_type == "image/png"


def test_a_phone_photo_over_the_bound_is_stored_smaller_not_refused(settings):
    """A JPEG over the pixel bound (a phone's 50–108 MP mode) is decoded at 1/2, 1/4 or 1/8 scale by libjpeg
    (draft mode: the full image is never in memory) and stored that size; a PNG over it is still refused."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 30, 30)).save(out, "JPEG", quality=80)
    settings.EVIDENCE_MAX_PIXELS = 500_000  # 1.92 MP is "too big" here: 1/2 scale gives 0.48 MP
    info = validate_evidence(SimpleUploadedFile("big.jpg", out.getvalue()))
    with Image.open(info.stored) as im:
        assert im.size == (800, 600) and im.format == "JPEG"
    settings.EVIDENCE_MAX_PIXELS = 30_000  # needs 1/8: 200 × 150
    with Image.open(validate_evidence(SimpleUploadedFile("big.jpg", out.getvalue())).stored) as im:
        assert im.size == (200, 150)
    settings.EVIDENCE_MAX_PIXELS = 29_000  # even 1/8 is over: refused, naming the size
    with pytest.raises(ValidationError, match=re.escape("图片尺寸过大(1600×1200")):
        validate_evidence(SimpleUploadedFile("big.jpg", out.getvalue()))


@pytest.mark.django_db
def test_the_stored_evidence_file_is_the_clean_image(make_piece, units, users, settings):
    piece = make_piece(units["a"], "元数据", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    evidence = evidence_attach(
        actor=users["liaison_a"],
        publication=piece.publications.get(),
        upload=SimpleUploadedFile("photo.jpg", _jpeg_with_metadata()),
    )
    kept = evidence.file.open("rb").read()
    assert b"PhoneMaker" not in kept and b"secret comment" not in kept
    import hashlib

    assert Evidence.objects.get().sha256 == hashlib.sha256(kept).hexdigest()

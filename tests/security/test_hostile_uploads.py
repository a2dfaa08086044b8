"""A hostile upload corpus, generated here: every file is rejected or neutralised, none is served
inline as HTML. Evidence goes through publicity.services.evidence_attach (the one door of the
web form); Excel files through the import reader every import uses."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publicity.models import Evidence, PieceStatus
from publicity.services import evidence_attach
from publicity.upload_guard import display_name

pytestmark = pytest.mark.django_db

SAFE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


def image(fmt: str, size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (180, 20, 20)).save(out, fmt)
    return out.getvalue()


def pdf(body: bytes = b"") -> bytes:
    from tests.pdfs import build

    return build(catalog_extra=body, packed=False)


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

# name → (file name as uploaded, bytes, accepted?)
CORPUS = {
    "plain png": ("clip.png", image("PNG"), True),
    "plain jpeg named x.php.jpg": ("x.php.jpg", image("JPEG"), True),
    "webp": ("shot.webp", image("WEBP"), True),
    "clean pdf": ("clip.pdf", pdf(), True),
    "traversal name": ("../../../etc/passwd.png", image("PNG"), True),
    "NUL in name": ("evil\x00.html.png", image("PNG"), True),
    "bidi override name": ("clip\u202egnp.exe", image("PNG"), True),
    "png + html polyglot (appended)": ("poly.png", image("PNG") + HTML, False),
    "png + html polyglot (in a text chunk)": ("poly2.png", None, False),
    "jpeg + script appended": ("x.jpg", image("JPEG") + b"<script>alert(1)</script>", False),
    "svg with script": ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', False),
    "svg named .png": ("x.png", b'<?xml version="1.0"?><svg onload="alert(1)"/>', False),
    "html": ("index.html", HTML, False),
    "html named .jpg": ("photo.jpg", HTML, False),
    "php named .jpg": ("shell.jpg", b"<?php system($_GET['c']); ?>", False),
    "pdf with javascript": ("js.pdf", pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), False),
    "pdf with escaped javascript name": ("js2.pdf", pdf(b"/OpenAction << /S /J#61vaScript /J#53 (x) >>"), False),
    "pdf with launch action": ("launch.pdf", pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>"), False),
    "pdf with embedded file": ("emb.pdf", pdf(b"/Names << /EmbeddedFiles 3 0 R >>"), False),
    "truncated pdf": ("cut.pdf", pdf()[:40], False),
    "text named .pdf": ("report.pdf", "这不是PDF".encode(), False),
    "exe": ("setup.exe", b"MZ\x90\x00\x03" + b"\x00" * 200, False),
    "exe named .png": ("setup.png", b"MZ\x90\x00\x03" + b"\x00" * 200, False),
    "gif": ("anim.gif", image("GIF"), False),
    "empty file": ("empty.png", b"", False),
    "truncated png": ("cut.png", image("PNG")[:-30], False),
    "png signature only": ("sig.png", b"\x89PNG\r\n\x1a\n", False),
    "zip named .png": ("a.png", b"PK\x03\x04" + b"\x00" * 100, False),
    "oversize": ("big.png", None, False),
    "pixel bomb": ("bomb.png", None, False),
}


def png_with_text_chunk() -> bytes:
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", HTML.decode())
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def pixel_bomb() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 megapixels, a few KB on disk
    return out.getvalue()


@pytest.fixture
def piece(make_piece, units):
    return make_piece(units["a"], "佐证测试", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)


def _body(name, settings):
    filename, data, accepted = CORPUS[name]
    if name == "oversize":
        data = image("PNG") + b"\x00" * settings.EVIDENCE_MAX_BYTES
    elif name == "png + html polyglot (in a text chunk)":
        data = png_with_text_chunk()
    elif name == "pixel bomb":
        data = pixel_bomb()
    return filename, data, accepted


def test_corpus_has_at_least_twenty_hostile_files():
    assert sum(1 for *_, ok in CORPUS.values() if not ok) >= 20


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_file_is_rejected_or_neutralised(name, piece, users, client, settings):
    filename, data, accepted = _body(name, settings)
    publication = piece.publications.get()
    upload = SimpleUploadedFile(filename, data, content_type="image/png")
    if not accepted:
        with pytest.raises(ValidationError) as exc:
            evidence_attach(actor=users["liaison_a"], publication=publication, upload=upload)
        message = exc.value.messages[0]
        assert message.startswith("“安康日报”的佐证材料:"), message
        assert Evidence.objects.count() == 0
        media = settings.MEDIA_ROOT
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*")), "nothing half-written"
        return

    evidence = evidence_attach(actor=users["liaison_a"], publication=publication, upload=upload)
    # Stored under a generated name; the uploader's name is only a display label, cleaned.
    stored = evidence.file.name
    assert stored.startswith("evidence/2011/") and ".." not in stored and len(stored.rsplit("/", 1)[1]) == 32
    assert "\x00" not in evidence.original_name and "/" not in evidence.original_name
    assert "\u202e" not in evidence.original_name
    # Images are stored re-encoded (no metadata, nothing appended): the recorded SHA-256 and size are
    # the stored file's; a PDF is stored as uploaded.
    kept = evidence.file.open("rb").read()
    assert evidence.sha256 == hashlib.sha256(kept).hexdigest() and evidence.size == len(kept)
    if evidence.content_type == "application/pdf":
        assert kept == data
    assert evidence.content_type in SAFE_TYPES

    client.force_login(users["liaison_a"])
    response = client.get(reverse("publicity:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == evidence.content_type
    assert "html" not in response["Content-Type"] and "svg" not in response["Content-Type"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    )
    disposition = response["Content-Disposition"]
    if evidence.content_type == "application/pdf":
        assert disposition.startswith("attachment;")
    assert filename not in disposition and ".php" not in disposition and ".exe" not in disposition
    assert b"".join(response.streaming_content) == kept

    # Another unit's liaison cannot fetch it at all.
    client.force_login(users["liaison_b"])
    assert client.get(reverse("publicity:evidence", args=[evidence.pk])).status_code == 404


def test_approved_evidence_cannot_be_replaced(piece, users, settings):
    publication = piece.publications.get()
    evidence_attach(actor=users["liaison_a"], publication=publication, upload=SimpleUploadedFile("a.png", image("PNG")))
    piece.status = PieceStatus.APPROVED
    piece.save()
    with pytest.raises(ValidationError, match="不能再更换"):
        evidence_attach(
            actor=users["liaison_a"], publication=publication, upload=SimpleUploadedFile("b.png", image("PNG"))
        )
    assert Evidence.objects.get().original_name == "a.png"


def test_the_admin_cannot_add_or_swap_evidence_files(client, users, piece):
    evidence = evidence_attach(
        actor=users["liaison_a"], publication=piece.publications.get(), upload=SimpleUploadedFile("a.png", image("PNG"))
    )
    client.force_login(users["bureau_admin"])
    assert client.get(reverse("admin:publicity_evidence_add")).status_code == 403
    client.post(
        reverse("admin:publicity_evidence_change", args=[evidence.pk]),
        {"file": SimpleUploadedFile("x.html", HTML), "original_name": "x.html"},
    )
    evidence.refresh_from_db()
    assert evidence.original_name == "a.png" and evidence.file.open("rb").read() == image("PNG")


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\x.png", "x.png"),
        ("a\x00b.png", "ab.png"),
        ("clip\u202egnp.exe", "clipgnp.exe"),
        ("..", "upload"),
        ("", "upload"),
        ("剪报.png", "剪报.png"),
    ],
)
def test_display_name(raw, shown):
    assert display_name(raw) == shown


# ---- Excel imports -------------------------------------------------------------------------


def _valid_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["单位名称", "单位类型"])
    wb.active.append(["汉滨区人社局", "县区人社局"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _replace_member(xlsx: bytes, name: str, body: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, body if info.filename == name else src.read(info.filename))
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""


def _zip_bomb(settings) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _member(_valid_xlsx(), "[Content_Types].xml"))
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (30 * 1024 * 1024))
    return out.getvalue()


def _member(xlsx: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(xlsx)).read(name)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("zip bomb", "压缩炸弹"),
        ("billion laughs", "DTD"),
        ("xxe", "DTD"),
        ("utf-16 doctype", "DTD"),
        ("oversize", "超过导入上限"),
        ("not excel", "无法读取该文件"),
        ("truncated zip", "无法读取该文件"),
        ("html named .xlsx", "无法读取该文件"),
    ],
)
def test_hostile_workbooks_are_refused_before_parsing(case, expected, settings, tmp_path):
    from django.core.management import CommandError, call_command

    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    valid = _valid_xlsx()
    data = {
        "zip bomb": lambda: _zip_bomb(settings),
        "billion laughs": lambda: _replace_member(valid, "xl/worksheets/sheet1.xml", BILLION_LAUGHS),
        "xxe": lambda: _replace_member(valid, "xl/worksheets/sheet1.xml", XXE),
        "utf-16 doctype": lambda: _replace_member(
            valid,
            "xl/worksheets/sheet1.xml",
            BILLION_LAUGHS.decode().replace('"1.0"?', '"1.0" encoding="utf-16"?').encode("utf-16"),
        ),
        "oversize": lambda: valid + b"\x00" * settings.IMPORT_MAX_BYTES,
        "not excel": lambda: "单位名称,单位类型\n汉滨区人社局,县区人社局\n".encode(),
        "truncated zip": lambda: valid[: len(valid) // 2],
        "html named .xlsx": lambda: HTML,
    }[case]()
    assert len(data) < 3 * 1024 * 1024  # small on the wire; the danger is what it would inflate to
    path = tmp_path / "units.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match=expected):
        call_command("import_units", str(path))
    from units.models import Unit

    assert not Unit.objects.filter(name="汉滨区人社局").exists()


def test_a_normal_workbook_still_imports(tmp_path, kinds):
    from django.core.management import call_command

    from units.models import Unit

    path = tmp_path / "units.xlsx"
    path.write_bytes(_valid_xlsx())
    call_command("import_units", str(path), stdout=io.StringIO())
    assert Unit.objects.filter(name="汉滨区人社局").exists()


def test_replacing_evidence_deletes_the_old_file_only_after_commit(
    piece, users, settings, django_capture_on_commit_callbacks
):
    publication = piece.publications.get()
    first = evidence_attach(
        actor=users["liaison_a"], publication=publication, upload=SimpleUploadedFile("a.png", image("PNG"))
    )
    old_path = settings.MEDIA_ROOT / first.file.name
    # A hostile replacement is refused before anything is touched.
    with pytest.raises(ValidationError):
        evidence_attach(actor=users["liaison_a"], publication=publication, upload=SimpleUploadedFile("x.png", HTML))
    assert old_path.exists() and Evidence.objects.get().pk == first.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = evidence_attach(
            actor=users["liaison_a"], publication=publication, upload=SimpleUploadedFile("b.png", image("JPEG"))
        )
    assert old_path.exists()  # not yet: the transaction could still roll back
    for callback in callbacks:
        callback()
    assert not old_path.exists()
    assert (settings.MEDIA_ROOT / second.file.name).exists()


def test_openpyxl_parses_through_defusedxml():
    """Reports and the admin's django-import-export read workbooks with openpyxl: it must use defusedxml."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_guard_accepts_a_real_workbook_and_returns_its_bytes(settings):
    from sheets.xlsx_guard import check_workbook_upload

    data = _valid_xlsx()
    assert check_workbook_upload(io.BytesIO(data)) == data

"""Deeper checks of an evidence file after its magic bytes were recognised (publicity.uploads).

The magic bytes say what a file claims to be; these checks make sure it is only that:
- images: the header alone (``Image.open`` reads no pixels) must name the claimed format and at
  most ``settings.EVIDENCE_MAX_PIXELS`` pixels, so a small file declaring a huge image (a
  "decompression bomb") is refused before anything is decoded; the file must not carry markup or
  script anywhere (PNG/JPEG+HTML polyglots), a PNG must end at its IEND chunk, and the image must
  decode completely. What is stored is the image **re-encoded** by Pillow (EXIF orientation
  applied, then no EXIF/XMP/comments/text chunks/ICC, no bytes after the image data), so its
  SHA-256 is the stored file's;
- PDFs must be complete (an ``%%EOF`` marker), parse with pypdf, and carry no active content in
  any object, including objects packed in compressed object streams, which a byte scan cannot
  see: JavaScript, ``/AA`` (additional actions), an ``/OpenAction`` that is an action rather than
  a page to show, GoToR / GoToE / Launch / SubmitForm / ImportData / media actions,
  embedded files, XFA or rich media. Web links (``/URI``, as every browser's "Save as PDF" keeps them)
  are not refused: the PDF is stored rewritten without them. The raw bytes are scanned as well (name objects compared
  after decoding ``#xx`` escapes, so ``/J#61vaScript`` is found too).
Whatever passes is still stored under a generated name and served with its checked type,
``X-Content-Type-Options: nosniff`` and a sandboxing CSP (desk.evidence.evidence_file).
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings

from django.core.exceptions import ValidationError

PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MARKUP = re.compile(rb"<\s*(script|html|body|iframe|svg|object|embed|\?php|!doctype\s+html)\b", re.IGNORECASE)
PDF_ACTIVE = (
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/EmbeddedFiles",
    b"/RichMedia",
    b"/XFA",
    b"/SubmitForm",
    b"/ImportData",
    b"/GoToE",
)
PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Names that are active content wherever they appear in a parsed PDF, as a key or as a value
# (an action's /S): scripts, additional actions, leaving the document, embedded files, forms
# that send or fetch data, multimedia.
PDF_ACTIVE_NAMES = {
    "/JavaScript": "JavaScript",
    "/JS": "JavaScript",
    "/AA": "/AA(自动执行的动作)",
    "/URI": "/URI(打开网址)",
    "/GoToR": "/GoToR(打开其他文件)",
    "/GoToE": "/GoToE(打开内嵌文件)",
    "/Launch": "/Launch(启动程序)",
    "/EmbeddedFiles": "内嵌文件",
    "/EmbeddedFile": "内嵌文件",
    "/EF": "内嵌文件",
    "/SubmitForm": "/SubmitForm(提交表单)",
    "/ImportData": "/ImportData(导入数据)",
    "/XFA": "XFA 表单",
    "/RichMedia": "多媒体内容",
    "/RichMediaExecute": "多媒体内容",
    "/Rendition": "多媒体内容",
    "/Movie": "多媒体内容",
    "/Sound": "多媒体内容",
}
PDF_MAX_OBJECTS = 200_000  # a walk over more objects than any clipping has is refused, not attempted


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


class _Refused(Exception):
    pass


def _image_clean(data: bytes, content_type: str) -> bytes:
    """The image re-encoded without metadata, or _Refused with the reason."""
    from django.conf import settings
    from PIL import Image, ImageOps

    if MARKUP.search(data):
        raise _Refused("图片中夹带了网页或脚本代码")
    if content_type == "image/png":
        end = data.rfind(b"IEND")
        if end == -1 or data[end + 8 :].strip(b"\x00"):
            raise _Refused("PNG 图片结尾不完整或在图片数据之后附带了其他内容")
    fmt = PIL_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            # A JPEG is bounded by our own check below (and Pillow's error at twice its limit), since it can be
            # decoded at a reduced scale; anything else over Pillow's limit is refused from its warning.
            warnings.simplefilter("ignore" if fmt == "JPEG" else "error", Image.DecompressionBombWarning)
            # Image.open reads the header only: the size is known before a single pixel is decoded.
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                if im.format != fmt:
                    raise _Refused("图片格式与文件内容不符")
                limit = settings.EVIDENCE_MAX_PIXELS
                pixels = im.width * im.height
                if pixels > limit and fmt == "JPEG" and pixels <= limit * 64:
                    # A phone's 50–108 MP photo: libjpeg decodes it at 1/2, 1/4 or 1/8 scale directly
                    # (draft mode), so the full image is never in memory; what is stored is the smaller one.
                    scale = 2
                    while pixels / (scale * scale) > limit:
                        scale *= 2
                    im.draft("RGB", (im.width // scale, im.height // scale))
                    pixels = im.width * im.height
                if pixels > limit:
                    raise _Refused(
                        f"图片尺寸过大({im.width}×{im.height},超过{limit // 1_000_000}百万像素),请缩小后再上传"
                    )
                im.load()
                clean = ImageOps.exif_transpose(im)  # phone photos stand upright once EXIF is gone
                keep = {k: im.info[k] for k in ("transparency",) if k in im.info}
                clean.info = keep
                out = io.BytesIO()
                if fmt == "JPEG":
                    clean.save(out, "JPEG", quality=90, optimize=True)
                elif fmt == "PNG":
                    clean.save(out, "PNG", optimize=False, **keep)
                else:
                    clean.save(out, "WEBP", quality=90)
    except _Refused:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if isinstance(exc, Image.DecompressionBombError | Image.DecompressionBombWarning):
            raise _Refused("图片尺寸过大,请缩小后再上传") from exc
        raise _Refused("图片文件已损坏或不完整,无法正常显示") from exc
    return out.getvalue()


def _pdf_names(data: bytes) -> set[bytes]:
    names = set()
    for match in PDF_NAME.finditer(data):
        name = HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(0))
        names.add(name)
    return names


def _pdf_objects(reader):
    """Every object of the file: those reachable from the trailer and every object the
    cross-reference tables list (plain or packed in object streams), each once."""
    from pypdf.generic import IndirectObject

    yield reader.trailer
    for generation, table in reader.xref.items():
        for number in table:
            yield IndirectObject(number, generation, reader)
    for number in reader.xref_objStm:
        yield IndirectObject(number, 0, reader)


def _pdf_active(data: bytes) -> list[str]:
    """What active content the parsed PDF holds (empty: none); _Refused if it does not parse."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    count = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about benign defects; they are not our warnings
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise _Refused("PDF 已加密,无法检查其内容,请另存为未加密的 PDF")
            stack = list(_pdf_objects(reader))
            while stack:
                obj = stack.pop()
                if isinstance(obj, IndirectObject):
                    key = (obj.idnum, obj.generation)
                    if key in seen:
                        continue
                    seen.add(key)
                    obj = obj.get_object()
                count += 1
                if count > PDF_MAX_OBJECTS:
                    raise _Refused("PDF 结构过于复杂,无法检查")
                if isinstance(obj, DictionaryObject):
                    for name, value in obj.items():
                        if name in PDF_ACTIVE_NAMES:
                            found.add(PDF_ACTIVE_NAMES[name])
                        if name == "/OpenAction":
                            target = value.get_object() if isinstance(value, IndirectObject) else value
                            if isinstance(target, DictionaryObject):  # an action; an array only names a page
                                found.add("/OpenAction(打开时自动执行的动作)")
                        stack.append(value)
                elif isinstance(obj, ArrayObject):
                    stack.extend(obj)
                elif isinstance(obj, NameObject) and obj in PDF_ACTIVE_NAMES:
                    found.add(PDF_ACTIVE_NAMES[obj])
    except _Refused:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError, OSError) as exc:
        raise _Refused("PDF 文件已损坏,无法读取") from exc
    return sorted(found)


LINKS_ONLY = ["/URI(打开网址)"]


def _pdf_without_links(data: bytes) -> bytes:
    """The PDF rewritten without its web links: a page saved with a browser's "Save as PDF" keeps every
    link of the page as a /URI link annotation. A link opens nothing by itself, but a click in a reviewer's
    PDF reader would; the link annotations (and any /URI action or base) are dropped, the pages kept."""
    from pypdf import PdfReader, PdfWriter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer = PdfWriter()
        writer.append(PdfReader(io.BytesIO(data), strict=False))  # the pages and what they use, no orphans
        writer.remove_links()
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def _pdf_check(data: bytes) -> bytes | None:
    """Refuse a PDF with active content; a PDF whose only such content is web links is returned rewritten
    without them (the bytes to store), a clean one as None (stored as uploaded)."""
    if b"%%EOF" not in data[-2048:]:
        raise _Refused("PDF 文件不完整(缺少结束标记)")
    found = sorted(n.decode("latin-1") for n in _pdf_names(data) & set(PDF_ACTIVE))
    if found:
        raise _Refused(f"PDF 中含有脚本或自动执行的内容({'、'.join(found)})")
    found = _pdf_active(data)
    if found == LINKS_ONLY:
        try:
            cleaned = _pdf_without_links(data)
        except Exception as exc:  # pypdf could read but not rewrite it: refuse as before, saying why
            raise _Refused(f"PDF 中含有链接且无法去除({type(exc).__name__})") from exc
        if not _pdf_active(cleaned):
            return cleaned
    if found:
        raise _Refused(f"PDF 中含有脚本、链接或自动执行的内容({'、'.join(found)})")
    return None


def inspect_content(upload, content_type: str, *, label: str = "佐证材料") -> bytes | None:
    """Refuse (ValidationError) what is not only the file it claims to be; return the bytes to
    store instead of the upload (an image re-encoded without metadata), None for a PDF."""
    data = _read(upload)
    try:
        if content_type == "application/pdf":
            return _pdf_check(data)
        return _image_clean(data, content_type)
    except _Refused as exc:
        raise ValidationError(f"{label}:{exc},不予上传。请重新截图、拍照或另存为普通 PDF 后再上传。") from None


def display_name(name: str | None, limit: int = 255) -> str:
    """An uploader's file name fit for display only (it never reaches the filesystem): no path,
    no control characters (NUL would break PostgreSQL), no bidi overrides, bounded length."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".") or "upload"
    return name[:limit]

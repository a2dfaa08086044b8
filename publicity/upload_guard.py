"""Deeper checks of an evidence file after its magic bytes were recognised (publicity.uploads).

The magic bytes say what a file claims to be; these checks make sure it is only that:
- images must decode completely with Pillow as the claimed format (a truncated or forged image,
  an image "bomb" of absurd pixel size), must not carry markup or script anywhere (PNG/JPEG+HTML
  polyglots that a browser could be tricked into rendering), and a PNG must end at its IEND chunk;
- PDFs must be complete (an ``%%EOF`` marker) and carry no active content: JavaScript, launch
  actions, embedded files, forms that submit or import data, XFA or rich media. Name objects
  are compared after decoding ``#xx`` escapes, so ``/J#61vaScript`` is found too.
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
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is already far beyond any clipping or screenshot
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


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _image_problem(data: bytes, content_type: str) -> str | None:
    from PIL import Image

    if MARKUP.search(data):
        return "图片中夹带了网页或脚本代码"
    if content_type == "image/png":
        end = data.rfind(b"IEND")
        if end == -1 or data[end + 8 :].strip(b"\x00"):
            return "PNG 图片结尾不完整或在图片数据之后附带了其他内容"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.format != PIL_FORMATS[content_type]:
                    return "图片格式与文件内容不符"
                if im.width * im.height > MAX_PIXELS:
                    return f"图片尺寸过大({im.width}×{im.height})"
                im.verify()
            with Image.open(io.BytesIO(data)) as im:
                im.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "图片文件已损坏或不完整,无法正常显示"
    return None


def _pdf_names(data: bytes) -> set[bytes]:
    names = set()
    for match in PDF_NAME.finditer(data):
        name = HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(0))
        names.add(name)
    return names


def _pdf_problem(data: bytes) -> str | None:
    if b"%%EOF" not in data[-2048:]:
        return "PDF 文件不完整(缺少结束标记)"
    found = sorted(n.decode("latin-1") for n in _pdf_names(data) & set(PDF_ACTIVE))
    if found:
        return f"PDF 中含有脚本或自动执行的内容({'、'.join(found)})"
    return None


def inspect_content(upload, content_type: str, *, label: str = "佐证材料") -> None:
    data = _read(upload)
    problem = _pdf_problem(data) if content_type == "application/pdf" else _image_problem(data, content_type)
    if problem:
        raise ValidationError(f"{label}:{problem},不予上传。请重新截图、拍照或另存为普通 PDF 后再上传。")


def display_name(name: str | None, limit: int = 255) -> str:
    """An uploader's file name fit for display only (it never reaches the filesystem): no path,
    no control characters (NUL would break PostgreSQL), no bidi overrides, bounded length."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".") or "upload"
    return name[:limit]

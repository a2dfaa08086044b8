"""Checks an uploaded Excel workbook before any parser sees it (zip bomb, XML bomb, XXE).

An .xlsx is a zip of XML parts. Before it is parsed:
- its size is capped (settings.IMPORT_MAX_BYTES);
- the zip directory is read (it is small) and the members' declared sizes are checked:
  total uncompressed size, member count, compression ratio per member and for the whole file;
- every XML part is inflated in bounded chunks (a member that inflates beyond its declared
  size stops the read) and must not contain a DTD (``<!DOCTYPE`` / ``<!ENTITY``): OOXML never
  uses one, and a DTD is what billion-laughs and external-entity (XXE) attacks need;
- the package's [Content_Types].xml and workbook part are parsed with defusedxml
  (forbid_dtd, forbid_entities, forbid_external) as a second line.

A legacy .xls (OLE2 binary) has no XML; only its size and signature are checked.

``check_workbook_upload(fileobj)`` raises ``UnsafeWorkbook`` (a ``ValidationError`` with a
Chinese message) and returns the bytes it read, so a caller need not read the upload twice.
"""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_MEMBERS = 2000
MAX_RATIO = 500  # a real sheet compresses ~5–50×; deflate bombs approach 1000×
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
CHUNK = 64 * 1024


class UnsafeWorkbook(ValidationError):
    pass


def max_uncompressed() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 20 * settings.IMPORT_MAX_BYTES)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}MB"


def _read_all(fileobj) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    data = fileobj.read(limit + 1)
    if len(data) > limit:
        raise UnsafeWorkbook(f"文件超过导入上限{_mb(limit)},不予读取。", code="too_big")
    return data


def _has_dtd(chunk: bytes) -> bool:
    for marker in DTD_MARKERS:
        if marker in chunk:
            return True
        if marker.decode().encode("utf-16-le") in chunk or marker.decode().encode("utf-16-be") in chunk:
            return True
    return False


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Inflate one member in chunks, never beyond its declared size; refuse DTDs in XML parts."""
    is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    seen = 0
    tail = b""
    parts = []
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            seen += len(chunk)
            if seen > info.file_size or seen > max_uncompressed():
                raise UnsafeWorkbook("文件结构异常(解压后的内容超过声明大小),不予读取。", code="zip_bomb")
            if is_xml and _has_dtd(tail + chunk):
                raise UnsafeWorkbook(
                    f"文件中的“{info.filename}”含有 DTD/实体声明,Excel 正常文件不会有,可能是恶意构造的文件,不予读取。",
                    code="xml_dtd",
                )
            tail = chunk[-32:]
            if info.filename in ("[Content_Types].xml", "xl/workbook.xml", "META-INF/manifest.xml"):
                parts.append(chunk)
    return b"".join(parts)


def check_workbook_upload(fileobj) -> bytes:
    data = _read_all(fileobj)
    if not data:
        raise UnsafeWorkbook("文件是空的。", code="empty")
    if data.startswith(OLE2_MAGIC):
        return data  # legacy .xls: binary records, no XML to bomb; size already capped
    if not data.startswith(ZIP_MAGIC):
        raise UnsafeWorkbook("无法读取该文件,请确认它是 Excel 表格(.xlsx 或 .xls)。", code="not_excel")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnsafeWorkbook(
            "无法读取该文件:文件已损坏,请确认它是 Excel 表格(.xlsx 或 .xls)。", code="bad_zip"
        ) from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnsafeWorkbook(f"文件包含{len(infos)}个部件,超出正常范围,不予读取。", code="zip_members")
        names = {i.filename for i in infos}
        is_ods = "mimetype" in names and zf.read("mimetype")[:100].startswith(b"application/vnd.oasis.opendocument")
        if "[Content_Types].xml" not in names and not is_ods:
            raise UnsafeWorkbook("无法读取该文件,请确认它是 Excel 表格(.xlsx 或 .xls)。", code="not_ooxml")
        total = sum(i.file_size for i in infos)
        if total > max_uncompressed():
            raise UnsafeWorkbook(
                f"文件解压后有{_mb(total)},超过允许的{_mb(max_uncompressed())},可能是“压缩炸弹”,不予读取。",
                code="zip_bomb",
            )
        for info in infos:
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1024 * 1024:
                raise UnsafeWorkbook(
                    f"文件中的“{info.filename}”压缩比异常({info.file_size // info.compress_size}:1),"
                    "可能是“压缩炸弹”,不予读取。",
                    code="zip_bomb",
                )
            if info.flag_bits & 0x1:
                raise UnsafeWorkbook("文件已加密,请先在 Excel 中取消密码保护再导入。", code="encrypted")
        parsed = {}
        for info in infos:
            body = _scan_member(zf, info)
            if body:
                parsed[info.filename] = body
    _parse_defused(parsed)
    return data


def _parse_defused(parts: dict[str, bytes]) -> None:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    for name, body in parts.items():
        try:
            SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (DefusedXmlException, ParseError) as exc:
            raise UnsafeWorkbook(f"文件中的“{name}”不是有效的 XML,无法作为 Excel 表格读取。", code="bad_xml") from exc

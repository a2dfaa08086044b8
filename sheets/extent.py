"""How far each sheet of a workbook reaches, found without building the sheet.

python-calamine builds a sheet as one dense block from A1 to its farthest cell: a 5 KB .xlsx whose
only far cell is XFD1048576 makes it ask for ~512 GB and the Rust allocator aborts the whole process
(a web worker dies mid-request; no Python exception can catch it). A stray cell at IV65536 of an
.xls costs it ~1.2 GB. So before the reader sees a file we find each sheet's farthest cell ourselves
and refuse sheets beyond ``IMPORT_MAX_ROWS`` / ``IMPORT_MAX_COLUMNS`` / ``IMPORT_MAX_CELLS``:

- .xlsx: the ``<row r=…>`` / ``<c r=…>`` references in each worksheet part, streamed in chunks
  (cells written without a reference are counted in order, as the reader places them). The
  ``<dimension>`` element is not trusted: the reader ignores it, and so do we.
- .ods: ``number-rows-repeated`` / ``number-columns-repeated`` summed over ``content.xml``'s rows.
- .xls: the cell records (row, column) of each worksheet in the BIFF8 "Workbook" stream, read
  out of the OLE2 compound file here (a small reader: header, FAT, mini FAT, directory).

Pure Python, no Django models: ``sheets`` is a floor below the models.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError


class SheetTooLarge(ValidationError):
    pass


@dataclass
class Extent:
    sheet: str
    rows: int  # the farthest row number (1-based), 0 for an empty sheet
    columns: int  # the farthest column number (1-based)

    @property
    def cell(self) -> str:
        return f"{column_letter(self.columns)}{self.rows}"


def limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "IMPORT_MAX_ROWS", 200_000),
        getattr(settings, "IMPORT_MAX_COLUMNS", 200),
        getattr(settings, "IMPORT_MAX_CELLS", 5_000_000),
    )


def column_letter(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out or "A"


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def check_extent(extent: Extent) -> None:
    """Refuse a sheet whose used range is beyond the import limits, naming the sheet and its far cell."""
    max_rows, max_cols, max_cells = limits()
    if extent.rows <= max_rows and extent.columns <= max_cols and extent.rows * extent.columns <= max_cells:
        return
    raise SheetTooLarge(
        f"工作表「{extent.sheet}」的使用范围到第{extent.rows}行、第{extent.columns}列({extent.cell}),"
        f"超过导入上限({max_rows}行、{max_cols}列、共{max_cells}格),不予读取。"
        "这通常是远处有一个误输入或带格式的单元格:请在表格软件中删除数据下方多余的行和右侧多余的列"
        "(或把数据复制到新工作簿)后再导入。",
        code="sheet_too_large",
    )


# ---------------------------------------------------------------- xlsx

_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)(\d*)["']""")
CHUNK = 256 * 1024


def _worksheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Zip member name -> sheet name, through workbook.xml and its relationships."""
    import defusedxml.ElementTree as SafeET

    names: dict[str, str] = {}
    try:
        book = SafeET.fromstring(zf.read("xl/workbook.xml"), forbid_dtd=True)
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"), forbid_dtd=True)
    except Exception:  # a missing or odd part: fall back to member names
        return names
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    for el in book.iter():
        if el.tag.endswith("}sheet") or el.tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            if rid in targets:
                names[targets[rid]] = el.get("name", "")
    return names


def xlsx_extents(zf: zipfile.ZipFile) -> list[Extent]:
    names = _worksheet_names(zf)
    extents = []
    for info in zf.infolist():
        name = info.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        extents.append(_scan_worksheet(zf, info, names.get(name) or name.rsplit("/", 1)[-1]))
    return extents


_CELL_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*["']([A-Za-z]{1,4})(\d{1,8})["']""")
_ROW_REF = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br\s*=\s*["'](\d{1,8})["']""")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _scan_worksheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> Extent:
    """The farthest row and column referenced by the sheet's cells, found with C-speed regex scans; a sheet
    that writes cells without references (allowed, rare) is walked tag by tag instead."""
    max_row = max_col = 0
    letters: set[bytes] = set()
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buf = tail + chunk
            cut = len(buf) if not chunk else buf.rfind(b"<")
            if cut < 0 or len(buf) - cut > 4096:
                cut = len(buf)
            part = buf[:cut]
            refs = _CELL_REF.findall(part)
            if len(refs) != len(_CELL_TAG.findall(part)):
                return _walk_worksheet(zf, info, sheet)
            if refs:
                letters.update(r[0] for r in refs)
                max_row = max(max_row, max(int(r[1]) for r in refs))
            rows = _ROW_REF.findall(part)
            if rows:
                max_row = max(max_row, int(rows[-1]), max(int(r) for r in rows))
            tail = buf[cut:]
            if not chunk:
                break
    if letters:
        max_col = max(column_number(x) for x in letters)
    return Extent(sheet, max_row, max_col)


def _walk_worksheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> Extent:
    max_row = max_col = 0
    row = 0  # the current row, as the reader numbers it
    col = 0
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buf = tail + chunk
            if not chunk:
                cut = len(buf)
            else:
                # Keep an unfinished tag for the next round (a tag is short; bound the carry anyway).
                cut = buf.rfind(b"<")
                if cut < 0 or len(buf) - cut > 4096:
                    cut = len(buf)
            for m in _TAG.finditer(buf, 0, cut):
                ref = _REF.search(m[2])
                if m[1] == b"row":
                    row = int(ref[2]) if ref and ref[2] else row + 1
                    col = 0
                    max_row = max(max_row, row)
                    continue
                if ref and ref[1]:
                    col = column_number(ref[1])
                    if ref[2]:
                        row = int(ref[2])
                        max_row = max(max_row, row)
                else:
                    col += 1
                max_col = max(max_col, col)
                if max_row == 0:
                    max_row = row = 1
            tail = buf[cut:]
            if not chunk:
                break
    return Extent(sheet, max_row, max_col)


# ---------------------------------------------------------------- ods (OpenDocument, LibreOffice/WPS)

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def is_ods(zf: zipfile.ZipFile) -> bool:
    try:
        return zf.read("mimetype").strip().startswith(ODS_MIMETYPE)
    except KeyError:
        return False


def ods_extents(zf: zipfile.ZipFile) -> list[Extent]:
    """The farthest row and column holding a value in each table of an .ods ``content.xml``. Empty rows and
    cells come compressed as ``number-rows-repeated`` / ``number-columns-repeated`` (a stray cell at row
    1,048,576 is a few bytes), so positions are summed, not counted, and only cells with a value or text
    reach the extent, as in the reader's used range. Streamed with defusedxml's iterparse (no entities)."""
    from defusedxml.ElementTree import iterparse

    extents: list[Extent] = []
    sheet, row, max_row, max_col = "", 0, 0, 0
    with zf.open("content.xml") as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == _ODS_TABLE + "table":
                    sheet, row, max_row, max_col = el.get(_ODS_TABLE + "name", ""), 0, 0, 0
                continue
            if tag == _ODS_TABLE + "table-row":
                repeat = _repeat(el.get(_ODS_TABLE + "number-rows-repeated"))
                col = 0
                last = 0
                for cell in el:
                    span = _repeat(cell.get(_ODS_TABLE + "number-columns-repeated"))
                    if cell.get(_ODS_OFFICE + "value-type") is not None or len(cell):
                        last = col + span
                    col += span
                if last:
                    max_row = row + repeat
                    max_col = max(max_col, last)
                row += repeat
                el.clear()
            elif tag == _ODS_TABLE + "table":
                extents.append(Extent(sheet, max_row, max_col))
                el.clear()
    return extents


def _repeat(value: str | None) -> int:
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


# ---------------------------------------------------------------- xls (OLE2 + BIFF8)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREESECT, ENDOFCHAIN = 0xFFFFFFFF, 0xFFFFFFFE


class _BadOle(Exception):
    pass


def _ole_stream(data: bytes, wanted: tuple[str, ...]) -> bytes:
    if len(data) < 512 or not data.startswith(OLE2_MAGIC):
        raise _BadOle
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    if sector_size not in (512, 4096):
        raise _BadOle

    def sector(n: int) -> bytes:
        start = (n + 1) * sector_size
        if n >= 0xFFFFFFFA or start + sector_size > len(data) + sector_size:
            raise _BadOle
        return data[start : start + sector_size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat, guard = first_difat, 0
    while next_difat not in (FREESECT, ENDOFCHAIN) and guard < n_difat + 1:
        s = sector(next_difat)
        values = struct.unpack(f"<{sector_size // 4}I", s)
        difat.extend(values[:-1])
        next_difat, guard = values[-1], guard + 1
    fat: list[int] = []
    for n in difat[:n_fat]:
        if n in (FREESECT, ENDOFCHAIN):
            continue
        fat.extend(struct.unpack(f"<{sector_size // 4}I", sector(n)))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out, n = [], start
        while n not in (FREESECT, ENDOFCHAIN) and n < len(table):
            out.append(n)
            if len(out) > limit:
                raise _BadOle  # a loop in the chain
            n = table[n]
        return out

    max_sectors = len(data) // sector_size + 1
    directory = b"".join(sector(n) for n in chain(first_dir, fat, max_sectors))
    entries = []
    for off in range(0, len(directory) - 127, 128):
        name_len = struct.unpack_from("<H", directory, off + 64)[0]
        name = directory[off : off + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        kind = directory[off + 66]
        start, size = struct.unpack_from("<II", directory, off + 116)
        entries.append((name, kind, start, size))
    if not entries:
        raise _BadOle
    root = entries[0]
    target = next((e for e in entries if e[1] == 2 and e[0] in wanted), None)
    if target is None:
        raise _BadOle
    _, _, start, size = target
    if size >= cutoff:
        return b"".join(sector(n) for n in chain(start, fat, max_sectors))[:size]
    minifat: list[int] = []
    for n in chain(first_minifat, fat, max_sectors)[: max(n_minifat, 0) or None]:
        minifat.extend(struct.unpack(f"<{sector_size // 4}I", sector(n)))
    ministream = b"".join(sector(n) for n in chain(root[2], fat, max_sectors))
    parts = []
    for n in chain(start, minifat, len(ministream) // mini_size + 1):
        parts.append(ministream[n * mini_size : (n + 1) * mini_size])
    return b"".join(parts)[:size]


# BIFF8 cell records whose data starts with (row, column).
_CELL_RECORDS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
_MULTI_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085


def xls_extents(data: bytes) -> list[Extent]:
    try:
        stream = _ole_stream(data, ("Workbook", "Book"))
    except (_BadOle, struct.error, IndexError):
        return []  # not a readable compound file: the reader refuses it in Chinese
    names: list[str] = []
    extents: list[Extent] = []
    pos, depth, current = 0, 0, None
    end = len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if rtype == _BOF:
            depth += 1
            kind = struct.unpack_from("<H", stream, body + 2)[0] if length >= 4 else 0
            if depth == 1 and kind in (0x0010, 0x0020) and names is not None:
                index = len(extents)
                current = Extent(names[index] if index < len(names) else f"Sheet{index + 1}", 0, 0)
                extents.append(current)
            elif depth == 1 and kind != 0x0005:
                # chart/macro sheets still take a place in the BOUNDSHEET order
                extents.append(Extent("", 0, 0))
                current = None
            continue
        if rtype == _EOF:
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
            continue
        if rtype == _BOUNDSHEET and current is None and length >= 8:
            n = stream[body + 6]
            flags = stream[body + 7]
            raw = stream[body + 8 : body + 8 + (n * 2 if flags & 1 else n)]
            names.append(raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"))
            continue
        if current is None or depth != 1 or length < 4:
            continue
        if rtype in _CELL_RECORDS:
            row, col = struct.unpack_from("<HH", stream, body)
        elif rtype in _MULTI_RECORDS and length >= 6:
            row = struct.unpack_from("<H", stream, body)[0]
            col = struct.unpack_from("<H", stream, body + length - 2)[0]
        else:
            continue
        current.rows = max(current.rows, row + 1)
        current.columns = max(current.columns, col + 1)
    return [e for e in extents if e.sheet]


def check_workbook_extent(data: bytes) -> None:
    """Raise ``SheetTooLarge`` if any sheet of this .xlsx/.xls reaches beyond the import limits."""
    import io

    if data.startswith(OLE2_MAGIC):
        extents = xls_extents(data)
    elif data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                extents = ods_extents(zf) if is_ods(zf) else xlsx_extents(zf)
        except zipfile.BadZipFile:
            return
    else:
        return
    for extent in extents:
        check_extent(extent)

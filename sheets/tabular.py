"""Reading the Excel tables bureaus keep, and reporting what an import did or found wrong.

Shared by every import (units, quotas, pieces), whichever door it comes in by: a management
command or the admin's dry-run → confirm page. The rules of each import live next to its
models (``publicity/unit_imports.py``, ``publicity/imports.py``); this module only knows tables:

- ``read_workbook`` reads .xlsx/.xls with python-calamine (fast, and it keeps blank rows so row
  numbers stay the ones a person sees in Excel: the header is usually row 1);
- ``Sheet.find_header`` finds the header row among the first rows (a government table often has
  a title row and a date row above it);
- ``RowError`` renders an error as ``第5行「媒体」列:“安康晚报”不是已登记的媒体名称或别名``;
- ``ImportReport`` is what an import returns: planned/made changes and errors.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_SEARCH_ROWS = 10


class ImportAborted(Exception):
    """The file as a whole cannot be imported (too big, unreadable, no header row)."""


@dataclass
class RowError:
    message: str
    row: int | None = None
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = ""
        if self.row is not None:
            where = f"第{self.row}行"
        if self.column:
            where += f"「{self.column}」列"
        shown = display(self.value)
        text = f"“{shown}”{self.message}" if shown != "" else self.message
        return f"{where}:{text}" if where else text


@dataclass
class Change:
    """One thing an import creates, updates, deletes or leaves alone (skip)."""

    action: str  # new | update | delete | skip
    row: int | None
    label: str
    detail: str = ""
    instance: Any = None


ACTION_LABELS = {"new": "新增", "update": "更新", "delete": "删除", "skip": "无变化"}


@dataclass
class ImportReport:
    what: str  # 单位 / 单位任务 / 稿件
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> Counter:
        return Counter(c.action for c in self.changes)

    def error(self, message: str, *, row: int | None = None, column: str | None = None, value: Any = None) -> None:
        self.errors.append(RowError(message, row, column, value))

    def summary(self) -> str:
        counts = self.counts
        parts = [f"{ACTION_LABELS[a]}{counts[a]}条" for a in ("new", "update", "delete", "skip") if counts[a]]
        body = "、".join(parts) if parts else "没有任何变化"
        if self.errors:
            return f"{self.what}导入失败:发现{len(self.errors)}处错误,未写入任何数据。"
        if self.dry_run:
            return f"{self.what}导入试运行(未写入):将{body}。"
        return f"{self.what}导入完成:{body}。"


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# ---------------------------------------------------------------- reading


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[i] is Excel row i + 1

    def find_header(self, required: Sequence[str]) -> int | None:
        """Index of the first row (among the first few) that holds every required column."""
        for i, row in enumerate(self.rows[:HEADER_SEARCH_ROWS]):
            names = {header_name(v) for v in row}
            if all(r in names for r in required):
                return i
        return None


@dataclass
class Table:
    """The rows under a header row. ``records`` yields (Excel row number, {column: value})."""

    sheet: Sheet
    header_index: int
    headers: list[str]

    @property
    def header_row(self) -> int:
        return self.header_index + 1

    def records(self) -> Iterable[tuple[int, dict[str, Any]]]:
        for i in range(self.header_index + 1, len(self.sheet.rows)):
            row = self.sheet.rows[i]
            if all(is_blank(v) for v in row):
                continue
            values = {h: (row[j] if j < len(row) else None) for j, h in enumerate(self.headers) if h}
            yield i + 1, values


def header_name(value: Any) -> str:
    # "单位名称 " and "单位\n名称" are the same header; so is a header typed with a full-width space.
    return re.sub(r"\s+", "", display(value))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportAborted(f"文件大小{size / 1024 / 1024:.1f}MB,超过导入上限{limit / 1024 / 1024:.0f}MB。")


#: An .xlsx is a zip; a small upload that inflates to more than this many times its size is refused.
MAX_INFLATION = 20


def check_inflated_size(data: bytes) -> None:
    """Refuse a zip bomb before any XML is parsed (the reader would inflate it all in memory)."""
    import zipfile

    if not data.startswith(b"PK"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        return  # the reader reports an unreadable file in Chinese
    limit = max(settings.IMPORT_MAX_BYTES, len(data)) * MAX_INFLATION
    if inflated > limit:
        raise ImportAborted(f"文件解压后有{inflated / 1024 / 1024:.0f}MB,超出允许范围,不予读取。")


def read_workbook(data: bytes) -> list[Sheet]:
    """All sheets of an .xlsx/.xls/.ods file, blank rows kept so row numbers match Excel's."""
    check_size(len(data))
    check_inflated_size(data)
    # Zip bomb / XML bomb / XXE guard before any parser sees the file (security; sheets/xlsx_guard.py).
    from .extent import SheetTooLarge, check_workbook_extent
    from .xlsx_guard import UnsafeWorkbook, check_workbook_upload

    try:
        check_workbook_upload(io.BytesIO(data))
        # The reader builds each sheet densely up to its farthest cell: a stray cell at XFD1048576
        # would make it allocate ~512 GB and abort the process. Measure first (sheets/extent.py).
        check_workbook_extent(data)
    except (UnsafeWorkbook, SheetTooLarge) as exc:
        raise ImportAborted(exc.messages[0]) from exc
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append(Sheet(name, [list(r) for r in rows]))
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportAborted("无法读取该文件,请确认它是 Excel 表格(.xlsx 或 .xls)。") from exc
    return sheets


def read_path(path: str) -> list[Sheet]:
    import os

    try:
        check_size(os.path.getsize(path))
        with open(path, "rb") as fh:
            return read_workbook(fh.read())
    except FileNotFoundError as exc:
        raise ImportAborted(f"找不到文件:{path}") from exc


def sheets_from_rows(headers: Sequence[Any], rows: Iterable[Sequence[Any]], name: str = "Sheet1") -> list[Sheet]:
    return [Sheet(name, [list(headers), *[list(r) for r in rows]])]


def find_table(sheets: Sequence[Sheet], required: Sequence[str], what: str, prefer: str = "") -> Table:
    """The first sheet (``prefer`` named one first) whose header row has every required column."""
    ordered = sorted(sheets, key=lambda s: s.name != prefer) if prefer else list(sheets)
    for sheet in ordered:
        index = sheet.find_header(required)
        if index is not None:
            return Table(sheet, index, [header_name(v) for v in sheet.rows[index]])
    cols = "、".join(f"「{c}」" for c in required)
    raise ImportAborted(f"没有找到{what}表的表头:表头行(前{HEADER_SEARCH_ROWS}行之内)须含有{cols}列。")


# ---------------------------------------------------------------- cells


def text(value: Any) -> str:
    """A cell as text. An apostrophe that a writer put before =,+,-,@ to keep a cell inert is dropped."""
    s = display(value)
    if s.startswith("'") and s[1:].startswith(FORMULA_TRIGGERS):
        s = s[1:]
    return s


class CellError(ValueError):
    """A cell that cannot be read as the column requires; the message is Chinese."""


def whole_number(value: Any) -> int | None:
    """A whole number ≥ 0; ``None`` for a blank cell."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("不是整数")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation as exc:
            raise CellError("不是整数") from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError("不是整数")
    if number < 0:
        raise CellError("不能小于0")
    return int(number)


DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]


def date_cell(value: Any) -> dt.date | None:
    """Excel date cells and 2011-03-05, 2011/3/5, 2011.3.5, 2011年3月5日; ``None`` for a blank cell."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = text(value).replace(" ", "")
    # "2011-03-05 00:00:00" is how a datetime cell reads once a sheet has been saved as text.
    s = re.sub(r"(?:T|\s)?00:00(:00)?$", "", s)
    for pattern in DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                raise CellError("不是有效日期") from exc
    raise CellError("不是有效日期(可用Excel日期,或写作2011-03-05、2011/3/5、2011.3.5、2011年3月5日)")


def name_key(value: Any) -> str:
    """How names are matched: spaces and 《》 ignored, Latin letters case-insensitive."""
    return "".join(text(value).split()).strip("《》").lower()


class NameIndex:
    """Objects found by name or alias. An alias shared by two objects matches neither."""

    def __init__(self, objects: Iterable[Any], aliases=lambda o: o.alias_list):
        self._map: dict[str, Any] = {}
        ambiguous: set[str] = set()
        objects = list(objects)
        for obj in objects:
            self._map[name_key(obj.name)] = obj
        for obj in objects:
            for alias in aliases(obj):
                key = name_key(alias)
                if not key or key in self._map and self._map[key] is obj:
                    continue
                if key in self._map:
                    ambiguous.add(key)
                else:
                    self._map[key] = obj
        names = {name_key(o.name) for o in objects}
        for key in ambiguous - names:
            self._map.pop(key, None)

    def get(self, value: Any):
        return self._map.get(name_key(value))


# ---------------------------------------------------------------- commands


def report_lines(report: ImportReport, *, verbose: bool = False) -> list[str]:
    """What a command prints: every error (with row and column), or the changes, then the summary."""
    lines = [str(e) for e in report.errors]
    lines += report.notes
    if not report.errors and verbose:
        for c in report.changes:
            if c.action != "skip":
                where = f"第{c.row}行 " if c.row else ""
                lines.append(f"{where}{ACTION_LABELS[c.action]}:{c.label}" + (f"({c.detail})" if c.detail else ""))
    lines.append(report.summary())
    return lines

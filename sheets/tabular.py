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

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from .cells import (  # noqa: F401 - re-exported: the imports read cells through this module
    FORMULA_TRIGGERS,
    CellError,
    date_cell,
    display,
    is_blank,
    name_key,
    nfkc,
    split_authors,
    suggest,
    text,
    url_cell,
    whole_number,
)

HEADER_SEARCH_ROWS = 10


class ImportAborted(Exception):
    """The file as a whole cannot be imported (too big, unreadable, no header row)."""


@dataclass
class RowError:
    message: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    sheet: str | None = None

    @property
    def where(self) -> str:
        where = f"「{self.sheet}」" if self.sheet else ""
        if self.row is not None:
            where += f"第{self.row}行"
        if self.column:
            where += f"「{self.column}」列"
        return where

    def __str__(self) -> str:
        shown = display(self.value)
        text_ = f"“{shown}”{self.message}" if shown != "" else self.message
        return f"{self.where}:{text_}" if self.where else text_


@dataclass
class Change:
    """One thing an import creates, updates, deletes or leaves alone (skip)."""

    action: str  # new | update | delete | skip
    row: int | None
    label: str
    detail: str = ""
    instance: Any = None
    sheet: str | None = None


@dataclass
class Skipped:
    """A row that is not data (合计, 填报人, 注:, 示例) and was left out on purpose."""

    sheet: str | None
    row: int
    reason: str

    def __str__(self) -> str:
        where = f"「{self.sheet}」" if self.sheet else ""
        return f"{where}第{self.row}行为{self.reason},已跳过"


@dataclass
class Renamed:
    """A cell read as something other than its literal text (authors with role words, …)."""

    sheet: str | None
    row: int
    column: str
    original: str
    read_as: str
    more_rows: list[int] = field(default_factory=list)  # further rows of the same piece saying the same

    def __str__(self) -> str:
        where = f"「{self.sheet}」" if self.sheet else ""
        rows = "、".join(str(r) for r in [self.row, *self.more_rows])
        return f"{where}第{rows}行「{self.column}」列:“{self.original}”读作“{self.read_as}”"


@dataclass
class Suggestion:
    """A name that matches nothing registered, with the closest registered names."""

    kind: str  # unit | outlet
    value: str
    candidates: list[str]
    rows: list[tuple[str | None, int]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


ACTION_LABELS = {"new": "新增", "update": "更新", "delete": "删除", "skip": "无变化"}


@dataclass
class ImportReport:
    what: str  # 单位 / 单位任务 / 稿件
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    renamed: list[Renamed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    #: What the preview showed, as a digest: confirm refuses to write if its own plan differs.
    fingerprint: str = ""
    #: Aliases chosen in the preview, [(object, word)], saved with the rows on confirm.
    alias_plan: list = field(default_factory=list)
    sheet: str | None = None  # the sheet rows are being read from (named in every message)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> Counter:
        return Counter(c.action for c in self.changes)

    def error(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        sheet: str | None = ...,
    ) -> None:
        self.errors.append(RowError(message, row, column, value, self.sheet if sheet is ... else sheet))

    def error_groups(self) -> list[tuple[str, list[RowError]]]:
        """Errors grouped by what is wrong (the sentence without the cell), every place listed."""
        groups: dict[str, list[RowError]] = {}
        for err in self.errors:
            groups.setdefault(err.message, []).append(err)
        return sorted(groups.items(), key=lambda g: -len(g[1]))

    def summary(self) -> str:
        counts = self.counts
        parts = [f"{ACTION_LABELS[a]}{counts[a]}条" for a in ("new", "update", "delete", "skip") if counts[a]]
        body = "、".join(parts) if parts else "没有任何变化"
        if self.errors:
            return f"{self.what}导入失败:发现{len(self.errors)}处错误,未写入任何数据。"
        if self.dry_run:
            return f"{self.what}导入试运行(未写入):将{body}。"
        return f"{self.what}导入完成:{body}。"


# ---------------------------------------------------------------- reading


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]  # rows[i] is Excel row i + 1
    #: merged areas as (first row, first column, last row, last column), 0-based, already filled in
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def find_header(self, required: Sequence[str], aliases: dict[str, str] | None = None) -> int | None:
        """Index of the first row (among the first few) that holds every required column."""
        found = find_header(self, required, aliases or {})
        return found[0] if found else None

    def fill_merged(self) -> None:
        """A merged cell's value applies to every cell it spans (一稿多投 rows merged down)."""
        for r0, c0, r1, c1 in self.merged:
            if r0 >= len(self.rows) or c0 >= len(self.rows[r0]):
                continue
            value = self.rows[r0][c0]
            for r in range(r0, min(r1, len(self.rows) - 1) + 1):
                row = self.rows[r]
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for c in range(c0, c1 + 1):
                    if r != r0 or c != c0:
                        row[c] = value


def header_name(value: Any) -> str:
    # "单位名称 " and "单位\n名称" are the same header; so is a header typed with full-width letters or spaces.
    return re.sub(r"\s+", "", nfkc(value))


def canonical_header(value: Any, aliases: dict[str, str]) -> str:
    name = header_name(value)
    return aliases.get(name_key(name), name)


def find_header(
    sheet: Sheet, required: Sequence[str], aliases: dict[str, str], known: Sequence[str] = ()
) -> tuple[int, list[str], int] | None:
    """(index of the header's last row, column names, number of header rows) or None.

    A header may be one row or two (a group header such as 刊发情况 over 媒体/刊发日期/版面/链接): a
    column's name is then the lower row's word, or the upper row's where the lower cell is blank.
    Header words are matched through ``aliases`` (the bureau's header aliases), so an alias finds the
    header row as well as the column's own name. ``known`` are all the table's column names: a row
    under the header that names more of them is the header's second row."""
    rows = sheet.rows[: HEADER_SEARCH_ROWS + 1]
    canon = [[canonical_header(v, aliases) for v in row] for row in rows]

    def combine(upper: list[str], lower: list[str]) -> list[str]:
        width = max(len(upper), len(lower))
        return [(lower[j] if j < len(lower) else "") or (upper[j] if j < len(upper) else "") for j in range(width)]

    for i in range(min(HEADER_SEARCH_ROWS, len(rows))):
        names = canon[i]
        if all(r in names for r in required):
            if i + 1 < len(canon) and any(n in known and n not in names for n in canon[i + 1]):
                return i + 1, combine(names, canon[i + 1]), 2
            return i, names, 1
        if i > 0:
            names2 = combine(canon[i - 1], names)
            if all(r in names2 for r in required):
                return i, names2, 2
    return None


# Rows under the header that are not data (issue 10 item 1). First words of a cell, compared as name_key.
TOTAL_WORDS = ("合计", "小计", "总计", "共计", "累计")
SIGN_WORDS = (
    "填报人",
    "填表人",
    "审核人",
    "制表人",
    "联系电话",
    "联系人",
    "填报日期",
    "制表日期",
    "单位负责人",
    "分管领导",
)
NOTE_WORDS = ("注:", "注1", "注一", "说明:", "备注:", "附注", "填表说明", "填报说明")
EXAMPLE_WORDS = ("示例", "样例", "填写示例", "填表示例", "(示例)", "【示例】", "例:")


_FIRST_CHARS = {w[0] for w in (*TOTAL_WORDS, *SIGN_WORDS, *NOTE_WORDS, *EXAMPLE_WORDS, "例", "说明", "备注")} | {
    "(",
    "（",
    "【",
    "[",
}


def non_data_reason(values: Iterable[Any]) -> str | None:
    """Why a row under the header is not data: 合计行, 签字行 (填报人/审核人/联系电话), 说明行 or 示例行."""
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    if not texts:
        return None
    # Most rows are data: look closer only when a cell starts like one of the words (cheap first-character test).
    if not any(v.lstrip()[:1] in _FIRST_CHARS for v in texts):
        return None
    keys = [name_key(v) for v in values if not is_blank(v)]
    first = keys[0]
    if any(k in TOTAL_WORDS or k.startswith(tuple(w + ":" for w in TOTAL_WORDS)) for k in keys) or first.startswith(
        TOTAL_WORDS
    ):
        return "合计行"
    if any(k.startswith(SIGN_WORDS) and (":" in k or k in SIGN_WORDS) for k in keys[:4]):
        return "填报人/审核人等签字行"
    if first.startswith(NOTE_WORDS) or first in ("注", "说明", "备注"):
        return "说明行"
    if any(k.startswith(EXAMPLE_WORDS) or k in ("例", "示例行") for k in keys):
        return "示例行"
    return None


@dataclass
class Table:
    """The rows under a header row. ``records`` yields (Excel row number, {column: value})."""

    sheet: Sheet
    header_index: int
    headers: list[str]
    header_rows: int = 1
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        return self.header_index + 1

    @property
    def name(self) -> str:
        return self.sheet.name

    def records(self) -> Iterable[tuple[int, dict[str, Any]]]:
        self.skipped = []
        for i in range(self.header_index + 1, len(self.sheet.rows)):
            row = self.sheet.rows[i]
            if all(is_blank(v) for v in row):
                continue
            values = {h: (row[j] if j < len(row) else None) for j, h in enumerate(self.headers) if h}
            reason = non_data_reason(row)
            if reason:
                self.skipped.append(Skipped(self.sheet.name, i + 1, reason))
                continue
            yield i + 1, values


def is_blank_row(row: Sequence[Any]) -> bool:
    return all(is_blank(v) for v in row)


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


UNREADABLE = "无法读取该文件,请确认它是 Excel 表格(.xlsx 或 .xls)或 CSV 文件。"
CSV_SUFFIXES = (".csv", ".txt")


# Told of every file refused as a whole (name, message): the audit trail registers itself here
# (audit.apps), as sheets imports nothing from the floors above it.
refusal_listeners: list = []


def read_workbook(data: bytes, *, name: str = "") -> list[Sheet]:
    """All sheets of an .xlsx/.xls file (or the one table of a CSV file), blank rows kept so row numbers
    match what the clerk sees, merged cells filled in. A refused file raises ImportAborted and is
    reported to ``refusal_listeners``."""
    try:
        return _read_workbook(data, name=name)
    except ImportAborted as exc:
        _tell_refused(name, exc)
        raise


def _tell_refused(name: str, exc: ImportAborted) -> None:
    for listener in refusal_listeners:
        listener(name, str(exc))


def _read_workbook(data: bytes, *, name: str = "") -> list[Sheet]:
    if hasattr(data, "read"):
        data = data.read()
    check_size(len(data))
    if name.lower().endswith(CSV_SUFFIXES) and not data.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        return [read_csv(data, name=name)]
    if not data.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        raise ImportAborted(UNREADABLE)  # a file named .xlsx must be one (HTML or text saved as .xls is not)
    check_inflated_size(data)
    # Zip bomb / XML bomb / XXE guard before any parser sees the file (security; sheets/xlsx_guard.py).
    from .extent import SheetTooLarge, check_extent, check_workbook_extent
    from .xlsx_guard import UnsafeWorkbook, check_workbook_upload

    try:
        check_workbook_upload(io.BytesIO(data))
        # The reader builds each sheet densely up to its farthest cell: a stray cell at XFD1048576
        # would make it allocate ~512 GB and abort the process. Measure first (sheets/extent.py).
        check_workbook_extent(data)
    except (UnsafeWorkbook, SheetTooLarge) as exc:
        raise ImportAborted(exc.messages[0]) from exc
    from python_calamine import CalamineError, CalamineWorkbook

    from .extent import Extent

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if str(getattr(meta, "typ", "")).endswith("ChartSheet"):
                continue
            sheet = book.get_sheet_by_name(meta.name)
            check_extent(Extent(meta.name, sheet.total_height, sheet.total_width))
            rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            one = Sheet(meta.name, rows, merged)
            one.fill_merged()
            sheets.append(one)
    except SheetTooLarge as exc:
        raise ImportAborted(exc.messages[0]) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportAborted(UNREADABLE) from exc
    return sheets


def decode_text(data: bytes) -> str:
    """CSV saved by Excel/WPS in China: UTF-8 (with or without BOM), UTF-16 (“Unicode 文本”) or GBK/GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312
    except UnicodeDecodeError as exc:
        raise ImportAborted(UNREADABLE) from exc


def read_csv(data: bytes, *, name: str = "") -> Sheet:
    from .extent import Extent, SheetTooLarge, check_extent

    if data.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8", b"RIFF", b"\x1f\x8b", b"Rar!", b"7z")):
        raise ImportAborted(UNREADABLE)
    body = decode_text(data)
    controls = sum(1 for ch in body[:20000] if ch < " " and ch not in "\t\r\n")
    if "\x00" in body or controls > len(body[:20000]) // 100:
        raise ImportAborted(UNREADABLE)  # binary, not text: one stray control character is a cell error instead
    sample = body[:20000]
    delimiter = max(",\t;", key=lambda d: sample.count(d)) if any(d in sample for d in ",\t;") else ","
    rows = [list(r) for r in csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)]
    label = (name.rsplit("/", 1)[-1].rsplit(".", 1)[0] if name else "") or "CSV"
    try:
        check_extent(Extent(label, len(rows), max((len(r) for r in rows), default=0)))
    except SheetTooLarge as exc:
        raise ImportAborted(exc.messages[0]) from exc
    return Sheet(label, rows)


def read_path(path: str) -> list[Sheet]:
    import os

    try:
        try:
            check_size(os.path.getsize(path))
        except ImportAborted as exc:
            _tell_refused(os.path.basename(path), exc)
            raise
        with open(path, "rb") as fh:
            return read_workbook(fh.read(), name=os.path.basename(path))
    except FileNotFoundError as exc:
        raise ImportAborted(f"找不到文件:{path}") from exc


def sheets_from_rows(headers: Sequence[Any], rows: Iterable[Sequence[Any]], name: str = "Sheet1") -> list[Sheet]:
    return [Sheet(name, [list(headers), *[list(r) for r in rows]])]


SUMMARY_WORDS = ("汇总", "合计", "总计", "总表")


def find_tables(
    sheets: Sequence[Sheet],
    required: Sequence[str],
    what: str,
    *,
    prefer: str = "",
    aliases: dict[str, str] | None = None,
    known: Sequence[str] = (),
) -> tuple[list[Table], list[str]]:
    """Every sheet whose header has the required columns, and notes on the sheets left out.

    One sheet per month (1月…12月) is read whole; a summary sheet (汇总, 合计…) is ignored when other
    sheets hold the table, and so is every other sheet when one is named ``prefer``."""
    aliases = aliases or {}
    found: list[Table] = []
    notes: list[str] = []
    for sheet in sheets:
        hit = find_header(sheet, required, aliases, known)
        if hit is None:
            if any(not is_blank_row(r) for r in sheet.rows):
                notes.append(f"工作表「{sheet.name}」没有{what}表的表头,未读取")
            continue
        index, headers, header_rows = hit
        found.append(Table(sheet, index, headers, header_rows))
    preferred = [t for t in found if prefer and t.name == prefer]
    if preferred and len(found) > 1:
        notes += [f"工作表「{t.name}」未读取(已读取「{prefer}」)" for t in found if t not in preferred]
        found = preferred
    summaries = [t for t in found if any(w in t.name for w in SUMMARY_WORDS)]
    if summaries and len(summaries) < len(found):
        notes += [f"工作表「{t.name}」是汇总表,未读取(已读取各分表)" for t in summaries]
        found = [t for t in found if t not in summaries]
    if not found:
        cols = "、".join(f"「{c}」" for c in required)
        raise ImportAborted(f"没有找到{what}表的表头:表头行(前{HEADER_SEARCH_ROWS}行之内)须含有{cols}列。")
    return found, notes


def find_table(
    sheets: Sequence[Sheet], required: Sequence[str], what: str, prefer: str = "", aliases: dict[str, str] | None = None
) -> Table:
    """The first sheet (``prefer`` named one first) whose header row has every required column."""
    ordered = sorted(sheets, key=lambda s: s.name != prefer) if prefer else list(sheets)
    for sheet in ordered:
        hit = find_header(sheet, required, aliases or {})
        if hit is not None:
            return Table(sheet, *hit)
    cols = "、".join(f"「{c}」" for c in required)
    raise ImportAborted(f"没有找到{what}表的表头:表头行(前{HEADER_SEARCH_ROWS}行之内)须含有{cols}列。")


# ---------------------------------------------------------------- names


class NameIndex:
    """Objects found by name or alias. An alias shared by two objects matches neither."""

    def __init__(self, objects: Iterable[Any], aliases=lambda o: o.alias_list):
        self._map: dict[str, Any] = {}
        ambiguous: set[str] = set()
        objects = list(objects)
        self.names = [o.name for o in objects]
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

    def add(self, alias: Any, obj: Any) -> None:
        """Another name for ``obj`` (an alias chosen in the preview, not saved yet)."""
        self._map[name_key(alias)] = obj

    def suggest(self, value: Any) -> list[str]:
        return suggest(value, self.names)


# ---------------------------------------------------------------- commands


def report_lines(report: ImportReport, *, verbose: bool = False) -> list[str]:
    """What a command prints: every error (with sheet, row and column), or the changes; what was skipped,
    read differently or looks alike; then the summary."""
    lines = [str(e) for e in report.errors]
    for sug in report.suggestions:
        if sug.candidates:
            lines.append(f"提示:“{sug.value}”可能是:{'、'.join(sug.candidates)}(可在后台把它加为别名)")
    lines += report.notes
    lines += [str(s) for s in report.skipped]
    if verbose or not report.errors:
        lines += [str(r) for r in report.renamed]
        lines += report.warnings
    if not report.errors and verbose:
        for c in report.changes:
            if c.action != "skip":
                where = (f"「{c.sheet}」" if c.sheet else "") + (f"第{c.row}行 " if c.row else "")
                lines.append(f"{where}{ACTION_LABELS[c.action]}:{c.label}" + (f"({c.detail})" if c.detail else ""))
    lines.append(report.summary())
    return lines

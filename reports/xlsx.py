"""Government-style tables written with openpyxl's write-only (streaming) workbook.

Every sheet looks like a table a Chinese government office circulates: a merged title row, the issuing
office and date, bold bordered headers (optionally two levels), sensible widths, the header frozen,
number formats for yuan and points, A4 landscape print setup with the header rows repeated and
"第 X 页 共 Y 页" in the footer. Rows are streamed, so a sheet of 100,000 rows costs little memory.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .cells import set_safe_value

YUAN = "#,##0.00"
POINTS = "0.00"
INTEGER = "0"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"

# On every document made from a year that is not closed: its figures are computed live and can still change.
PROVISIONAL = "（实时计算，未结账）"

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def text_width(text: str) -> float:
    """Width of ``text`` in Excel column units at 10 pt: a CJK character takes about two, others one."""
    return sum(2.0 if ord(ch) > 0x2E7F else 1.0 for ch in str(text or ""))


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a cell ``width`` columns wide (its margins take one column)."""
    usable = max(1.0, width - 1.2)
    return max(1, -(-int(text_width(text) * 10) // int(usable * 10)))


LINE_POINTS = 14  # one line of 10 pt 宋体 with its leading, as LibreOffice, WPS and Excel print it


def row_height(lines: int) -> float:
    return lines * LINE_POINTS + 4


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    number_format: str | None = None  # YUAN, POINTS, INTEGER, PERCENT, DATE or None for text
    group: str | None = None  # upper header cell shared with neighbouring columns of the same group
    wrap: bool = False

    @property
    def align(self) -> str:
        return "right" if self.number_format in (YUAN, POINTS, PERCENT) else "center" if self.number_format else "left"


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save_workbook(wb: Workbook, target=None) -> bytes | None:
    """Save to a path or file object; with no target return the bytes."""
    if target is None:
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
    wb.save(target)
    return None


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class GovSheet:
    """One streamed sheet: ``GovSheet(wb, …)`` writes the title and header, ``row()``/``total()`` the body."""

    def __init__(
        self,
        wb: Workbook,
        name: str,
        *,
        title: str,
        columns: Sequence[Column],
        office: str = "",
        date: dt.date | None = None,
        note: str = "",
        provisional: bool = False,
        lead: str = "",
    ):
        self.ws = ws = wb.create_sheet(name[:31])
        self.columns = list(columns)
        self.ncols = n = len(self.columns)
        last = get_column_letter(n)
        two_levels = any(c.group for c in self.columns)
        self.header_rows = 2 if two_levels else 1
        first_header = 4 if lead else 3  # ``lead``: a paragraph between the office line and the table
        self.first_data_row = first_header + self.header_rows
        self.rows_written = 0

        for i, col in enumerate(self.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = col.width
        ws.freeze_panes = f"A{self.first_data_row}"
        ws.print_title_rows = f"{first_header}:{self.first_data_row - 1}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        # The footer must sit inside the bottom margin: LibreOffice and WPS cut a footer whose own margin is
        # larger than the page's (openpyxl's default footer margin is 0.5 in).
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.8
        ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
        ws.oddFooter.center.text = "第 &P 页 共 &N 页"
        ws.oddFooter.center.font = BODY_FONT

        # Row 1: the title across the table. Row 2: issuing office (left) and date (right).
        ws.merged_cells.add(f"A1:{last}1")
        ws.row_dimensions[1].height = 32
        title_cell = self._cell(title, font=Font(name=TITLE_FONT, size=16, bold=True), align="center")
        ws.append([title_cell] + [None] * (n - 1))
        half = max(1, n // 2)
        left = f"制表单位：{office}" if office else ""
        if note:
            left = f"{left}    {note}" if left else note
        right = f"制表日期：{chinese_date(date)}" if date else ""
        if provisional:  # figures of a year not closed yet: they can still change
            right = f"{PROVISIONAL}　{right}" if right else PROVISIONAL
        if n > 1:
            ws.merged_cells.add(f"A2:{get_column_letter(half)}2")
            if half + 1 < n:
                ws.merged_cells.add(f"{get_column_letter(half + 1)}2:{last}2")
        info_font = Font(name=BODY_FONT, size=10)
        # Wrapped, with the row tall enough for the longer half: a narrow sheet (未报送单位) cut the note off.
        widths = [c.width for c in self.columns]
        left_w, right_w = sum(widths[:half]), sum(widths[half:]) or sum(widths)
        ws.row_dimensions[2].height = row_height(max(lines_needed(left, left_w), lines_needed(right, right_w)))
        row2 = [self._cell(left, font=info_font, align="left", wrap=True)] + [None] * (half - 1)
        row2 += [self._cell(right, font=info_font, align="right", wrap=True)] + [None] * (n - half - 1)
        ws.append(row2[:n])
        if lead:
            ws.merged_cells.add(f"A3:{last}3")
            ws.row_dimensions[3].height = row_height(lines_needed(lead, sum(widths)))
            ws.append([self._cell(lead, font=info_font, align="left", wrap=True)] + [None] * (n - 1))

        # Header: one row, or two when columns are grouped (group on top, own header below;
        # ungrouped columns span both rows).
        header_font = Font(name=BODY_FONT, size=10, bold=True)
        hdr = {"font": header_font, "align": "center", "border": BORDER, "fill": HEADER_FILL, "wrap": True}
        if two_levels:
            top, bottom = [], []
            i = 0
            while i < n:
                col = self.columns[i]
                letter = get_column_letter(i + 1)
                if col.group:
                    j = i
                    while j + 1 < n and self.columns[j + 1].group == col.group:
                        j += 1
                    if j > i:
                        ws.merged_cells.add(f"{letter}{first_header}:{get_column_letter(j + 1)}{first_header}")
                    top.append(self._cell(col.group, **hdr))
                    top.extend(self._cell(None, **hdr) for _ in range(j - i))
                    bottom.extend(self._cell(c.header, **hdr) for c in self.columns[i : j + 1])
                    i = j + 1
                else:
                    ws.merged_cells.add(f"{letter}{first_header}:{letter}{first_header + 1}")
                    top.append(self._cell(col.header, **hdr))
                    bottom.append(self._cell(None, **hdr))
                    i += 1
            # Header rows as tall as their wrapped text needs (a short row clips it when printed).
            group_lines, own_lines = [1], [1]
            i = 0
            while i < n:
                col = self.columns[i]
                j = i
                if col.group:
                    while j + 1 < n and self.columns[j + 1].group == col.group:
                        j += 1
                    group_lines.append(lines_needed(col.group, sum(c.width for c in self.columns[i : j + 1])))
                    own_lines += [lines_needed(c.header, c.width) for c in self.columns[i : j + 1]]
                else:  # spans both rows
                    own_lines.append(max(1, lines_needed(col.header, col.width) - 1))
                i = j + 1
            ws.row_dimensions[first_header].height = row_height(max(group_lines))
            ws.row_dimensions[first_header + 1].height = row_height(max(own_lines))
            ws.append(top)
            ws.append(bottom)
        else:
            ws.row_dimensions[first_header].height = row_height(
                max(2, *(lines_needed(c.header, c.width) for c in self.columns))
            )
            ws.append([self._cell(c.header, **hdr) for c in self.columns])

        # One reusable cell per column for body rows: in write-only mode a row is serialised as soon as
        # it is appended, so the same cell objects can carry the next row. Setting a style once per
        # column instead of once per cell keeps a 100,000-row sheet close to bare openpyxl speed.
        body_font = Font(name=BODY_FONT, size=10)
        total_font = Font(name=BODY_FONT, size=10, bold=True)
        self._body = [
            self._cell(None, font=body_font, align=c.align, border=BORDER, fmt=c.number_format, wrap=c.wrap)
            for c in self.columns
        ]
        self._wrapped = [(k, c.width - 1.2) for k, c in enumerate(self.columns) if c.wrap]
        self._total = [
            self._cell(None, font=total_font, align=c.align, border=BORDER, fmt=c.number_format, fill=TOTAL_FILL)
            for c in self.columns
        ]

    def _cell(self, value, *, font=None, align=None, border=None, fmt=None, fill=None, wrap=False):
        cell = WriteOnlyCell(self.ws)
        set_safe_value(cell, value)
        if font is not None:
            cell.font = font
        if align is not None or wrap:
            cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=wrap or None)
        if border is not None:
            cell.border = border
        if fmt is not None:
            cell.number_format = fmt
        if fill is not None:
            cell.fill = fill
        return cell

    def _emit(self, cells: list, values: Iterable) -> None:
        values = list(values)
        if len(values) != self.ncols:
            raise ValueError(f"{self.ws.title}: expected {self.ncols} values, got {len(values)}")
        # A wrapped cell needs its row tall enough: LibreOffice and WPS keep a streamed row at one line and
        # print the rest over the rows below. Cheap check first (2 columns per character at most).
        lines = 1
        for k, limit in self._wrapped:
            text = values[k]
            if isinstance(text, str) and len(text) * 2 > limit:
                lines = max(lines, lines_needed(text, self.columns[k].width))
        if lines > 1:
            self.ws.row_dimensions[self.first_data_row + self.rows_written].height = row_height(lines)
        for cell, value in zip(cells, values, strict=True):
            set_safe_value(cell, value)
        self.ws.append(cells)
        self.rows_written += 1

    def row(self, values: Iterable) -> None:
        self._emit(self._body, values)

    def total(self, values: Iterable) -> None:
        """The 合计 row: bold on a light fill."""
        self._emit(self._total, values)

    def blank_note(self, text: str) -> None:
        """A full-width note row under the table (e.g. 说明 or 签字栏)."""
        row_number = self.first_data_row + self.rows_written
        self.ws.merged_cells.add(f"A{row_number}:{get_column_letter(self.ncols)}{row_number}")
        self.ws.row_dimensions[row_number].height = row_height(lines_needed(text, sum(c.width for c in self.columns)))
        cell = self._cell(text, font=Font(name=BODY_FONT, size=10), align="left", wrap=True)
        self.ws.append([cell] + [None] * (self.ncols - 1))
        self.rows_written += 1


def style_copy(cell):
    """A fresh copy of a template cell's style (used where one cell must differ from its column)."""
    return copy(cell._style)

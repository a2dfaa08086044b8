"""Audit trail export (CSV / xlsx) with formula-safe cells (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from .display import readable_changes_text

HEADERS = [
    "时间",
    "账号",
    "姓名",
    "单位",
    "操作",
    "对象类型",
    "对象ID",
    "对象",
    "变更(原值→新值)",
    "IP地址",
    "结果",
    "说明",
]
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    """Text that no spreadsheet evaluates: a leading formula trigger is escaped with an apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def rows(events):
    for e in events:
        yield [
            timezone.localtime(e.at).isoformat(timespec="seconds"),
            e.username,
            e.user_display,
            e.unit_name,
            e.get_action_display(),
            e.model_name or e.model,
            e.object_id,
            e.object_repr,
            readable_changes_text(e.model, e.changes) if e.changes else "",
            e.ip or "",
            e.get_outcome_display(),
            e.message,
        ]


def to_csv(events) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel and WPS open UTF-8 CSV correctly only with a BOM
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows(events):
        writer.writerow([safe_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(events) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKL", (26, 14, 12, 16, 12, 14, 8, 30, 60, 16, 8, 30), strict=True):
        ws.column_dimensions[col].width = width
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows(events):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=str(value))
            # Typed as text, so a value such as =HYPERLINK(...) is shown, never evaluated.
            cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

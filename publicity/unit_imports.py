"""Importing the unit roster (单位名单) from Excel; used by ``manage.py import_units`` and the admin.

Columns: 单位名称, 单位类型 (a UnitKind's name), 上级单位, 负责人, 联络员, 联系电话, and optionally
简称 (aliases) and 排序. A unit is found by its exact 单位名称: a second import updates it, never
duplicates it. All or nothing: any bad row writes nothing (see ``sheets.tabular``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sheets.tabular import (
    CellError,
    Change,
    ImportAborted,
    ImportReport,
    NameIndex,
    Sheet,
    find_table,
    is_blank,
    name_key,
    text,
    whole_number,
)
from units.models import Unit, UnitKind

from .import_audit import audited_import

NAME, KIND, PARENT, HEAD, LIAISON, PHONE, ALIASES, ORDER = (
    "单位名称",
    "单位类型",
    "上级单位",
    "负责人",
    "联络员",
    "联系电话",
    "简称",
    "排序",
)
UNIT_COLUMNS = [NAME, KIND, PARENT, HEAD, LIAISON, PHONE, ALIASES, ORDER]
REQUIRED = [NAME, KIND]
# model field -> column, for the optional text columns: a column that is absent leaves the field alone.
TEXT_FIELDS = {"head_name": HEAD, "liaison_name": LIAISON, "phone": PHONE, "aliases": ALIASES}
FIELD_COLUMNS = {"name": NAME, "kind": KIND, "parent": PARENT, "order": ORDER, **TEXT_FIELDS}


@audited_import
def import_units(sheets: list[Sheet], *, dry_run: bool = False) -> ImportReport:
    """Validate every row, then write all of them in one transaction (or, on a dry run, roll back)."""
    report = ImportReport("单位", dry_run=dry_run, columns=list(UNIT_COLUMNS))
    from .imports import header_aliases
    from .models import ImportTable

    try:
        table = find_table(sheets, REQUIRED, "单位名单", aliases=header_aliases(ImportTable.UNITS))
    except ImportAborted as exc:
        report.error(str(exc))
        return report
    report.sheet = table.name
    headers = table.headers
    present = set(headers)
    ignored = [h for h in headers if h and h not in UNIT_COLUMNS]
    if ignored:
        report.notes.append("已忽略无法识别的列:" + "、".join(ignored))

    all_kinds = list(UnitKind.objects.all())
    kinds = NameIndex(all_kinds, aliases=lambda k: [k.code])
    valid = "、".join(k.name for k in all_kinds)
    existing = {u.name: u for u in Unit.objects.select_related("kind", "parent")}
    by_name = NameIndex(existing.values())

    rows: list[tuple[int, dict[str, Any], dict[str, Any]]] = []  # (row, record, parsed)
    seen: dict[str, int] = {}
    from units.validators import find_control_char

    for row, rec in table.records():
        parsed: dict[str, Any] = {}
        bad = [(c, v) for c, v in rec.items() if find_control_char(v)]
        for column, value in bad:
            char = find_control_char(value)
            report.error(f"含有不可见的控制字符(U+{ord(char):04X}),请在表格中删除后重新导入", row=row, column=column)
        if bad:
            continue
        name = text(rec.get(NAME))
        if not name:
            report.error("单位名称不能为空", row=row, column=NAME)
            continue
        if name in seen:
            report.error(f"与第{seen[name]}行的单位重复", row=row, column=NAME, value=name)
            continue
        seen[name] = row
        parsed["name"] = name
        kind = kinds.get(rec.get(KIND))
        if kind is None:
            report.error(f"不是已登记的单位类型(可选:{valid})", row=row, column=KIND, value=rec.get(KIND))
        parsed["kind"] = kind
        for fname, col in TEXT_FIELDS.items():
            if col in present:
                parsed[fname] = text(rec.get(col))
        if ORDER in present:
            try:
                parsed["order"] = whole_number(rec.get(ORDER)) or 0
            except CellError as exc:
                report.error(str(exc), row=row, column=ORDER, value=rec.get(ORDER))
        rows.append((row, rec, parsed))

    # Parents may be units already registered or units further down the same file.
    file_names = {name_key(p["name"]): p["name"] for _, _, p in rows}
    for row, rec, parsed in rows:
        if PARENT not in present or is_blank(rec.get(PARENT)):
            parsed["parent_name"] = None if PARENT in present else ...
            continue
        value = rec.get(PARENT)
        target = file_names.get(name_key(value)) or getattr(by_name.get(value), "name", None)
        if target is None:
            report.error("不是已登记的单位,也不在本表中", row=row, column=PARENT, value=value)
        elif target == parsed["name"]:
            report.error("上级单位不能是本单位", row=row, column=PARENT, value=value)
        parsed["parent_name"] = target

    if report.errors:
        return report
    _check_cycles(rows, existing, report)
    if report.errors:
        return report

    with transaction.atomic():
        _apply(rows, existing, report)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def _check_cycles(rows, existing: dict[str, Unit], report: ImportReport) -> None:
    parent_of = {u.name: (u.parent.name if u.parent else None) for u in existing.values()}
    first_row = {}
    for row, _, parsed in rows:
        if parsed["parent_name"] is not ...:
            parent_of[parsed["name"]] = parsed["parent_name"]
        first_row[parsed["name"]] = row
    for name, row in first_row.items():
        chain, node = {name}, parent_of.get(name)
        while node is not None:
            if node in chain:
                report.error("上级单位形成循环(甲的上级是乙,乙的上级又是甲)", row=row, column=PARENT, value=node)
                break
            chain.add(node)
            node = parent_of.get(node)


def _describe(unit: Unit, fields: list[str]) -> str:
    values = []
    for f in fields:
        value = getattr(unit, f)
        values.append(f"{FIELD_COLUMNS[f]}:{'' if value is None else value}")
    return ";".join(values)


def _apply(rows, existing: dict[str, Unit], report: ImportReport) -> None:
    units: dict[str, Unit] = dict(existing)
    pending: list[tuple[int, Unit, str, list[str]]] = []
    for row, _, parsed in rows:
        unit = existing.get(parsed["name"])
        action = "new" if unit is None else "update"
        if unit is None:
            unit = Unit(name=parsed["name"])
        changed = []
        for fname in ("kind", *TEXT_FIELDS, "order"):
            if fname in parsed and getattr(unit, fname if fname != "kind" else "kind_id", None) != (
                parsed[fname].pk if fname == "kind" else parsed[fname]
            ):
                setattr(unit, fname, parsed[fname])
                changed.append(fname)
        if action == "update" and not changed:
            action = "skip"
        units[unit.name] = unit
        pending.append((row, unit, action, changed))

    # Save without parents first (a parent may be a new unit further down), then set parents.
    for row, unit, action, _changed in pending:
        if action == "skip":
            continue
        try:
            unit.full_clean(exclude=["parent"], validate_unique=action == "new")
        except ValidationError as exc:
            for fname, msgs in exc.message_dict.items():
                report.error(
                    "".join(msgs), row=row, column=FIELD_COLUMNS.get(fname, fname), value=getattr(unit, fname, "")
                )
            continue
        unit.save()
    if report.errors:
        return
    for (row, _, parsed), (_, unit, action, changed) in zip(rows, pending, strict=True):
        parent_name = parsed["parent_name"]
        if parent_name is not ...:
            parent = units[parent_name] if parent_name else None
            if unit.parent_id != (parent.pk if parent else None):
                unit.parent = parent
                unit.save(update_fields=["parent"])
                changed.append("parent")
                action = "new" if action == "new" else "update"
        detail = _describe(unit, changed) if action == "update" else ""
        report.changes.append(Change(action, row, unit.name, detail, unit))

"""Importing the allocation table (任务分解表) and the statistics table (刊发新闻稿件统计表).

Used by ``manage.py import_quotas`` / ``import_pieces`` and by the admin's dry-run → confirm
import, so both doors give the same result and the same Chinese errors. Every import is all or
nothing: rows are parsed and checked first, then written in one transaction that is rolled back
on any error (and always on a dry run, which therefore checks everything a real run would).
Pieces are written through ``publicity.services`` so year-freeze and piece rules hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch

from sheets.tabular import (
    CellError,
    Change,
    ImportAborted,
    ImportReport,
    NameIndex,
    Sheet,
    date_cell,
    display,
    find_table,
    is_blank,
    name_key,
    text,
    whole_number,
)
from units.models import Unit, User, split_list

from .models import (
    AssessmentYear,
    Indicator,
    Outlet,
    Piece,
    PieceKind,
    PieceStatus,
    Placement,
    Publication,
    Topic,
    UnitTarget,
)
from .services import (
    EDITABLE_STATUSES,
    PublicationInput,
    ensure_can_review,
    ensure_year_editable,
    piece_create,
    piece_review,
    piece_update,
    year_frozen_error,
)

# ================================================================ quotas (任务分解表)

QUOTA_UNIT = "单位"
# Columns an allocation table often carries that are not indicators.
QUOTA_IGNORED = {"序号", "年度", "单位类型", "类型", "备注", "合计", "小计"}


def _unit_index() -> NameIndex:
    return NameIndex(Unit.objects.select_related("kind"))


def import_quotas(sheets: list[Sheet], *, year: AssessmentYear, dry_run: bool = False) -> ImportReport:
    """One row per unit, one column per indicator (headed by code or name) of the year.

    A number sets the unit's target; a blank cell means "the unit kind's default": an existing
    UnitTarget for that indicator is removed so the default applies again."""
    report = ImportReport("单位任务", dry_run=dry_run)
    if year.is_frozen:
        report.error(year_frozen_error(year).messages[0])
        return report
    try:
        table = find_table(sheets, [QUOTA_UNIT], "任务分解")
    except ImportAborted:
        try:
            table = find_table(sheets, ["单位名称"], "任务分解")
            table.headers = [QUOTA_UNIT if h == "单位名称" else h for h in table.headers]
        except ImportAborted as exc:
            report.error(str(exc).replace("「单位名称」", "「单位」"))
            return report

    indicators = list(Indicator.objects.filter(year=year).select_related("unit_kind"))
    columns: dict[str, list[Indicator]] = {}  # header -> the indicators (one per unit kind) it names
    claimed: dict[int, str] = {}
    for header in table.headers:
        if not header or header == QUOTA_UNIT or header in QUOTA_IGNORED:
            continue
        key = name_key(header)
        matched = [i for i in indicators if name_key(i.code) == key] or [
            i for i in indicators if name_key(i.name) == key
        ]
        if not matched:
            report.error(f"不是{year.year}年度的指标代码或名称", row=table.header_row, column=header, value=header)
            continue
        for ind in matched:
            if ind.pk in claimed:
                report.error(
                    f"与「{claimed[ind.pk]}」列是同一指标({ind})", row=table.header_row, column=header, value=header
                )
            claimed[ind.pk] = header
        columns[header] = matched
    report.columns = [QUOTA_UNIT, *columns]
    if report.errors:
        return report

    units = _unit_index()
    existing = {(t.unit_id, t.indicator_id): t for t in UnitTarget.objects.filter(indicator__year=year)}
    plan: list[tuple[int, Unit, dict[Indicator, int | None]]] = []
    seen: dict[int, int] = {}
    for row, rec in table.records():
        value = rec.get(QUOTA_UNIT)
        unit = units.get(value)
        if unit is None:
            report.error(
                "不是已登记的单位名称或简称" if not is_blank(value) else "单位不能为空",
                row=row,
                column=QUOTA_UNIT,
                value=value,
            )
            continue
        if unit.pk in seen:
            report.error(f"与第{seen[unit.pk]}行是同一单位", row=row, column=QUOTA_UNIT, value=value)
            continue
        seen[unit.pk] = row
        targets: dict[Indicator, int | None] = {}
        for header, matched in columns.items():
            cell = rec.get(header)
            mine = next((i for i in matched if i.unit_kind_id == unit.kind_id), None)
            try:
                number = whole_number(cell)
            except CellError as exc:
                report.error(f"{exc}(任务数须为不小于0的整数)", row=row, column=header, value=cell)
                continue
            if mine is None:
                if number is not None:
                    report.error(
                        f"单位“{unit.name}”属于{unit.kind.name},没有此指标,该格应留空",
                        row=row,
                        column=header,
                        value=cell,
                    )
                continue
            targets[mine] = number
        plan.append((row, unit, targets))
    if report.errors:
        return report

    with transaction.atomic():
        ensure_year_editable(year, lock=True)
        for row, unit, targets in plan:
            for ind, number in targets.items():
                current = existing.get((unit.pk, ind.pk))
                label = f"{unit.name} {ind.code}"
                if number is None:
                    if current is not None:
                        current.delete()
                        detail = f"{current.target}→默认{ind.default_target}"
                        report.changes.append(Change("delete", row, label, detail))
                    continue
                if current is None:
                    obj = UnitTarget(unit=unit, indicator=ind, target=number)
                    obj.full_clean(validate_unique=False)
                    obj.save()
                    report.changes.append(Change("new", row, label, str(number), obj))
                elif current.target != number:
                    detail = f"{current.target}→{number}"
                    current.target = number
                    current.save(update_fields=["target"])
                    report.changes.append(Change("update", row, label, detail, current))
                else:
                    report.changes.append(Change("skip", row, label, str(number), current))
        if dry_run:
            transaction.set_rollback(True)
    return report


# ================================================================ pieces (刊发新闻稿件统计表)

UNIT, TITLE, AUTHORS, KIND, TOPICS, CHARS, OUTLET, DATE, PLACEMENT, URL = (
    "单位",
    "标题",
    "作者",
    "稿件类型",
    "专题",
    "字数",
    "媒体",
    "刊发日期",
    "版面",
    "链接",
)
#: The statistics table's columns, one row per publication: what import_pieces reads and the
#: piece export writes (and what the year-end workbook's 刊发新闻稿件统计表 sheet should use).
PAGE = "版面/栏目"  # optional: the page or programme, e.g. 第3版
PIECE_COLUMNS = [UNIT, TITLE, AUTHORS, KIND, TOPICS, CHARS, OUTLET, DATE, PLACEMENT, URL]
PIECE_REQUIRED = [UNIT, TITLE, AUTHORS, KIND, OUTLET, DATE]
PIECE_HEADER_ALIASES = {"单位名称": UNIT, "稿件标题": TITLE, "媒体名称": OUTLET, "刊发媒体": OUTLET, "日期": DATE}
# Per-piece columns: rows of one piece (一稿多投) must agree on them; a blank repeats the first row.
PIECE_LEVEL = [AUTHORS, KIND, TOPICS, CHARS]
KIND_WORDS = {"新闻": PieceKind.NEWS, "信息稿件": PieceKind.INFO}
SHEET_NAME = "刊发新闻稿件统计表"


def kind_from_text(value: Any) -> str | None:
    s = name_key(value)
    for choice in PieceKind:
        if s == name_key(choice.label):
            return choice.value
    return KIND_WORDS.get(s)


def placement_from_text(value: Any) -> str | None:
    if is_blank(value):
        return Placement.OTHER
    s = name_key(value)
    return next((c.value for c in Placement if name_key(c.label) == s), None)


@dataclass
class PubRow:
    row: int
    outlet: Outlet | None
    date: dt.date | None
    placement: str
    page: str | None  # None: the table has no 版面/栏目 column, keep what is recorded
    url: str


@dataclass
class PieceRows:
    """The rows of one piece: same 单位 and 标题."""

    unit: Unit
    title: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)  # piece-level column -> parsed value
    raw: dict[str, Any] = field(default_factory=dict)  # piece-level column -> cell as typed
    value_rows: dict[str, int] = field(default_factory=dict)
    pubs: list[PubRow] = field(default_factory=list)

    def publications(self, pages: dict[int, str] | None = None) -> list[PublicationInput]:
        pages = pages or {}
        return [
            PublicationInput(
                p.outlet, p.date, p.placement, p.page if p.page is not None else pages.get(p.outlet.pk, ""), p.url
            )
            for p in self.pubs
            if p.outlet
        ]

    @property
    def report_date(self) -> dt.date | None:
        unpublished = [p for p in self.pubs if p.outlet is None]
        return unpublished[0].date if unpublished else None


def _outlet_index() -> NameIndex:
    return NameIndex(Outlet.objects.all())


def _topic_index() -> NameIndex:
    return NameIndex(Topic.objects.all(), aliases=lambda t: split_list(t.aliases))


_url_validator = URLValidator(schemes=["http", "https"])


def _parse_piece_rows(table, year: AssessmentYear, report: ImportReport) -> list[PieceRows]:
    units, outlets, topics = _unit_index(), _outlet_index(), _topic_index()
    groups: dict[tuple[int, str], PieceRows] = {}
    for row, rec in table.records():
        bad = len(report.errors)
        unit_cell, title = rec.get(UNIT), text(rec.get(TITLE))
        unit = units.get(unit_cell)
        if unit is None:
            msg = "单位不能为空" if is_blank(unit_cell) else "不是已登记的单位名称或简称"
            report.error(msg, row=row, column=UNIT, value=unit_cell)
        if not title:
            report.error("标题不能为空", row=row, column=TITLE)
        elif len(title) > Piece._meta.get_field("title").max_length:
            report.error("标题过长(最多300字)", row=row, column=TITLE)

        values: dict[str, Any] = {}
        authors_cell = rec.get(AUTHORS)
        if not is_blank(authors_cell):
            names = split_list(text(authors_cell))
            if any(len(n) > 50 for n in names):
                report.error("作者姓名过长(每人最多50字)", row=row, column=AUTHORS, value=authors_cell)
            values[AUTHORS] = names
        kind_cell = rec.get(KIND)
        if not is_blank(kind_cell):
            kind = kind_from_text(kind_cell)
            if kind is None:
                report.error(
                    "不是有效的稿件类型(可选:新闻稿件/新闻、调研文章、专题、信息/信息稿件、经验交流材料)",
                    row=row,
                    column=KIND,
                    value=kind_cell,
                )
            values[KIND] = kind
        topics_cell = rec.get(TOPICS)
        if not is_blank(topics_cell):
            found = []
            for name in split_list(text(topics_cell)):
                topic = topics.get(name)
                if topic is None:
                    report.error("不是已登记的专题", row=row, column=TOPICS, value=name)
                elif topic not in found:
                    found.append(topic)
            values[TOPICS] = sorted(found, key=lambda t: t.pk)  # order does not matter for topics
        chars_cell = rec.get(CHARS)
        if not is_blank(chars_cell):
            try:
                values[CHARS] = whole_number(chars_cell)
            except CellError as exc:
                report.error(f"{exc}(字数须为不小于0的整数)", row=row, column=CHARS, value=chars_cell)

        outlet_cell = rec.get(OUTLET)
        outlet = None
        if not is_blank(outlet_cell):
            outlet = outlets.get(outlet_cell)
            if outlet is None:
                report.error("不是已登记的媒体名称或别名", row=row, column=OUTLET, value=outlet_cell)
        date_value = rec.get(DATE)
        day = None
        try:
            day = date_cell(date_value)
            if day is None:
                report.error("刊发日期不能为空", row=row, column=DATE)
            elif day.year < year.year:
                report.error(f"不在{year.year}年度内", row=row, column=DATE, value=date_value)
        except CellError as exc:
            report.error(str(exc), row=row, column=DATE, value=date_value)
        placement_cell = rec.get(PLACEMENT)
        placement = placement_from_text(placement_cell)
        if placement is None:
            report.error(
                "不是有效的版面(可选:头版头条、头版、其他版面,留空为其他版面)",
                row=row,
                column=PLACEMENT,
                value=placement_cell,
            )
        url = text(rec.get(URL))
        if url:
            try:
                _url_validator(url)
                if len(url) > 500:
                    raise ValidationError("too long")
            except ValidationError:
                report.error("不是有效的网址(须以 http:// 或 https:// 开头)", row=row, column=URL, value=url)
        if len(report.errors) > bad or unit is None:
            continue

        key = (unit.pk, title)
        group = groups.get(key)
        if group is None:
            group = groups[key] = PieceRows(unit=unit, title=title, row=row)
            group.values = values
            group.raw = {c: rec.get(c) for c in PIECE_LEVEL}
            group.value_rows = dict.fromkeys(values, row)
        else:
            for col, value in values.items():
                if col not in group.values:
                    group.values[col], group.raw[col], group.value_rows[col] = value, rec.get(col), row
                elif group.values[col] != value:
                    first = group.value_rows[col]
                    report.error(
                        f"与第{first}行同一稿件的{col}“{display(group.raw[col])}”不一致(一稿多投的各行,{col}应相同或留空)",
                        row=row,
                        column=col,
                        value=rec.get(col),
                    )
        if outlet is not None and any(p.outlet == outlet for p in group.pubs):
            first = next(p.row for p in group.pubs if p.outlet == outlet)
            report.error(f"与第{first}行重复:同一稿件在同一媒体只能登记一次", row=row, column=OUTLET, value=outlet_cell)
        page = text(rec.get(PAGE)) if PAGE in rec else None
        group.pubs.append(PubRow(row, outlet, day, placement, page, url))

    for group in groups.values():
        kind = group.values.get(KIND)
        if KIND not in group.values:
            report.error("稿件类型不能为空", row=group.row, column=KIND)
        if not group.values.get(AUTHORS):
            report.error("作者不能为空(多位作者用顿号、逗号或空格分隔)", row=group.row, column=AUTHORS)
        unpublished = [p for p in group.pubs if p.outlet is None]
        for p in unpublished:
            if kind != PieceKind.RESEARCH and kind is not None:
                report.error(
                    "媒体不能为空(只有未刊发的调研文章可不填媒体,此时刊发日期填报送日期)", row=p.row, column=OUTLET
                )
            elif len(group.pubs) > 1:
                report.error("未刊发的调研文章只能有一行;已刊发的请在每行填写媒体", row=p.row, column=OUTLET)
        dated = [p for p in group.pubs if p.date is not None]
        if dated:
            earliest = min(dated, key=lambda p: p.date)
            if earliest.date.year > year.year:
                report.error(
                    f"不在{year.year}年度内(稿件按最早刊发日期计入年度)",
                    row=earliest.row,
                    column=DATE,
                    value=earliest.date,
                )
    return list(groups.values())


SERVICE_FIELD_COLUMNS = {
    "title": TITLE,
    "kind": KIND,
    "characters": CHARS,
    "authors": AUTHORS,
    "publications": OUTLET,
    "report_date": DATE,
}


def _same(piece: Piece, group: PieceRows, publications: list[PublicationInput]) -> bool:
    """True when the piece already says what the rows say (a re-import changes nothing)."""
    if (
        piece.kind != group.values[KIND]
        or piece.characters != group.values.get(CHARS, 0)
        or [a.name for a in piece.authors.all()] != _authors(group)
        or {t.pk for t in piece.topics.all()} != {t.pk for t in group.values.get(TOPICS, [])}
        or (not publications and piece.report_date != group.report_date)
    ):
        return False
    mine = {(p.outlet_id, p.date, p.placement, p.page, p.url) for p in piece.publications.all()}
    theirs = {(p.outlet.pk, p.date, p.placement, p.page, p.url) for p in publications}
    return mine == theirs


def _authors(group: PieceRows) -> list[str]:
    names: list[str] = []
    for n in group.values.get(AUTHORS, []):
        if n not in names:
            names.append(n)
    return names


def import_pieces(
    sheets: list[Sheet],
    *,
    year: AssessmentYear,
    approve: bool = False,
    dry_run: bool = False,
    actor: User | None = None,
) -> ImportReport:
    """One row per publication; rows with the same 单位 and 标题 are one piece (一稿多投).

    New pieces arrive submitted (``approve``: approved). An existing piece with the same unit and
    title is updated if it is still editable, left alone if nothing differs, and is an error if it
    was approved and the table says something else (an approved piece is locked)."""
    report = ImportReport("稿件", dry_run=dry_run, columns=list(PIECE_COLUMNS))
    if year.is_frozen:
        report.error(year_frozen_error(year).messages[0])
        return report
    if approve:
        try:
            ensure_can_review(actor)
        except PermissionDenied as exc:
            report.error(f"{exc}(导入时直接审核通过需要审核员权限)")
            return report
    try:
        table = find_table(sheets, [UNIT, TITLE], "刊发新闻稿件统计", prefer=SHEET_NAME)
    except ImportAborted as exc:
        report.error(str(exc))
        return report
    table.headers = [PIECE_HEADER_ALIASES.get(h, h) for h in table.headers]
    missing = [c for c in PIECE_REQUIRED if c not in table.headers]
    if missing:
        report.error("表头缺少" + "、".join(f"「{c}」" for c in missing) + "列", row=table.header_row)
        return report
    ignored = [h for h in table.headers if h and h not in PIECE_COLUMNS and h not in ("序号", PAGE)]
    if ignored:
        report.notes.append("已忽略无法识别的列:" + "、".join(ignored))

    groups = _parse_piece_rows(table, year, report)
    if report.errors:
        return report

    with transaction.atomic():
        try:
            year = ensure_year_editable(year, lock=True)
        except ValidationError as exc:
            report.error(exc.messages[0])
            transaction.set_rollback(True)
            return report
        existing = {
            (p.unit_id, p.title): p
            for p in Piece.objects.filter(year=year, unit_id__in={g.unit.pk for g in groups}).prefetch_related(
                "authors", "topics", Prefetch("publications", queryset=Publication.objects.order_by("id"))
            )
        }
        for group in groups:
            try:
                # A savepoint per piece: one piece's error is reported and the others still checked.
                with transaction.atomic():
                    _write_piece(group, existing.get((group.unit.pk, group.title)), year, approve, actor, report)
            except ValidationError as exc:
                for fname, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    column = SERVICE_FIELD_COLUMNS.get(fname)
                    if column is None and fname != "__all__":
                        column = fname
                    for msg in msgs:
                        report.error(msg, row=group.row, column=column)
            except PermissionDenied as exc:
                report.error(str(exc), row=group.row, column=UNIT, value=group.unit.name)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def _write_piece(group: PieceRows, piece: Piece | None, year, approve: bool, actor, report: ImportReport) -> None:
    label = f"{group.unit.name}《{group.title}》"
    pages = {p.outlet_id: p.page for p in piece.publications.all()} if piece else {}
    publications = group.publications(pages)
    detail = f"{len(publications)}条刊发记录" if publications else "未刊发"
    fields = dict(
        kind=group.values[KIND],
        characters=group.values.get(CHARS, 0),
        authors=_authors(group),
        topics=group.values.get(TOPICS, []),
        report_date=group.report_date,
        publications=publications,
    )
    if piece is None:
        # Table rows carry links but no files: the year's proof rule is not applied here; the review
        # queue flags imported pieces without proof instead (issue 11 item 5).
        piece = piece_create(
            actor=actor,
            unit=group.unit,
            year=year,
            title=group.title,
            submit=True,
            approve=approve,
            check_proof=False,
            **fields,
        )
        report.changes.append(Change("new", group.row, label, detail, piece))
        return
    if _same(piece, group, publications):
        if approve and piece.status == PieceStatus.SUBMITTED:
            piece_review(actor=actor, piece=piece, approve=True)
            report.changes.append(Change("update", group.row, label, "审核通过", piece))
        else:
            report.changes.append(Change("skip", group.row, label, piece.get_status_display(), piece))
        return
    if piece.status not in EDITABLE_STATUSES:
        raise ValidationError(
            {
                "title": f"“{group.title}”已审核通过,表中内容与系统中的不一致;已通过的稿件不能通过导入修改"
                "(请删去这些行,或由审核员先退回该稿件)"
            }
        )
    piece = piece_update(actor=actor, piece=piece, title=group.title, submit=True, check_proof=False, **fields)
    if approve:
        piece_review(actor=actor, piece=piece, approve=True)
    report.changes.append(Change("update", group.row, label, detail, piece))


# ================================================================ export rows


def piece_export_rows(pieces: Iterable[Piece]) -> Iterable[list[Any]]:
    """The statistics table's rows (PIECE_COLUMNS), one per publication; an unpublished research
    article is one row with no outlet and its report date. ``pieces`` should come with
    ``with_export_relations`` so this makes no query per piece."""
    for piece in pieces:
        common = [
            piece.unit.name,
            piece.title,
            "、".join(a.name for a in piece.authors.all()),
            piece.get_kind_display(),
            "、".join(t.name for t in piece.topics.all()),
            piece.characters,
        ]
        pubs = list(piece.publications.all())
        if not pubs:
            yield [*common, "", piece.report_date, "", ""]
        for p in pubs:
            yield [*common, p.outlet.name, p.date, p.get_placement_display(), p.url]


def with_export_relations(queryset):
    return queryset.select_related("unit").prefetch_related(
        "authors",
        "topics",
        Prefetch("publications", queryset=Publication.objects.select_related("outlet").order_by("date", "id")),
    )


# ================================================================ outlets (媒体目录)

OUTLET_COLUMNS = ["媒体名称", "级别", "类别", "别名", "网站域名", "本局网站", "启用"]
YES, NO = {"是", "y", "yes", "true", "1", "√"}, {"否", "n", "no", "false", "0", ""}


def _yes_no(value: Any) -> bool:
    s = name_key(value)
    if s in YES:
        return True
    if s in NO:
        return False
    raise CellError("应填“是”或“否”")


def import_outlets(sheets: list[Sheet], *, dry_run: bool = False) -> ImportReport:
    """The media catalogue, matched by 媒体名称; 级别 and 类别 by their names. All or nothing."""
    from .models import OutletCategory, OutletLevel

    name_col, level_col, cat_col, alias_col, domain_col, own_col, active_col = OUTLET_COLUMNS
    report = ImportReport("媒体", dry_run=dry_run, columns=list(OUTLET_COLUMNS))
    try:
        table = find_table(sheets, [name_col, level_col, cat_col], "媒体目录")
    except ImportAborted as exc:
        report.error(str(exc))
        return report
    present = set(table.headers)
    levels = NameIndex(OutletLevel.objects.all(), aliases=lambda x: [x.code])
    cats = NameIndex(OutletCategory.objects.all(), aliases=lambda x: [x.code])
    existing = {o.name: o for o in Outlet.objects.all()}
    plan, seen = [], {}
    for row, rec in table.records():
        name = text(rec.get(name_col))
        if not name:
            report.error("媒体名称不能为空", row=row, column=name_col)
            continue
        if name in seen:
            report.error(f"与第{seen[name]}行的媒体重复", row=row, column=name_col, value=name)
            continue
        seen[name] = row
        values: dict[str, Any] = {}
        level, cat = levels.get(rec.get(level_col)), cats.get(rec.get(cat_col))
        if level is None:
            report.error("不是已登记的媒体级别", row=row, column=level_col, value=rec.get(level_col))
        if cat is None:
            report.error("不是已登记的媒体类别", row=row, column=cat_col, value=rec.get(cat_col))
        values["level"], values["category"] = level, cat
        if alias_col in present:
            values["aliases"] = "、".join(split_list(text(rec.get(alias_col))))
        if domain_col in present:
            values["domains"] = ",".join(split_list(text(rec.get(domain_col))))
        for col, fname in ((own_col, "is_own_website"), (active_col, "is_active")):
            if col in present and not (fname == "is_active" and is_blank(rec.get(col))):
                try:
                    values[fname] = _yes_no(rec.get(col))
                except CellError as exc:
                    report.error(str(exc), row=row, column=col, value=rec.get(col))
        plan.append((row, name, values))
    if report.errors:
        return report
    columns = {"level": level_col, "category": cat_col, "aliases": alias_col, "domains": domain_col}
    columns |= {"is_own_website": own_col, "is_active": active_col, "name": name_col}
    with transaction.atomic():
        for row, name, values in plan:
            outlet = existing.get(name)
            action = "new" if outlet is None else "update"
            outlet = outlet or Outlet(name=name)
            changed = [
                f
                for f, v in values.items()
                if getattr(outlet, f if f not in ("level", "category") else f + "_id")
                != (v.pk if f in ("level", "category") else v)
            ]
            if action == "update" and not changed:
                report.changes.append(Change("skip", row, name, "", outlet))
                continue
            for f in changed:
                setattr(outlet, f, values[f])
            try:
                with transaction.atomic():
                    outlet.full_clean(validate_unique=action == "new", validate_constraints=False)
                    outlet.save()
            except (ValidationError, IntegrityError) as exc:
                msgs = getattr(exc, "message_dict", None) or {"is_own_website": ["只能有一个媒体标为本局网站"]}
                for fname, m in msgs.items():
                    report.error("".join(m), row=row, column=columns.get(fname))
                continue
            report.changes.append(
                Change(action, row, name, "、".join(columns[f] for f in changed) if action == "update" else "", outlet)
            )
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report


def outlet_export_rows(queryset) -> Iterable[list[Any]]:
    for o in queryset.select_related("level", "category"):
        yield [
            o.name,
            o.level.name,
            o.category.name,
            "、".join(o.alias_list),
            ",".join(o.domain_list),
            "是" if o.is_own_website else "否",
            "是" if o.is_active else "否",
        ]

"""Importing the allocation table (任务分解表) and the statistics table (刊发新闻稿件统计表).

Used by ``manage.py import_quotas`` / ``import_pieces``, the admin's preview → confirm import and the
bureau console, so every door gives the same result and the same Chinese errors (naming sheet, row and
column). Every import is all or nothing.

The piece import, for a page that offers it (the API):

    report = import_pieces(sheets, year=y, actor=user, dry_run=True)          # the preview: writes nothing
    report.changes          # per piece: new / update / skip (+ approve), its rows, outlets, what changes
    report.skipped          # rows that are not data (合计, 填报人, 注:, 示例), each with its reason
    report.renamed          # cells read as something else (authors without 通讯员/摄影 …)
    report.warnings         # near-identical / similar titles, publications another unit logged
    report.suggestions      # unknown unit/outlet names with the closest registered names ("add as alias")
    report.error_groups()   # errors grouped by what is wrong, every place listed
    report = import_pieces(sheets, year=y, actor=user, add_aliases=[("unit", "旬阳县人力资源和社会保障局",
                           "旬阳县人社局")], expected_fingerprint=preview.fingerprint)   # confirm

Confirm checks everything again and writes only if its plan has the preview's ``fingerprint``; the
chosen aliases are saved in the same transaction as the pieces, and the year row is locked only for
that final write (``services.pieces_bulk_write``). ``publicity.tasks.import_pieces_job`` runs the same
confirm in the background worker for a big file.
"""

from __future__ import annotations

import datetime as dt
import re
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
    Renamed,
    Sheet,
    Suggestion,
    date_cell,
    display,
    find_table,
    find_tables,
    is_blank,
    name_key,
    split_authors,
    text,
    url_cell,
    whole_number,
)
from units.models import Unit, User, split_list
from units.validators import strip_control_chars

from .claims import normalise_title
from .import_audit import audited_import
from .models import (
    TARGET_MAX,
    AssessmentYear,
    HeaderAlias,
    ImportTable,
    Indicator,
    Outlet,
    Piece,
    PieceKind,
    PieceStatus,
    Placement,
    Publication,
    Topic,
    UnitTarget,
    WordAlias,
    WordField,
)
from .services import (
    EDITABLE_STATUSES,
    PieceData,
    PublicationInput,
    check_piece_data,
    ensure_can_review,
    ensure_year_editable,
    pieces_bulk_write,
    year_frozen_error,
)

# ================================================================ quotas (任务分解表)

QUOTA_UNIT = "单位"
# Columns an allocation table often carries that are not indicators.
QUOTA_IGNORED = {"序号", "年度", "单位类型", "类型", "备注", "合计", "小计"}


def _unit_index() -> NameIndex:
    return NameIndex(Unit.objects.select_related("kind"))


@audited_import
def import_quotas(sheets: list[Sheet], *, year: AssessmentYear, dry_run: bool = False) -> ImportReport:
    """One row per unit, one column per indicator (headed by code or name) of the year.

    A number sets the unit's target; a blank cell means "the unit kind's default": an existing
    UnitTarget for that indicator is removed so the default applies again."""
    report = ImportReport("单位任务", dry_run=dry_run)
    if year.is_frozen:
        report.error(year_frozen_error(year).messages[0])
        return report
    try:
        table = find_table(sheets, [QUOTA_UNIT], "任务分解", aliases=header_aliases(ImportTable.QUOTAS))
    except ImportAborted as exc:
        report.error(str(exc))
        return report
    report.sheet = table.name

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
            if number is not None and number > TARGET_MAX:
                report.error(f"任务数太大:每项指标最多{TARGET_MAX}篇", row=row, column=header, value=cell)
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
# Per-piece columns: rows of one piece (一稿多投) must agree on them; a blank repeats the first row.
PIECE_LEVEL = [AUTHORS, KIND, TOPICS, CHARS]
SHEET_NAME = "刊发新闻稿件统计表"
#: A cell that says "the same as above" (同上 style) in a per-piece column.
DITTO = {"同上", "同左", "〃", '"', "”", "''"}
TEXT_LIMITS = {TITLE: 300, PAGE: 100, URL: 500}
#: Page numbers that are not the front page: 第3版, 3版, A3版, 第三版, B1版 … (kept as the page text).
PAGE_NUMBER = re.compile(r"^第?[A-Za-z]?[0-9一二三四五六七八九十]+(?:-[0-9一二三四五六七八九十]+)?版(?:面)?$")


PLACEMENT_LABELS = {"头版头条", "头版", "其他版面"}


def header_aliases(table: str) -> dict[str, str]:
    """name_key(word) -> canonical column, from the bureau's 表头别名."""
    return {name_key(a.word): a.column for a in HeaderAlias.objects.filter(table=table)}


def word_map(field: str) -> dict[str, str]:
    """name_key(word) -> choice value: the choice labels and the bureau's 用语别名."""
    from django.utils.translation import override

    choices = PieceKind if field == WordField.KIND else Placement
    with override("zh-hans"):  # tables are written in Chinese whatever the page's language
        words = {name_key(str(c.label)): c.value for c in choices}
    words |= {name_key(a.word): a.value for a in WordAlias.objects.filter(field=field)}
    return words


def kind_from_text(value: Any, words: dict[str, str] | None = None) -> str | None:
    return (words if words is not None else word_map(WordField.KIND)).get(name_key(value))


def placement_from_text(value: Any, words: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(placement, page text to keep) or None. Blank is 其他版面; 第3版 is 其他版面 keeping “第3版”."""
    if is_blank(value):
        return Placement.OTHER, ""
    words = words if words is not None else word_map(WordField.PLACEMENT)
    key = name_key(value)
    label = text(value)
    page = "" if key in PLACEMENT_LABELS else label
    if key in words:
        return words[key], page
    if PAGE_NUMBER.match(key):
        return Placement.OTHER, page
    return None


@dataclass
class PubRow:
    sheet: str
    row: int
    outlet: Outlet | None
    date: dt.date | None
    placement: str
    page: str | None  # None: neither a 版面/栏目 column nor a page in 版面: keep what is recorded
    url: str


@dataclass
class PieceRows:
    """The rows of one piece: same 单位 and the same 标题 up to punctuation and spaces."""

    unit: Unit
    title: str
    sheet: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)  # piece-level column -> parsed value
    raw: dict[str, Any] = field(default_factory=dict)  # piece-level column -> cell as typed
    value_rows: dict[str, int] = field(default_factory=dict)
    pubs: list[PubRow] = field(default_factory=list)
    action: str = ""
    piece_id: int | None = None
    stamp: dt.datetime | None = None
    detail: str = ""

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

    @property
    def label(self) -> str:
        return f"{self.unit.name}《{self.title}》"

    @property
    def rows_text(self) -> str:
        return "、".join((f"「{p.sheet}」" if p.sheet != self.sheet else "") + str(p.row) for p in self.pubs)

    def authors(self) -> list[str]:
        names: list[str] = []
        for n in self.values.get(AUTHORS, []):
            if n not in names:
                names.append(n)
        return names

    def data(self, title: str, pages: dict[int, str] | None = None) -> PieceData:
        return PieceData(
            unit=self.unit,
            title=title,
            kind=self.values.get(KIND),
            characters=self.values.get(CHARS, 0),
            authors=self.authors(),
            topics=self.values.get(TOPICS, []),
            report_date=self.report_date,
            publications=self.publications(pages),
        )


def _outlet_index() -> NameIndex:
    return NameIndex(Outlet.objects.all())


def _topic_index() -> NameIndex:
    return NameIndex(Topic.objects.all(), aliases=lambda t: split_list(t.aliases))


_url_validator = URLValidator(schemes=["http", "https"])
# Plain ASCII links (almost all of them) in a form URLValidator always accepts: checked without its big regex.
_PLAIN_URL = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?(?:[/?#][!-~]*)?$", re.I
)


def valid_url(url: str) -> bool:
    if len(url) > TEXT_LIMITS[URL]:
        return False
    if _PLAIN_URL.match(url):
        return True
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


# What the confirm step may add as an alias: kind -> (model, the column its name is in).
ALIAS_KINDS = {"unit": (Unit, UNIT), "outlet": (Outlet, OUTLET)}


def _apply_aliases(indexes: dict[str, NameIndex], add_aliases, report: ImportReport) -> list[tuple[Any, str]]:
    """In-memory aliases chosen in the preview ("加为别名"): [(object, word)] to save on confirm."""
    out = []
    for kind, word, target in add_aliases or ():
        index = indexes.get(kind)
        obj = index.get(target) if index else None
        if obj is None or not name_key(word):
            report.error(f"“{target}”不是已登记的名称,不能把“{word}”加为它的别名")
            continue
        if index.get(word) not in (None, obj):
            report.error(f"“{word}”已是“{index.get(word).name}”的名称或别名,不能再加给“{obj.name}”")
            continue
        index.add(word, obj)
        out.append((obj, word))
    return out


def _unknown_name(report, suggestions, kind: str, index: NameIndex, value: Any, row: int, column: str, what: str):
    shown = text(value)
    key = (kind, shown)
    sug = suggestions.get(key)
    if sug is None:
        sug = suggestions[key] = Suggestion(kind, shown, index.suggest(shown))
    sug.rows.append((report.sheet, row))
    hint = f";是否为:{'、'.join(sug.candidates)}?" if sug.candidates else ""
    report.error(f"不是已登记的{what}{hint}", row=row, column=column, value=value)


def _control_chars(report, row, rec) -> None:
    from units.validators import find_control_char

    for column, value in rec.items():
        char = find_control_char(value)
        if char is not None:
            report.error(
                f"含有不可见的控制字符(U+{ord(char):04X}),请在表格中删除后重新导入",
                row=row,
                column=column,
                value=strip_control_chars(value),
            )


def _fill_down(rec: dict[str, Any], prev: dict[str, Any] | None) -> None:
    """同上: a blank 单位/标题 under a row is that row's, when the row is clearly another publication
    (it names another outlet); a cell saying 同上 repeats the cell above."""
    if prev is None:
        return
    for col in (UNIT, TITLE, *PIECE_LEVEL):
        if text(rec.get(col)) in DITTO:
            rec[col] = prev.get(col)
    # Another publication names its own outlet (the same outlet twice would be a mistake, not 一稿多投).
    another_publication = not is_blank(rec.get(OUTLET)) and name_key(rec.get(OUTLET)) != name_key(prev.get(OUTLET))
    if (
        is_blank(rec.get(TITLE))
        and another_publication
        and (is_blank(rec.get(UNIT)) or name_key(rec.get(UNIT)) == name_key(prev.get(UNIT)))
    ):
        rec[TITLE] = prev.get(TITLE)
        for col in PIECE_LEVEL:
            if is_blank(rec.get(col)):
                rec[col] = prev.get(col)
    if is_blank(rec.get(UNIT)) and not is_blank(rec.get(TITLE)):
        rec[UNIT] = prev.get(UNIT)


def _parse_piece_rows(tables, year: AssessmentYear, report: ImportReport, add_aliases=()) -> list[PieceRows]:
    units, outlets, topics = _unit_index(), _outlet_index(), _topic_index()
    report.alias_plan = _apply_aliases({"unit": units, "outlet": outlets}, add_aliases, report)
    kinds, placements = word_map(WordField.KIND), word_map(WordField.PLACEMENT)
    kind_help = "、".join(str(c.label) for c in PieceKind)
    groups: dict[tuple[int, str], PieceRows] = {}
    suggestions: dict[tuple[str, str], Suggestion] = {}
    renamed: dict[tuple[str, str], Renamed] = {}
    for table in tables:
        report.sheet = table.name
        has_page = PAGE in table.headers
        prev: dict[str, Any] | None = None
        for row, rec in table.records():
            _fill_down(rec, prev)
            prev = rec
            bad = len(report.errors)
            _control_chars(report, row, rec)
            unit_cell, title = rec.get(UNIT), text(rec.get(TITLE))
            unit = units.get(unit_cell)
            if unit is None:
                if is_blank(unit_cell):
                    report.error("单位不能为空", row=row, column=UNIT)
                else:
                    _unknown_name(report, suggestions, "unit", units, unit_cell, row, UNIT, "单位名称或简称")
            if not title:
                report.error("标题不能为空", row=row, column=TITLE)
            elif len(title) > TEXT_LIMITS[TITLE]:
                report.error("标题过长(最多300字)", row=row, column=TITLE)

            values: dict[str, Any] = {}
            authors_cell = rec.get(AUTHORS)
            if not is_blank(authors_cell):
                names, changed = split_authors(authors_cell)
                if any(len(n) > 50 for n in names):
                    report.error("作者姓名过长(每人最多50字)", row=row, column=AUTHORS, value=authors_cell)
                if changed:
                    key = (table.name, text(authors_cell))
                    if key in renamed:  # the same cell text again (merged or 同上 rows of one piece): one line
                        renamed[key].more_rows.append(row)
                    else:
                        renamed[key] = Renamed(table.name, row, AUTHORS, text(authors_cell), "、".join(names))
                        report.renamed.append(renamed[key])
                values[AUTHORS] = names
            kind_cell = rec.get(KIND)
            if not is_blank(kind_cell):
                kind = kinds.get(name_key(kind_cell))
                if kind is None:
                    report.error(
                        f"不是有效的稿件类型(可选:{kind_help};其他写法可在后台“用语别名”中添加)",
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
                    _unknown_name(report, suggestions, "outlet", outlets, outlet_cell, row, OUTLET, "媒体名称或别名")
            date_value = rec.get(DATE)
            day = None
            try:
                day = date_cell(date_value, year=year.year)
                if day is None:
                    report.error("刊发日期不能为空", row=row, column=DATE)
                elif day.year < year.year:
                    report.error(f"不在{year.year}年度内", row=row, column=DATE, value=date_value)
            except CellError as exc:
                report.error(str(exc), row=row, column=DATE, value=date_value)
            placement_cell = rec.get(PLACEMENT)
            read = placement_from_text(placement_cell, placements)
            placement, page = read if read else (Placement.OTHER, "")
            if read is None:
                report.error(
                    "不是有效的版面(可选:头版头条、头版、其他版面,或写版次如“第3版”;留空为其他版面;"
                    "其他写法可在后台“用语别名”中添加)",
                    row=row,
                    column=PLACEMENT,
                    value=placement_cell,
                )
            if has_page:
                page = text(rec.get(PAGE)) or page
                if len(page) > TEXT_LIMITS[PAGE]:
                    report.error("版面/栏目过长(最多100字)", row=row, column=PAGE)
            elif not page:
                page = None
            url = url_cell(rec.get(URL))
            if url and not valid_url(url):
                report.error(
                    "不是有效的网址(如 http://www.akxw.cn/… 或 akxw.cn/…)", row=row, column=URL, value=rec.get(URL)
                )
            if len(report.errors) > bad or unit is None:
                continue

            key = (unit.pk, normalise_title(title) or title)
            group = groups.get(key)
            if group is None:
                group = groups[key] = PieceRows(unit=unit, title=title, sheet=table.name, row=row)
                group.values = values
                group.raw = {c: rec.get(c) for c in PIECE_LEVEL}
                group.value_rows = dict.fromkeys(values, row)
            else:
                if title != group.title:
                    report.warnings.append(
                        f"「{table.name}」第{row}行的标题“{title}”与「{group.sheet}」第{group.row}行的“{group.title}”"
                        "只差标点或空格,按同一稿件的又一次刊发(一稿多投)导入"
                    )
                for col, value in values.items():
                    if col not in group.values:
                        group.values[col], group.raw[col], group.value_rows[col] = value, rec.get(col), row
                    elif group.values[col] != value:
                        first = group.value_rows[col]
                        report.error(
                            f"与第{first}行同一稿件的{col}“{display(group.raw[col])}”不一致"
                            f"(一稿多投的各行,{col}应相同或留空)",
                            row=row,
                            column=col,
                            value=rec.get(col),
                        )
            if outlet is not None and any(p.outlet == outlet for p in group.pubs):
                first = next(p for p in group.pubs if p.outlet == outlet)
                where = f"「{first.sheet}」第{first.row}行" if first.sheet != table.name else f"第{first.row}行"
                report.error(f"与{where}重复:同一稿件在同一媒体只能登记一次", row=row, column=OUTLET, value=outlet_cell)
            group.pubs.append(PubRow(table.name, row, outlet, day, placement, page, url))
        report.skipped += table.skipped
    report.sheet = None
    report.suggestions = list(suggestions.values())

    for group in groups.values():
        report.sheet = group.sheet
        kind = group.values.get(KIND)
        if KIND not in group.values:
            report.error("稿件类型不能为空", row=group.row, column=KIND)
        if not group.values.get(AUTHORS):
            report.error("作者不能为空(多位作者用顿号、逗号或空格分隔)", row=group.row, column=AUTHORS)
        unpublished = [p for p in group.pubs if p.outlet is None]
        for p in unpublished:
            if kind != PieceKind.RESEARCH and kind is not None:
                report.error(
                    "媒体不能为空(只有未刊发的调研文章可不填媒体,此时刊发日期填报送日期)",
                    row=p.row,
                    column=OUTLET,
                    sheet=p.sheet,
                )
            elif len(group.pubs) > 1:
                report.error(
                    "未刊发的调研文章只能有一行;已刊发的请在每行填写媒体", row=p.row, column=OUTLET, sheet=p.sheet
                )
        dated = [p for p in group.pubs if p.date is not None]
        if dated:
            earliest = min(dated, key=lambda p: p.date)
            if earliest.date.year > year.year:
                report.error(
                    f"不在{year.year}年度内(稿件按最早刊发日期计入年度)",
                    row=earliest.row,
                    column=DATE,
                    value=earliest.date,
                    sheet=earliest.sheet,
                )
    report.sheet = None
    _similar_titles(list(groups.values()), report)
    _claimed_elsewhere(list(groups.values()), year, report)
    return list(groups.values())


def _claimed_elsewhere(groups: list[PieceRows], year: AssessmentYear, report: ImportReport) -> None:
    """A publication another unit has already logged (the same outlet and link, or the same outlet, date and
    title up to punctuation — publicity.claims' definition): a warning naming the row and the other piece.
    Two queries whatever the size: links by an indexed IN, titles among that year's publications on the
    file's outlets, dates and titles."""
    from .claims import claim_keys, url_spellings

    wanted: dict[tuple, list[tuple[PieceRows, PubRow]]] = {}
    for g in groups:
        for p in g.pubs:
            if p.outlet is not None:
                for key in claim_keys(g.title, [(p.outlet.pk, p.date, p.url)]):
                    wanted.setdefault(key, []).append((g, p))
    if not wanted:
        return
    urls = url_spellings(p.url for g in groups for p in g.pubs if p.url)
    outlets = {p.outlet.pk for g in groups for p in g.pubs if p.outlet}
    dates = {p.date for g in groups for p in g.pubs if p.date}
    found = (
        list(
            Publication.objects.filter(piece__year=year, url__in=urls).values_list(
                "outlet_id", "date", "url", "piece__title", "piece__unit_id", "piece__unit__name"
            )
        )
        if urls
        else []
    )
    # Same outlet, date and title: the SQL narrows by the titles as written (a province's year holds hundreds
    # of thousands of publications on the file's outlets and dates); titles differing only in punctuation
    # across units are still flagged by the scoring rules and the review queue.
    titles = {g.title for g in groups}
    found += list(
        Publication.objects.filter(
            piece__year=year, outlet_id__in=outlets, date__in=dates, piece__title__in=titles
        ).values_list("outlet_id", "date", "url", "piece__title", "piece__unit_id", "piece__unit__name")
    )
    said = set()
    for outlet_id, date, url, title, unit_id, unit_name in found:
        for key in claim_keys(title, [(outlet_id, date, url)]):
            for g, p in wanted.get(key, ()):
                if g.unit.pk == unit_id or (p.sheet, p.row, unit_id, title) in said:
                    continue
                said.add((p.sheet, p.row, unit_id, title))
                report.warnings.append(
                    f"「{p.sheet}」第{p.row}行:{unit_name}已登记过同一次刊发(《{title}》,{p.outlet.name}),"
                    "两个单位报送同一稿件时请核对"
                )


def _similar_titles(groups: list[PieceRows], report: ImportReport) -> None:
    """Titles of one unit that are merely similar (≥ 0.9, as the web form measures): a warning naming both rows."""
    from rapidfuzz import fuzz, process

    from .duplicates import TITLE_RATIO, title_ratio

    by_unit: dict[int, list[PieceRows]] = {}
    for g in groups:
        by_unit.setdefault(g.unit.pk, []).append(g)
    for items in by_unit.values():
        if len(items) < 2:
            continue
        norms = [normalise_title(g.title) for g in items]
        # rapidfuzz narrows the pairs (C++); the web form's difflib ratio decides.
        scores = process.cdist(norms, norms, scorer=fuzz.ratio, score_cutoff=TITLE_RATIO * 100 - 10, workers=1)
        for i, j in zip(*scores.nonzero(), strict=True):
            if i < j and title_ratio(items[i].title, items[j].title) >= TITLE_RATIO:
                a, b = items[i], items[j]
                report.warnings.append(
                    f"「{a.sheet}」第{a.row}行“{a.title}”与「{b.sheet}」第{b.row}行“{b.title}”标题相似,"
                    "请确认是两篇不同的稿件"
                )


def _differences(piece: Piece, group: PieceRows, publications: list[PublicationInput]) -> list[str]:
    """The columns in which the rows differ from the recorded piece (shown in the preview)."""
    out = []
    if piece.kind != group.values[KIND]:
        out.append(KIND)
    if piece.characters != group.values.get(CHARS, 0):
        out.append(f"{CHARS} {piece.characters}→{group.values.get(CHARS, 0)}")
    if [a.name for a in piece.authors.all()] != group.authors():
        out.append(AUTHORS)
    if {t.pk for t in piece.topics.all()} != {t.pk for t in group.values.get(TOPICS, [])}:
        out.append(TOPICS)
    mine = {(p.outlet_id, p.date, p.placement, p.page, p.url) for p in piece.publications.all()}
    theirs = {(p.outlet.pk, p.date, p.placement, p.page, p.url) for p in publications}
    if mine != theirs or (not publications and piece.report_date != group.report_date):
        out.append("刊发记录")
    return out or ["内容"]


def _same(piece: Piece, group: PieceRows, publications: list[PublicationInput]) -> bool:
    """True when the piece already says what the rows say (a re-import changes nothing)."""
    if (
        piece.kind != group.values[KIND]
        or piece.characters != group.values.get(CHARS, 0)
        or [a.name for a in piece.authors.all()] != group.authors()
        or {t.pk for t in piece.topics.all()} != {t.pk for t in group.values.get(TOPICS, [])}
        or (not publications and piece.report_date != group.report_date)
    ):
        return False
    mine = {(p.outlet_id, p.date, p.placement, p.page, p.url) for p in piece.publications.all()}
    theirs = {(p.outlet.pk, p.date, p.placement, p.page, p.url) for p in publications}
    return mine == theirs


SERVICE_FIELD_COLUMNS = {
    "title": TITLE,
    "kind": KIND,
    "characters": CHARS,
    "authors": AUTHORS,
    "publications": OUTLET,
    "report_date": DATE,
}


def _service_errors(report: ImportReport, group: PieceRows, exc: ValidationError) -> None:
    for fname, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        column = SERVICE_FIELD_COLUMNS.get(fname)
        if column is None and fname != "__all__":
            column = fname
        for msg in msgs:
            report.error(msg, row=group.row, column=column, sheet=group.sheet)


def _existing_pieces(year: AssessmentYear, groups: list[PieceRows]) -> dict[tuple[int, str], Piece]:
    """The year's pieces of the file's units, by (unit, title without punctuation): a fixed number of
    queries — titles first (one light query), then only the matching pieces with their children."""
    unit_ids = {g.unit.pk for g in groups}
    wanted = {(g.unit.pk, normalise_title(g.title) or g.title) for g in groups}
    ids = {}
    for i in range(0, len(unit_ids) or 1, 500):
        chunk = list(unit_ids)[i : i + 500]
        for pk, unit_id, title in Piece.objects.filter(year=year, unit_id__in=chunk).values_list(
            "pk", "unit_id", "title"
        ):
            key = (unit_id, normalise_title(title) or title)
            if key in wanted:
                ids[pk] = key
    found: dict[tuple[int, str], Piece] = {}
    pks = list(ids)
    for i in range(0, len(pks), 2000):
        for piece in Piece.objects.filter(pk__in=pks[i : i + 2000]).prefetch_related(
            "authors", "topics", Prefetch("publications", queryset=Publication.objects.order_by("id"))
        ):
            found[ids[piece.pk]] = piece
    return found


@audited_import
def import_pieces(
    sheets: list[Sheet],
    *,
    year: AssessmentYear,
    approve: bool = False,
    dry_run: bool = False,
    actor: User | None = None,
    add_aliases: Iterable[tuple[str, str, str]] = (),
    expected_fingerprint: str = "",
    progress=None,
) -> ImportReport:
    """One row per publication; rows with the same 单位 and 标题 are one piece (一稿多投).

    Set-based: the file is read once and checked in memory against name indexes and the year's
    pieces (the preview, ``dry_run``); then, unless it is a dry run, written in one transaction
    through ``services.pieces_bulk_write`` — the year row is locked only for that write. New pieces
    arrive submitted (``approve``: approved). An existing piece with the same unit and title is
    updated if it is still editable, left alone if nothing differs, and is an error if it was
    approved and the table says something else (an approved piece is locked).

    ``add_aliases`` — [(unit|outlet, word, registered name)] chosen in the preview — are used for the
    check and, on a real run, saved in the same transaction. ``expected_fingerprint`` is the preview's:
    a plan that differs from what the clerk saw is refused and nothing is written."""
    report = ImportReport("稿件", dry_run=dry_run, columns=list(PIECE_COLUMNS))
    step = progress or (lambda *a, **k: None)
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
        tables, notes = find_tables(
            sheets,
            [UNIT, TITLE],
            "刊发新闻稿件统计",
            prefer=SHEET_NAME,
            aliases=header_aliases(ImportTable.PIECES),
            known=[*PIECE_COLUMNS, PAGE],
        )
    except ImportAborted as exc:
        report.error(str(exc))
        return report
    complete = [t for t in tables if all(c in t.headers for c in PIECE_REQUIRED)]
    for table in [t for t in tables if t not in complete]:
        missing = [c for c in PIECE_REQUIRED if c not in table.headers]
        if complete:
            notes.append(f"工作表「{table.name}」缺少" + "、".join(f"「{c}」" for c in missing) + "列,未读取")
        else:
            report.error(
                "表头缺少" + "、".join(f"「{c}」" for c in missing) + "列", row=table.header_row, sheet=table.name
            )
    if report.errors:
        return report
    tables = complete
    report.notes += notes
    report.notes += [f"读取了工作表「{t.name}」" for t in tables] if len(tables) > 1 else []
    for table in tables:
        ignored = [h for h in table.headers if h and h not in PIECE_COLUMNS and h not in ("序号", PAGE)]
        if ignored:
            report.notes.append(f"「{table.name}」已忽略无法识别的列:" + "、".join(dict.fromkeys(ignored)))

    step(1, 4, "正在检查各行")
    groups = _parse_piece_rows(tables, year, report, add_aliases)
    if report.errors:
        return report

    step(2, 4, "正在与已登记的稿件比对")
    existing = _existing_pieces(year, groups)
    creates, updates, approvals = [], [], []
    for group in groups:
        piece = existing.get((group.unit.pk, normalise_title(group.title) or group.title))
        pages = {p.outlet_id: p.page for p in piece.publications.all()} if piece else {}
        data = group.data(piece.title if piece else group.title, pages)
        n = len(data.publications)
        outlets = "、".join(p.outlet.name for p in data.publications)
        group.detail = f"{n}条刊发记录({outlets})" if n else "未刊发"
        try:
            check_piece_data(actor=actor, year=year, data=data)
        except ValidationError as exc:
            _service_errors(report, group, exc)
            continue
        except PermissionDenied as exc:
            report.error(str(exc), row=group.row, column=UNIT, value=group.unit.name, sheet=group.sheet)
            continue
        if piece is None:
            group.action = "new"
            creates.append((group, data))
        elif _same(piece, group, data.publications):
            if approve and piece.status == PieceStatus.SUBMITTED:
                group.action, group.detail = "update", "审核通过"
                approvals.append((group, piece))
            else:
                group.action, group.detail = "skip", piece.get_status_display()
        elif piece.status not in EDITABLE_STATUSES:
            report.error(
                "已审核通过,表中内容与系统中的不一致;已通过的稿件不能通过导入修改(请删去这些行,或由审核员先退回该稿件)",
                row=group.row,
                column=TITLE,
                value=group.title,
                sheet=group.sheet,
            )
            continue
        else:
            group.action = "update"
            group.detail = "修改:" + "、".join(_differences(piece, group, data.publications)) + ";重新提交审核"
            updates.append((group, piece, data))
        group.piece_id = piece.pk if piece else None
        group.stamp = piece.updated_at if piece else None
        label = group.label + (f"(第{group.rows_text}行)" if len(group.pubs) > 1 else "")
        report.changes.append(Change(group.action, group.row, label, group.detail, piece, group.sheet))
    if report.errors:
        report.changes = []
        return report
    report.fingerprint = _fingerprint(groups, report.alias_plan, approve)
    if dry_run:
        return report
    if expected_fingerprint and expected_fingerprint != report.fingerprint:
        report.changes = []
        report.error("表格或系统中的数据在预览之后有变化,未写入任何数据。请重新上传、预览后再确认。")
        return report

    step(3, 4, f"正在写入{len(creates) + len(updates)}篇稿件")
    try:
        with transaction.atomic():
            _save_aliases(report.alias_plan)
            written = pieces_bulk_write(
                actor=actor,
                year=year,
                creates=[d for _, d in creates],
                updates=[(p.pk, p.updated_at, d) for _, p, d in updates],
                approvals=[(p.pk, p.updated_at) for _, p in approvals],
                approve=approve,
            )
    except ValidationError as exc:
        report.changes = []
        report.error(exc.messages[0])
        return report
    except PermissionDenied as exc:
        report.changes = []
        report.error(str(exc))
        return report
    by_group = dict(zip([id(g) for g, _ in creates] + [id(g) for g, _, _ in updates], written, strict=True))
    for change, group in zip(report.changes, [g for g in groups if g.action], strict=True):
        change.instance = by_group.get(id(group), change.instance)
    step(4, 4, "已写入")
    return report


def _save_aliases(plan: list[tuple[Any, str]]) -> None:
    for obj, word in plan:
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if name_key(word) not in {name_key(a) for a in obj.alias_list}:
            obj.aliases = "、".join([*obj.alias_list, word])
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save(update_fields=["aliases"])


def _fingerprint(groups: list[PieceRows], aliases, approve: bool) -> str:
    """A digest of exactly what would be written: confirm compares its own plan with the preview's."""
    import hashlib

    h = hashlib.sha256()
    h.update(repr(approve).encode())
    for obj, word in aliases:
        h.update(f"A|{obj._meta.label}|{obj.pk}|{word}\n".encode())
    for g in groups:
        pubs = sorted((p.outlet.pk if p.outlet else 0, str(p.date), p.placement, p.page, p.url) for p in g.pubs)
        topics = [t.pk for t in g.values.get(TOPICS, [])]
        line = (g.action, g.unit.pk, g.title, g.piece_id, str(g.stamp), g.values.get(KIND), g.values.get(CHARS, 0))
        h.update(repr((line, g.authors(), topics, pubs)).encode())
    return h.hexdigest()[:32]


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


@audited_import
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

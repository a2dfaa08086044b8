"""The year-end workbook (DOMAIN §8): five government-style sheets, every figure from ``year_results``.

Sheets: 单位得分汇总, 指标完成明细, 稿件奖励明细, 个人奖励发放表, 刊发新闻稿件统计表. The big ones are
streamed (write-only workbook), and the whole export runs a fixed number of queries whatever the size.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from publicity.imports import PIECE_COLUMNS
from publicity.models import AssessmentYear
from scoring.services import year_results

from . import data
from .numbers import percent_value
from .xlsx import DATE, INTEGER, PERCENT, POINTS, YUAN, Column, GovSheet, new_workbook, save_workbook

ZERO = Decimal("0")

SUMMARY_SHEET = "单位得分汇总"
DETAIL_SHEET = "指标完成明细"
REWARD_SHEET = "稿件奖励明细"
PAYOUT_SHEET = "个人奖励发放表"
STATS_SHEET = "刊发新闻稿件统计表"
SHEETS = [SUMMARY_SHEET, DETAIL_SHEET, REWARD_SHEET, PAYOUT_SHEET, STATS_SHEET]

# Exactly the columns `import_pieces` reads, so the sheet re-imports into an empty year (one source of truth).
STATS_HEADERS = list(PIECE_COLUMNS)


def score_header(results, label: str = "考核得分") -> str:
    """“考核得分（满分4.00）”: a score means little without the full score beside it."""
    full = (results.policy or {}).get("full_score")
    return f"{label}（满分{full}）" if full else label


def office_of(year: AssessmentYear) -> str:
    return year.issuing_office or ""


def sheet_title(year: AssessmentYear, what: str) -> str:
    return f"{office_of(year)}{year.year}年度{what}"


def write_year_workbook(
    year: AssessmentYear, target=None, *, today: dt.date | None = None, step: Callable[..., None] | None = None
) -> bytes | None:
    """Write the workbook to ``target`` (path or file object); with no target return its bytes.

    ``step(done, total, message)`` is told before each stage (a background job's progress)."""
    today = today or timezone.localdate()
    step = step or (lambda done, total, message: None)
    total = len(SHEETS) + 2
    step(0, total, "正在计算考核结果")
    results = year_results(year)
    wb = new_workbook()
    common = {"office": office_of(year), "date": today, "provisional": not year.is_frozen}
    step(1, total, "正在读取作者和专题")
    authors = data.authors_by_piece(year)
    topics = data.topics_by_piece(year)
    step(2, total, f"正在写“{SUMMARY_SHEET}”")
    write_summary(wb, year, results, **common)
    step(3, total, f"正在写“{DETAIL_SHEET}”")
    write_indicator_detail(wb, year, results, authors=authors, **common)
    step(4, total, f"正在写“{REWARD_SHEET}”")
    write_piece_rewards(wb, year, results, authors=authors, **common)
    step(5, total, f"正在写“{PAYOUT_SHEET}”")
    write_payout(wb, year, results, **common)
    step(6, total, f"正在写“{STATS_SHEET}”")
    write_statistics(wb, year, authors=authors, topics=topics, **common)
    write_figures(wb, year, results, **common)  # only when the year has reported-figure tasks
    write_campaigns(wb, year, results, **common)  # only when the year has a scored campaign
    return save_workbook(wb, target)


def per_piece_codes(results) -> set[str]:
    """Codes of the year's per-piece indicators (DOMAIN §10), as the scores say: no query."""
    return {i.code for u in results.units for i in u.indicators if i.per_piece}


def write_summary(wb, year, results, *, office, date, provisional=False) -> GovSheet:
    indicators = data.indicator_columns(year)
    per_piece = per_piece_codes(results)
    columns = [Column("名次", 6, INTEGER), Column("单位", 22), Column("单位类型", 12)]
    for code, name in indicators:
        group = f"{code} {name}"
        if code in per_piece:  # §10 per-piece item: pieces counted and points after the caps, no target
            columns += [Column("篇数", 7, INTEGER, group=group), Column("得分", 8, POINTS, group=group)]
            continue
        columns += [Column("任务", 7, INTEGER, group=group), Column("完成", 7, INTEGER, group=group)]
    columns += [
        Column("少发篇数", 9, INTEGER),
        Column("加分篇数", 9, INTEGER),
        Column(score_header(results), 11, POINTS),
        Column("奖励金额（元）", 14, YUAN),
    ]
    policy = results.policy or {}
    note = ""
    if policy.get("full_score"):
        note = (
            f"单项满分{policy['full_score']}分，超额每篇加{policy.get('bonus_per_piece', '')}分，"
            f"每少一篇扣{policy.get('penalty_per_piece', '')}分"
        )
    sheet = GovSheet(
        wb,
        SUMMARY_SHEET,
        title=sheet_title(year, "宣传工作考核汇总表"),
        columns=columns,
        office=office,
        date=date,
        provisional=provisional,
        note=note,
    )
    totals_target = [0] * len(indicators)
    totals_achieved = [0] * len(indicators)
    missing = extra = 0
    reward = ZERO
    for unit in results.units:
        by_code = {i.code: i for i in unit.indicators}
        values: list = [unit.rank, unit.unit_name, unit.kind_name]
        for n, (code, _name) in enumerate(indicators):
            ind = by_code.get(code)
            if ind is None:
                values += [None, None]
                continue
            if code in per_piece:
                values += [ind.achieved, ind.points if ind.per_piece else None]
                totals_target[n] += ind.achieved
                continue
            values += [ind.target, ind.achieved]
            totals_target[n] += ind.target
            totals_achieved[n] += ind.achieved
        values += [unit.missing, unit.extra, unit.points, unit.reward]
        missing += unit.missing
        extra += unit.extra
        reward += unit.reward
        sheet.row(values)
    total: list = [None, f"合计（{len(results.units)}个单位）", None]
    for n, (code, _name) in enumerate(indicators):
        # a per-piece item adds up its pieces, never its points
        total += [totals_target[n], None] if code in per_piece else [totals_target[n], totals_achieved[n]]
    # No 合计 of points: a sum of scores means nothing (pieces, targets and money do add up).
    total += [missing, extra, None, reward]
    sheet.total(total)
    return sheet


def _per_piece_detail(sheet, unit, ind, label, briefs) -> None:
    """A per-piece indicator's pieces month by month, each with its points, then the month's subtotal
    before and after the monthly cap, then the item's points: no target (the 任务 cell stays empty)."""
    if not ind.piece_ids:
        sheet.row([unit.unit_name, label, None, 0, None, "（无计入稿件）", None, None, None, ind.points])
        return
    points = dict(ind.piece_points)
    by_month: dict[int, list[int]] = {}
    for piece_id in ind.piece_ids:
        when = briefs.get(piece_id, ("", "", "", None))[3]
        by_month.setdefault(when.month if when else 12, []).append(piece_id)
    n = 0
    for m in ind.months:
        for piece_id in by_month.get(m.month, ()):
            n += 1
            title, authors, outlets, when = briefs.get(piece_id, ("", "", "", None))
            sheet.row(
                [unit.unit_name, label, None, ind.achieved, n, title, authors, outlets, when, points.get(piece_id)]
            )
        capped = f"，已封顶（封顶前{m.raw:.2f}分）" if m.capped else ""
        sheet.row(
            [
                unit.unit_name,
                label,
                None,
                None,
                None,
                f"{m.month}月小计：{m.pieces}篇{capped}",
                None,
                None,
                None,
                m.points,
            ]
        )
    capped = "，已达全年上限" if ind.yearly_capped else ""
    sheet.row([unit.unit_name, label, None, ind.achieved, None, f"全年得分{capped}", None, None, None, ind.points])


def write_indicator_detail(wb, year, results, *, authors, office, date, provisional=False) -> GovSheet:
    briefs = data.piece_briefs(year, authors=authors)
    per_piece = bool(per_piece_codes(results))
    pad = [None] if per_piece else []  # the 得分 column, empty for a quota indicator
    sheet = GovSheet(
        wb,
        DETAIL_SHEET,
        title=sheet_title(year, "宣传任务完成明细表"),
        columns=[
            Column("单位", 20),
            Column("指标", 30, wrap=True),
            Column("任务", 7, INTEGER),
            Column("完成", 7, INTEGER),
            Column("序号", 6, INTEGER),
            Column("计入稿件标题", 44, wrap=True),
            Column("作者", 14),
            Column("刊发媒体", 26, wrap=True),
            Column("计入日期", 12, DATE),
            *([Column("得分", 9, POINTS)] if per_piece else []),
        ],
        office=office,
        date=date,
        provisional=provisional,
        note="按篇计分指标：每篇得分为最佳刊发的级别分×类别系数×单位系数，按月小计后封顶" if per_piece else "",
    )
    for unit in results.units:
        for ind in unit.indicators:
            label = f"{ind.code} {ind.name}"
            if ind.per_piece:
                _per_piece_detail(sheet, unit, ind, label, briefs)
                continue
            if not ind.piece_ids:
                sheet.row(
                    [unit.unit_name, label, ind.target, ind.achieved, None, "（无计入稿件）", None, None, None, *pad]
                )
                continue
            for n, piece_id in enumerate(ind.piece_ids, 1):
                title, authors, outlets, when = briefs.get(piece_id, ("", "", "", None))
                sheet.row([unit.unit_name, label, ind.target, ind.achieved, n, title, authors, outlets, when, *pad])
    return sheet


def write_piece_rewards(wb, year, results, *, authors, office, date, provisional=False) -> GovSheet:
    sheet = GovSheet(
        wb,
        REWARD_SHEET,
        title=sheet_title(year, "稿件奖励明细表"),
        columns=[
            Column("序号", 7, INTEGER),
            Column("单位", 18),
            Column("稿件标题", 40, wrap=True),
            Column("稿件类型", 10),
            Column("字数", 7, INTEGER),
            Column("作者", 14),
            Column("刊发次数", 8, INTEGER),
            Column("计奖媒体", 16),
            Column("刊发日期", 12, DATE),
            Column("版面位置", 10),
            Column("适用奖励规则", 26, wrap=True),
            Column("奖励金额（元）", 13, YUAN),
            Column("作者分配（元）", 28, wrap=True),
        ],
        office=office,
        date=date,
        provisional=provisional,
    )
    total = ZERO
    n = 0
    for piece in data.iter_pieces(year, authors=authors, topics={}):
        reward = results.pieces.get(piece.id)
        if reward is None:
            continue
        n += 1
        pub = next((p for p in piece.publications if p.id == reward.publication_id), None)
        if pub is None and piece.publications:  # no rule matched: show where it was published
            pub = piece.publications[0]
        if reward.no_rule_matched:
            rule = "无匹配规则（请核对）" if piece.publications else "未刊发，不计奖励"
        else:
            rule = reward.rule_note or ""
        shares = "、".join(f"{name} {amount:.2f}" for name, amount in reward.shares)
        sheet.row(
            [
                n,
                piece.unit_name,
                piece.title,
                piece.kind_label,
                piece.characters,
                piece.authors,
                len(piece.publications),
                reward.outlet_name or (pub.outlet if pub else None),
                pub.date if pub else None,
                pub.placement_label if pub else None,
                rule,
                reward.amount,
                shares,
            ]
        )
        total += reward.amount
    sheet.total([None, f"合计（{n}篇）", None, None, None, None, None, None, None, None, None, total, None])
    return sheet


def write_payout(wb, year, results, *, office, date, provisional=False) -> GovSheet:
    sheet = GovSheet(
        wb,
        PAYOUT_SHEET,
        title=sheet_title(year, "宣传稿件奖励发放表"),
        columns=[
            Column("序号", 7, INTEGER),
            Column("姓名", 12),
            Column("单位", 24),
            Column("稿件篇数", 10, INTEGER),
            Column("奖励金额（元）", 15, YUAN),
            Column("领款人签字", 18),
            Column("备注", 16),
        ],
        office=office,
        date=date,
        provisional=provisional,
    )
    total = ZERO
    n = 0
    for n, person in enumerate(results.people, 1):
        sheet.row([n, person.name, person.unit_name, person.piece_count, person.reward, None, None])
        total += person.reward
    # A piece with two authors is on two people's lines: the total counts pieces, not author credits.
    pieces = sum(1 for r in results.pieces.values() if r.shares)
    sheet.total([None, f"合计（{n}人）", None, pieces, total, None, None])
    sheet.blank_note("经办人：                    审核人：                    分管领导：                    ")
    return sheet


def statistics_row(piece: data.PieceRow, pub: data.PubRow | None) -> list:
    """One row of 刊发新闻稿件统计表 in the columns ``import_pieces`` reads (STATS_HEADERS)."""
    return [
        piece.unit_name,
        piece.title,
        piece.authors,
        piece.kind_label,
        piece.topics,
        piece.characters,
        pub.outlet if pub else None,
        pub.date if pub else piece.report_date,
        pub.placement_label if pub else None,
        pub.url if pub else None,
    ]


def write_statistics(wb, year, *, authors, topics, office, date, provisional=False) -> GovSheet:
    widths = [18, 44, 14, 10, 14, 7, 18, 12, 10, 30]
    formats = [None, None, None, None, None, INTEGER, None, DATE, None, None]
    sheet = GovSheet(
        wb,
        STATS_SHEET,
        title=f"{year.year}年度刊发新闻稿件统计表",
        # Long titles and links wrap inside their columns instead of running off the printed page.
        columns=[
            Column(h, w, f, wrap=h in ("标题", "链接")) for h, w, f in zip(STATS_HEADERS, widths, formats, strict=True)
        ],
        office=office,
        date=date,
        provisional=provisional,
    )
    for piece in data.iter_pieces(year, authors=authors, topics=topics):
        if not piece.publications:
            sheet.row(statistics_row(piece, None))
        for pub in piece.publications:
            sheet.row(statistics_row(piece, pub))
    return sheet


FIGURES_SHEET = "报送数据任务"


def write_figures(wb, year, results, *, office, date, provisional=False) -> GovSheet | None:
    """报送数据任务 (发行征订 and the like): one row per task and unit — target, reported, status, the approved
    figure and, for a scored task, the item's points (from ``results``, as the score pages show them).
    Written only when the year has such a task; three queries per task (tasks are a handful)."""
    from figures.services import task_lines

    tasks = list(year.figure_tasks.prefetch_related("unit_kinds").order_by("order", "id"))
    if not tasks:
        return None
    points = {(f.task_id, u.unit_id): f.points for u in results.units for f in u.figures}
    sheet = GovSheet(
        wb,
        FIGURES_SHEET,
        title=sheet_title(year, "报送数据任务完成情况表"),
        columns=[
            Column("任务", 18),
            Column("单位", 22),
            Column("计量单位", 8),
            Column("任务数", 9, INTEGER),
            Column("报送数", 9, INTEGER),
            Column("状态", 9),
            Column("审核通过数", 11, INTEGER),
            Column("完成率", 9, PERCENT),
            Column("单项得分", 10, POINTS),
            Column("退回原因/说明", 30, wrap=True),
        ],
        office=office,
        date=date,
        provisional=provisional,
    )
    for task in tasks:
        lines = task_lines(task)
        for line in lines:
            report = line.report
            approved = line.approved_value
            rate = Decimal(approved or 0) / line.target if line.target else None
            sheet.row(
                [
                    task.name,
                    line.unit.name,
                    task.unit_label,
                    line.target,
                    report.value if report else None,
                    report.get_status_display() if report else "未报送",
                    approved,
                    percent_value(rate) if rate is not None else None,
                    points.get((task.pk, line.unit.pk)) if task.is_scored else None,
                    (report.reject_reason or report.note) if report else None,
                ]
            )
        sheet.total(
            [
                f"{task.name}合计",
                f"{len(lines)}个单位",
                None,
                sum(line.target for line in lines),
                sum(line.report.value for line in lines if line.report),
                None,
                sum(line.approved_value or 0 for line in lines),
                None,
                None,
                None,
            ]
        )
    return sheet


# ----------------------------------------------------------------------------- monthly circular


MISSING_SHEET = "未报送单位"


def write_circular_workbook(circular, target=None, *, today: dt.date | None = None) -> bytes | None:
    """The monthly circular as a workbook: one sheet per unit kind (ranked within the kind), then the units
    that have not filed. The first sheet opens with the circular's summary paragraph."""
    today = circular.issued or today or timezone.localdate()
    wb = new_workbook()
    for index, section in enumerate(circular.sections):
        columns = [Column("单位", 22)]
        for code, name in section.indicators:
            group = f"{code} {name}"
            if code in section.per_piece_codes:  # §10 per-piece item: counts and points, no target
                columns += [
                    Column("本月篇数", 7, INTEGER, group=group),
                    Column("累计篇数", 7, INTEGER, group=group),
                    Column("本月得分", 9, POINTS, group=group),
                    Column("累计得分", 9, POINTS, group=group),
                ]
                continue
            columns += [
                Column("本月", 7, INTEGER, group=group),
                Column("累计", 7, INTEGER, group=group),
                Column("任务", 7, INTEGER, group=group),
                Column("完成率", 9, PERCENT, group=group),
            ]
        columns += [
            Column("综合完成率", 11, PERCENT),
            Column(circular.score_label, 12, POINTS),
            Column("本类名次", 9, INTEGER),
        ]
        note = f"统计截至{circular.as_of.month}月{circular.as_of.day}日"
        if section.per_piece_codes:
            note += f"；{'、'.join(sorted(section.per_piece_codes))} 为按篇计分指标（每月封顶，无任务数）"
            capped = [f"{name} {code} 封顶前{line.month_raw:.2f}分" for name, code, line in section.capped_lines]
            if capped:
                note += f"，本月封顶：{'；'.join(capped)}"
        if circular.number:
            note = f"{circular.number}    {note}"
        sheet = GovSheet(
            wb,
            section.kind_name,
            title=f"{circular.title}（{section.kind_name}）",
            columns=columns,
            office=circular.office,
            date=today,
            note=note,
            provisional=circular.provisional,
            lead=circular.summary if index == 0 else "",
        )
        for unit in sorted(section.units, key=lambda u: (u.kind_rank, u.unit_name)):
            values: list = [unit.unit_name]
            for line in unit.indicators:
                if line.per_piece:
                    values += [line.month, line.ytd, line.month_points, line.ytd_points]
                    continue
                values += [line.month, line.ytd, line.target, percent_value(line.rate)]
            values += [percent_value(unit.completion), unit.points, unit.kind_rank]
            sheet.row(values)
        month_sum = [sum(u.indicators[k].month for u in section.units) for k in range(len(section.indicators))]
        ytd_sum = [sum(u.indicators[k].ytd for u in section.units) for k in range(len(section.indicators))]
        target_sum = [sum(u.indicators[k].target for u in section.units) for k in range(len(section.indicators))]
        total: list = [f"合计（{len(section.units)}个单位）"]
        for k, (code, _name) in enumerate(section.indicators):
            # no 合计 of points (a sum of scores means nothing), nor of a target a per-piece item has not
            third = None if code in section.per_piece_codes else target_sum[k]
            total += [month_sum[k], ytd_sum[k], third, None]
        total += [None, None, None]
        sheet.total(total)
    sheet = GovSheet(
        wb,
        MISSING_SHEET,
        title=f"{circular.year}年{circular.month}月未按时报送单位",
        columns=[
            Column("序号", 7, INTEGER),
            Column("单位", 34),
            Column("单位类型", 16),
            Column("报送截止日期", 18, DATE),
        ],
        office=circular.office,
        date=today,
        note=f"应报{circular.expected}个，未报{len(circular.missing)}个",
        provisional=circular.provisional,
    )
    for n, m in enumerate(circular.missing, 1):
        sheet.row([n, m.unit_name, m.kind_name, m.due])
    if not circular.missing:
        sheet.blank_note("应报单位均已报送。")
    if circular.figures:
        sheet = GovSheet(
            wb,
            FIGURES_SHEET,
            title=f"{circular.year}年报送数据任务完成情况（截至{circular.as_of.month}月{circular.as_of.day}日）",
            columns=[
                Column("任务", 22),
                Column("参加单位", 10, INTEGER),
                Column("任务数合计", 12, INTEGER),
                Column("审核通过合计", 13, INTEGER),
                Column("完成率", 9, PERCENT),
                Column("已通过单位", 11, INTEGER),
                Column("待审核", 9, INTEGER),
                Column("未报送", 9, INTEGER),
            ],
            office=circular.office,
            date=today,
            provisional=circular.provisional,
        )
        for f in circular.figures:
            rate = Decimal(f.approved) / f.target if f.target else None
            sheet.row(
                [
                    f"{f.task.name}（{f.task.unit_label}）",
                    f.units,
                    f.target,
                    f.approved,
                    percent_value(rate) if rate is not None else None,
                    f.approved_units,
                    f.pending,
                    f.missing,
                ]
            )
    if circular.campaigns:
        sheet = GovSheet(
            wb,
            CAMPAIGNS_SHEET,
            title=f"{circular.year}年专题活动计分(截至{circular.as_of.month}月{circular.as_of.day}日)",
            columns=_campaign_columns(),
            office=circular.office,
            date=today,
            provisional=circular.provisional,
        )
        for c in circular.campaigns:
            for u in c.units:
                sheet.row([c.title, u.unit_name, u.required, u.sent, u.missing, None, u.points])
    return save_workbook(wb, target)


CAMPAIGNS_SHEET = "专题活动计分"


def _campaign_columns() -> list:
    return [
        Column("活动", 24),
        Column("单位", 22),
        Column("应报材料", 10, INTEGER),
        Column("按时报送", 10, INTEGER),
        Column("缺报", 8, INTEGER),
        Column("扣分", 8, POINTS),
        Column("单项得分", 10, POINTS),
    ]


def write_campaigns(wb, year, results, *, office, date, provisional=False) -> GovSheet | None:
    """专题活动计分: one row per scored campaign and taking-part unit — deliverables required, sent by the
    deadline, missing, the deduction and the item's points (from ``results``, as the score pages show them).
    Written only when a unit has such an item; no query of its own."""
    rows = [(c, u) for u in results.units for c in u.campaigns]
    if not rows:
        return None
    sheet = GovSheet(
        wb,
        CAMPAIGNS_SHEET,
        title=sheet_title(year, "专题活动计分表"),
        columns=_campaign_columns(),
        office=office,
        date=date,
        provisional=provisional,
    )
    for c, u in sorted(rows, key=lambda r: (r[0].campaign_id, r[1].rank, r[1].unit_name)):
        sheet.row([c.title, u.unit_name, c.required, c.sent, c.missing, c.penalty, c.points])
    return sheet

"""A unit's own payout list (奖励资金自筹, seed 004 §6): the people and pieces its own schedule pays, as a
workbook and a PDF for that unit only — a document apart from the bureau's 个人奖励发放表, which never
includes this money."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.units import mm

from scoring.own_schedule import OwnRewards

from .pdf import _build, _p, _styles, _table, yuan
from .xlsx import INTEGER, YUAN, Column, GovSheet, new_workbook, save_workbook

PEOPLE_SHEET = "自筹奖励发放表"
PIECES_SHEET = "自筹稿件奖励明细"


def title_of(unit, year) -> str:
    return f"{unit.name}{year.year}年度宣传稿件奖励发放表(本单位自筹)"


def write_own_payout(unit, year, own: OwnRewards, target=None, *, today: dt.date) -> bytes | None:
    wb = new_workbook()
    common = {"office": unit.name, "date": today, "provisional": not year.is_frozen}
    sheet = GovSheet(
        wb,
        PEOPLE_SHEET,
        title=title_of(unit, year),
        columns=[
            Column("序号", 7, INTEGER),
            Column("姓名", 12),
            Column("稿件篇数", 10, INTEGER),
            Column("奖励金额（元）", 15, YUAN),
            Column("领款人签字", 18),
            Column("备注", 16),
        ],
        note="奖励资金由本单位自筹，不含市局奖励",
        **common,
    )
    for n, person in enumerate(own.people, 1):
        sheet.row([n, person.name, person.piece_count, person.reward, None, None])
    sheet.total([None, f"合计（{len(own.people)}人）", sum(1 for p in own.pieces if p.shares), own.total, None, None])
    sheet.blank_note("经办人：                    审核人：                    单位负责人：                    ")
    detail = GovSheet(
        wb,
        PIECES_SHEET,
        title=f"{unit.name}{year.year}年度稿件奖励明细(本单位自筹)",
        columns=[
            Column("序号", 7, INTEGER),
            Column("稿件标题", 40, wrap=True),
            Column("计奖媒体", 16),
            Column("适用奖励规则", 26, wrap=True),
            Column("奖励金额（元）", 13, YUAN),
            Column("作者分配（元）", 28, wrap=True),
        ],
        **common,
    )
    for n, piece in enumerate(own.pieces, 1):
        shares = "、".join(f"{name} {amount:.2f}" for name, amount in piece.shares)
        rule = "无匹配规则" if piece.no_rule_matched else piece.rule_note
        detail.row([n, piece.title, piece.outlet_name, rule, piece.amount, shares])
    detail.total([None, f"合计（{len(own.pieces)}篇）", None, None, own.total, None])
    return save_workbook(wb, target)


def own_payout_pdf(unit, year, own: OwnRewards, target=None, *, today: dt.date) -> bytes | None:
    s = _styles()
    title = title_of(unit, year)
    rows = [[_p(h, s["head"]) for h in ("序号", "姓名", "稿件篇数", "奖励金额（元）", "领款人签字", "备注")]]
    for n, person in enumerate(own.people, 1):
        rows.append(
            [
                _p(n, s["cell_c"]),
                _p(person.name, s["cell"]),
                _p(person.piece_count, s["cell_r"]),
                _p(yuan(person.reward), s["cell_r"]),
                "",
                "",
            ]
        )
    rows.append(["", _p(f"合计（{len(own.people)}人）", s["cell"]), "", _p(yuan(own.total), s["cell_r"]), "", ""])
    story = [
        _p(title, s["title"]),
        _p(f"{unit.name}　{today:%Y年%m月%d日}　奖励资金由本单位自筹，不含市局奖励", s["sub"]),
        _table(rows, [w * mm for w in (15, 45, 25, 35, 70, 60)]),
    ]
    return _build(story, target, title)

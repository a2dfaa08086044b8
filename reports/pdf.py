"""PDFs with Chinese text (reportlab): the year's results table, the monthly circular, honour certificates.

The CJK font is embedded (see ``reports.fonts``). Tables repeat their header on every page and every
page carries "第 X 页 共 Y 页". All text goes through ``Paragraph`` with CJK word wrap, escaped.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .circular import Circular
from .fonts import cjk_font
from .numbers import percent_text
from .xlsx import PROVISIONAL, chinese_date

PAGE = landscape(A4)
GRID = colors.black
HEADER_BG = colors.HexColor("#D9D9D9")
TOTAL_BG = colors.HexColor("#F2F2F2")
RED = colors.HexColor("#C00000")


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font().name
    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, leading=14, alignment=TA_CENTER),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "cell_c": ParagraphStyle("cell_c", parent=base, fontSize=8, leading=10, alignment=TA_CENTER),
        "cell_r": ParagraphStyle("cell_r", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontSize=8, leading=10, alignment=TA_CENTER),
        "body": ParagraphStyle("body", parent=base, fontSize=10, leading=15, alignment=TA_LEFT),
    }


def _p(text, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)), style)


def yuan(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def pts(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def pct(value: Decimal | None) -> str:
    return percent_text(value)  # the same rounding as the workbook and the page (reports/numbers.py)


DIGITS = "〇一二三四五六七八九"


def _numeral(n: int) -> str:
    """1–31 as 一 … 三十一 (month and day on a certificate)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[ones] if ones else "")


def numeral_date(day: dt.date) -> str:
    """二〇一一年十二月三十日: the way a certificate is dated."""
    return "".join(DIGITS[int(d)] for d in str(day.year)) + f"年{_numeral(day.month)}月{_numeral(day.day)}日"


class NumberedCanvas(pdfcanvas.Canvas):
    """Defers each page so the footer can say "第 X 页 共 Y 页" (the total is known only at the end)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont(cjk_font().name, 9)
            width = self._pagesize[0]
            self.drawCentredString(width / 2, 10 * mm, f"第 {self._pageNumber} 页 共 {total} 页")
            super().showPage()
        super().save()


def _table(rows: list[list], widths: Sequence[float], *, header_rows: int = 1, extra_styles=()) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=header_rows)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEADER_BG),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    table.setStyle(TableStyle(style + list(extra_styles)))
    return table


def _build(story: list, target, title: str) -> bytes | None:
    buffer = io.BytesIO() if target is None else target
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="宣传任务分配与积分管理系统",
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue() if target is None else None


def indicator_text(i) -> str:
    """“R 调研文章 1/2” for a quota indicator; “P 按篇计分 4篇 12.00分” for a per-piece one (no target)."""
    if i.per_piece:
        return f"{i.code} {i.name} {i.achieved}篇 {pts(i.points)}分"
    return f"{i.code} {i.name} {i.achieved}/{i.target}"


def results_pdf(year, results, target=None, *, today: dt.date) -> bytes | None:
    """The year's results table: one row per unit in rank order, with a totals row."""
    s = _styles()
    office = year.issuing_office or ""
    title = f"{office}{year.year}年度宣传工作考核结果"
    story = [
        _p(title, s["title"]),
        _p(f"{office}    {chinese_date(today)}", s["sub"]),
    ]
    if not year.is_frozen:
        story.append(_p(PROVISIONAL, s["sub"]))
    story.append(Spacer(1, 4 * mm))
    full = (results.policy or {}).get("full_score")
    per_piece = any(i.per_piece for u in results.units for i in u.indicators)
    header = [
        "名次",
        "单位",
        "单位类型",
        "各项指标 完成/任务" + ("（按篇计分：篇数 得分）" if per_piece else ""),
        "少发",
        "加分",
        f"得分（满分{full}）" if full else "得分",
        "奖励（元）",
    ]
    rows: list[list] = [[_p(h, s["head"]) for h in header]]
    total_reward = Decimal("0")
    for u in results.units:
        detail = "；".join(indicator_text(i) for i in u.indicators)
        rows.append(
            [
                _p(u.rank, s["cell_c"]),
                _p(u.unit_name, s["cell"]),
                _p(u.kind_name, s["cell_c"]),
                _p(detail, s["cell"]),
                _p(u.missing, s["cell_c"]),
                _p(u.extra, s["cell_c"]),
                _p(pts(u.points), s["cell_r"]),
                _p(yuan(u.reward), s["cell_r"]),
            ]
        )
        total_reward += u.reward
    rows.append(
        [
            "",
            _p(f"合计（{len(results.units)}个单位）", s["cell"]),
            "",
            "",
            _p(sum(u.missing for u in results.units), s["cell_c"]),
            _p(sum(u.extra for u in results.units), s["cell_c"]),
            "",  # no 合计 of points: a sum of scores means nothing
            _p(yuan(total_reward), s["cell_r"]),
        ]
    )
    widths = [12 * mm, 42 * mm, 24 * mm, 110 * mm, 13 * mm, 13 * mm, 26 * mm, 24 * mm]
    story.append(_table(rows, widths, extra_styles=[("BACKGROUND", (0, -1), (-1, -1), TOTAL_BG)]))
    if results.policy:
        p = results.policy
        if p.get("full_score"):
            story.append(Spacer(1, 3 * mm))
            story.append(
                _p(
                    f"计分说明：单项满分{p['full_score']}分；超额每篇加{p.get('bonus_per_piece', '')}分，"
                    f"加分不超过满分的{Decimal(p.get('bonus_cap_ratio', '0')) * 100:.0f}%；"
                    f"每少一篇扣{p.get('penalty_per_piece', '')}分；加分媒体：{p.get('bonus_min_level', '')}以上"
                    f"{p.get('bonus_categories', '')}。",
                    s["body"],
                )
            )
    return _build(story, target, title)


def circular_pdf(circular: Circular, target=None, *, today: dt.date) -> bytes | None:
    s = _styles()
    issued = circular.issued or today
    story = [_p(circular.title, s["title"])]
    if circular.number:
        story.append(_p(circular.number, s["sub"]))
    story.append(
        _p(f"{circular.office}    统计截至{chinese_date(circular.as_of)}    {chinese_date(issued)}印发", s["sub"])
    )
    if circular.provisional:
        story.append(_p(PROVISIONAL, s["sub"]))
    story += [Spacer(1, 3 * mm), _p(circular.summary, s["body"]), Spacer(1, 2 * mm)]
    for section in circular.sections:
        story.append(_p(f"{section.kind_name}（{len(section.units)}个单位）", s["h2"]))
        n_ind = len(section.indicators)
        top = [_p("单位", s["head"])]
        sub = [""]
        spans = [("SPAN", (0, 0), (0, 1))]
        for k, (code, name) in enumerate(section.indicators):
            col = 1 + 3 * k
            top += [_p(f"{code} {name}", s["head"]), "", ""]
            if code in section.per_piece_codes:
                sub += [_p("本月篇数·得分", s["head"]), _p("累计篇数", s["head"]), _p("累计得分", s["head"])]
            else:
                sub += [_p("本月", s["head"]), _p("累计/任务", s["head"]), _p("完成率", s["head"])]
            spans.append(("SPAN", (col, 0), (col + 2, 0)))
        tail = ["综合完成率", circular.score_label, "本类名次"]
        for k, label in enumerate(tail):
            col = 1 + 3 * n_ind + k
            top.append(_p(label, s["head"]))
            sub.append("")
            spans.append(("SPAN", (col, 0), (col, 1)))
        rows = [top, sub]
        for u in sorted(section.units, key=lambda u: (u.kind_rank, u.unit_name)):
            row = [_p(u.unit_name, s["cell"])]
            for line in u.indicators:
                if line.per_piece:
                    capped = f"（封顶，原{pts(line.month_raw)}）" if line.capped else ""
                    row += [
                        _p(f"{line.month} · {pts(line.month_points)}{capped}", s["cell_c"]),
                        _p(line.ytd, s["cell_c"]),
                        _p(pts(line.ytd_points), s["cell_r"]),
                    ]
                    continue
                row += [
                    _p(line.month, s["cell_c"]),
                    _p(f"{line.ytd}/{line.target}", s["cell_c"]),
                    _p(pct(line.rate), s["cell_r"]),
                ]
            row += [_p(pct(u.completion), s["cell_r"]), _p(pts(u.points), s["cell_r"]), _p(u.kind_rank, s["cell_c"])]
            rows.append(row)
        usable = PAGE[0] - 24 * mm
        unit_w, tail_w = 40 * mm, [20 * mm, 24 * mm, 14 * mm]
        per = (usable - unit_w - sum(tail_w)) / max(1, 3 * n_ind)
        widths = [unit_w] + [per] * (3 * n_ind) + tail_w
        spans.append(("BACKGROUND", (0, 0), (-1, 1), HEADER_BG))
        story.append(_table(rows, widths, header_rows=2, extra_styles=spans))
        if section.per_piece_codes:
            codes = "、".join(sorted(section.per_piece_codes))
            story.append(
                _p(f"{codes} 为按篇计分指标：按稿件媒体级别计分，每月封顶，无任务数，不计入综合完成率。", s["body"])
            )
    story.append(_p(f"未按时报送{circular.month}月报表的单位（应报{circular.expected}个）", s["h2"]))
    if circular.missing:
        rows = [[_p(h, s["head"]) for h in ("序号", "单位", "单位类型", "报送截止日期")]]
        for n, m in enumerate(circular.missing, 1):
            rows.append(
                [
                    _p(n, s["cell_c"]),
                    _p(m.unit_name, s["cell"]),
                    _p(m.kind_name, s["cell_c"]),
                    _p(chinese_date(m.due), s["cell_c"]),
                ]
            )
        story.append(_table(rows, [14 * mm, 60 * mm, 36 * mm, 40 * mm]))
    else:
        story.append(_p("应报单位均已报送。", s["body"]))
    if circular.figures:  # reported-figure tasks (发行征订): as they stand, a reported figure has no month
        story.append(_p("报送数据任务完成情况", s["h2"]))
        heads = ("任务", "参加单位", "任务数合计", "审核通过合计", "完成率", "已通过单位", "待审核", "未报送")
        rows = [[_p(h, s["head"]) for h in heads]]
        for f in circular.figures:
            rate = Decimal(f.approved) / f.target if f.target else None
            rows.append(
                [
                    _p(f"{f.task.name}（{f.task.unit_label}）", s["cell"]),
                    _p(f.units, s["cell_c"]),
                    _p(f.target, s["cell_r"]),
                    _p(f.approved, s["cell_r"]),
                    _p(pct(rate), s["cell_r"]),
                    _p(f.approved_units, s["cell_c"]),
                    _p(f.pending, s["cell_c"]),
                    _p(f.missing, s["cell_c"]),
                ]
            )
        story.append(_table(rows, [60 * mm, 20 * mm, 24 * mm, 26 * mm, 20 * mm, 22 * mm, 18 * mm, 18 * mm]))
    for campaign in circular.campaigns:  # scored campaigns: their own item of the score
        story.append(_p(f"专题活动“{campaign.title}”计分", s["h2"]))
        rows = [[_p(h, s["head"]) for h in ("单位", "应报", "按时报送", "缺报", "得分")]]
        for u in campaign.units:
            rows.append(
                [
                    _p(u.unit_name, s["cell"]),
                    _p(u.required, s["cell_c"]),
                    _p(u.sent, s["cell_c"]),
                    _p(u.missing, s["cell_c"]),
                    _p(pts(u.points), s["cell_r"]),
                ]
            )
        story.append(_table(rows, [60 * mm, 20 * mm, 24 * mm, 20 * mm, 24 * mm]))
    return _build(story, target, circular.title)


@dataclass(frozen=True)
class Certificate:
    name: str  # a unit's name or a person's name
    unit_name: str  # the person's unit; "" for a unit certificate
    citation: str  # the body text, e.g. 在……中成绩突出，被评为……


def certificates_pdf(
    certificates: Sequence[Certificate], target=None, *, year: int, office: str, issued: dt.date
) -> bytes | None:
    """One honour certificate per page, A4 landscape, drawn directly on the canvas."""
    buffer = io.BytesIO() if target is None else target
    font = cjk_font().name
    c = pdfcanvas.Canvas(buffer, pagesize=PAGE)
    c.setTitle(f"{year}年度荣誉证书")
    c.setAuthor(office or "宣传任务分配与积分管理系统")
    width, height = PAGE
    body = ParagraphStyle("cert", fontName=font, fontSize=20, leading=36, wordWrap="CJK", firstLineIndent=40)
    for cert in certificates:
        # Frame: a thick red border with a thin inner line, like a printed certificate.
        c.setStrokeColor(RED)
        c.setLineWidth(6)
        c.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
        c.setLineWidth(1.2)
        c.rect(19 * mm, 19 * mm, width - 38 * mm, height - 38 * mm)
        c.setFillColor(RED)
        c.setFont(font, 46)
        c.drawCentredString(width / 2, height - 52 * mm, "荣 誉 证 书")
        c.setFont(font, 14)
        c.drawCentredString(width / 2, height - 62 * mm, f"（{year}年度）")
        c.setFillColor(colors.black)
        c.setFont(font, 22)
        recipient = f"{cert.name}同志：" if cert.unit_name else f"{cert.name}："
        c.drawString(40 * mm, height - 78 * mm, recipient)
        if cert.unit_name:
            c.setFont(font, 13)
            c.drawString(40 * mm, height - 87 * mm, f"（{cert.unit_name}）")
        para = Paragraph(escape(cert.citation), body)
        frame_w = width - 80 * mm
        _, h = para.wrap(frame_w, 80 * mm)
        para.drawOn(c, 40 * mm, height - 95 * mm - h)
        c.setFont(font, 18)
        c.drawRightString(width - 40 * mm, 48 * mm, office)
        c.drawRightString(width - 40 * mm, 38 * mm, numeral_date(issued))
        c.showPage()
    c.save()
    return buffer.getvalue() if target is None else None

"""The monthly circular (月度通报, DOMAIN §8): per unit, this month's and the year-to-date pieces per
indicator, completion, rank, and the units that have not filed their report for the month.

Year to date is ``score_year(year, as_of=last day of the month)``, read from the stored month-end rows
(``scoring.stored``: kept current with every approval, so a request reads two months' rows instead of
scoring the whole year twice); ``live=True`` re-scores, the check. This month is the difference with the
previous month's year to date. Whether a unit was due to file follows its kind's ReportingRule:
monthly kinds every month, annual kinds only in their rule's month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef

from campaigns.models import Campaign
from figures.services import year_summaries
from publicity.models import AssessmentYear, PeriodReport, ReportCadence, ReportingRule
from publicity.reporting import Rule, due_date
from scoring.models import ScoringPolicy, StoredMonthScore
from scoring.rules import rank_units
from scoring.services import campaign_scores, score_year
from scoring.stored import ensure_months, month_indicators
from units.models import Unit, UnitKind

from .numbers import percent_text


@dataclass(frozen=True)
class IndicatorLine:
    code: str
    name: str
    target: int
    month: int
    ytd: int
    # §10 per-piece indicator: no target and no completion, but points — this month's after the monthly cap
    # (``month_raw`` before it), and the year to date's.
    per_piece: bool = False
    month_points: Decimal | None = None
    month_raw: Decimal | None = None
    ytd_points: Decimal | None = None

    @property
    def capped(self) -> bool:
        return self.month_raw is not None and self.month_points is not None and self.month_raw > self.month_points

    @property
    def rate(self) -> Decimal | None:
        """Completion as a fraction (1.25 = 125 %), None when there is no target (and for a per-piece item)."""
        if not self.target or self.per_piece:
            return None
        return (Decimal(self.ytd) / Decimal(self.target)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def percent(self) -> str:
        return percent_text(self.rate)


@dataclass(frozen=True)
class UnitLine:
    unit_id: int
    unit_name: str
    kind_name: str
    rank: int  # among all units
    points: Decimal
    indicators: list[IndicatorLine]
    completion: Decimal | None  # Σ min(achieved, target) / Σ target over penalised indicators
    kind_rank: int = 0  # among the units of its kind: the circular's tables are per kind
    pieces: int = 0  # approved pieces counted, year to date

    @property
    def completion_text(self) -> str:
        return percent_text(self.completion)

    @property
    def month_total(self) -> int:
        return sum(i.month for i in self.indicators)


@dataclass
class KindSection:
    kind_name: str
    indicators: list[tuple[str, str]]
    units: list[UnitLine] = field(default_factory=list)
    per_piece_codes: frozenset[str] = frozenset()  # indicators scored per piece (§10): points, not a target

    @property
    def capped_lines(self) -> list[tuple[str, str, IndicatorLine]]:
        """(unit name, indicator code, line) where this month's per-piece points hit the monthly cap."""
        return [(u.unit_name, line.code, line) for u in self.units for line in u.indicators if line.capped]


@dataclass(frozen=True)
class CampaignLine:
    unit_name: str
    required: int
    sent: int  # by the deadline
    missing: int
    points: Decimal


@dataclass
class CampaignSection:
    """A scored campaign (its own item of the score): each taking-part unit's deliverables and points."""

    title: str
    units: list[CampaignLine] = field(default_factory=list)


@dataclass(frozen=True)
class MissingReport:
    unit_name: str
    kind_name: str
    due: dt.date


@dataclass
class Circular:
    year: int
    month: int
    as_of: dt.date
    office: str
    sections: list[KindSection]
    missing: list[MissingReport]
    expected: int  # units due to file for the month
    full_score: str = ""  # the item full score S, printed beside every score
    provisional: bool = False  # made from a year not closed: figures can still change
    number: str = ""  # 文号, e.g. 安人社办发〔2011〕15号 (typed by the bureau)
    issued: dt.date | None = None  # 印发日期
    figures: list = field(default_factory=list)  # reported-figure tasks (figures.services.TaskSummary)
    stale: bool = False  # stored figures waiting for a background re-score after a rule or target change
    campaigns: list[CampaignSection] = field(default_factory=list)  # scored campaigns, as they stand

    @property
    def title(self) -> str:
        return f"{self.office}{self.year}年{self.month}月宣传工作情况通报"

    @property
    def score_label(self) -> str:
        return f"累计得分（满分{self.full_score}）" if self.full_score else "累计得分"

    @property
    def summary(self) -> str:
        """The paragraph before the tables: how many units, completion, the first and last of each kind."""
        units = [u for s in self.sections for u in s.units]
        if not units:
            return f"截至{self.month}月底，本年度尚无考核单位。"
        done = sum(min(i.ytd, i.target) for u in units for i in u.indicators if not i.per_piece)
        target = sum(i.target for u in units for i in u.indicators if not i.per_piece)
        parts = [
            f"截至{self.as_of.month}月{self.as_of.day}日，{len(units)}个单位共计入稿件{sum(u.pieces for u in units)}篇"
            + (f"，各项任务综合完成{percent_text(Decimal(done) / Decimal(target))}" if target else "")
            + "。"
        ]
        for section in self.sections:
            if len(section.units) < 2:
                continue
            ordered = sorted(section.units, key=lambda u: u.kind_rank)
            top = [u.unit_name for u in ordered if u.kind_rank == ordered[0].kind_rank][:3]
            last = [u.unit_name for u in ordered if u.kind_rank == ordered[-1].kind_rank][:3]
            if top == last:
                continue
            parts.append(f"{section.kind_name}中，{'、'.join(top)}得分居前，{'、'.join(last)}得分靠后。")
        filed = self.expected - len(self.missing)
        parts.append(f"{self.month}月应报送{self.expected}个单位，已报送{filed}个")
        parts[-1] += f"，{len(self.missing)}个单位未按时报送。" if self.missing else "，均已按时报送。"
        return "".join(parts)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _completion(indicators) -> Decimal | None:
    target = sum(i.target for i in indicators if i.counts_for_penalty)
    if not target:
        return None
    done = sum(min(i.achieved, i.target) for i in indicators if i.counts_for_penalty)
    return (Decimal(done) / Decimal(target)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass(frozen=True)
class _Ind:
    """A month row's indicator (``scoring.stored.month_indicators``); a §10 per-piece one also carries its
    points to date and this month's points after and before the monthly cap (as text, from JSON)."""

    code: str
    name: str
    target: int
    achieved: int
    counts_for_penalty: bool
    points: str | None = None
    month_points: str | None = None
    month_raw: str | None = None


@dataclass(frozen=True)
class _Unit:
    unit_id: int
    unit_name: str
    kind_name: str
    points: Decimal
    reward: Decimal
    pieces: int
    indicators: list[_Ind]
    rank: int = 0
    campaigns: tuple = ()  # scored campaign items (scoring.rules.CampaignScore)


def _live(year: AssessmentYear, month: int) -> tuple[list[_Unit], dict, str, bool]:
    """Re-scored: ``score_year`` as of this month's end and the previous one's (the check, and old years)."""
    ytd = score_year(year, as_of=month_end(year.year, month))
    before: dict[tuple[int, str], int] = {}
    if month > 1:
        previous = score_year(year, as_of=month_end(year.year, month - 1))
        before = {(u.unit_id, i.code): i.achieved for u in previous.units for i in u.indicators}
    units = [
        _Unit(
            u.unit_id,
            u.unit_name,
            u.kind_name,
            u.points,
            u.reward,
            len(u.piece_ids),
            [_Ind(*row) for row in month_indicators(u, month)],
            u.rank,
            tuple(u.campaigns),
        )
        for u in ytd.units
    ]
    return units, before, (ytd.policy or {}).get("full_score", ""), True


def _stored(year: AssessmentYear, month: int) -> tuple[list[_Unit], dict, str, bool]:
    """The stored month-end rows (``scoring.stored``): two months' rows, whatever the year's size."""
    rows = StoredMonthScore.objects.filter(year=year, month=month).order_by(
        "-points", "-reward", "kind__order", "order", "unit_id"
    )
    units = [
        _Unit(r.unit_id, r.unit_name, r.kind_name, r.points, r.reward, r.piece_count, [_Ind(*i) for i in r.indicators])
        for r in rows
    ]
    before: dict[tuple[int, str], int] = {}
    if month > 1:
        for unit_id, indicators in StoredMonthScore.objects.filter(year=year, month=month - 1).values_list(
            "unit_id", "indicators"
        ):
            before.update({(unit_id, i[0]): i[3] for i in indicators})
    # The year's full score, and whether it has a scored campaign (asked in the same query: a year without
    # one reads nothing more for the campaign items).
    scored = Campaign.objects.filter(year=OuterRef("year"), is_scored=True)
    row = (
        ScoringPolicy.objects.filter(year=year)
        .annotate(has_campaigns=Exists(scored))
        .values_list("full_score", "has_campaigns")
        .first()
    )
    full, has_campaigns = row if row is not None else (None, None)
    units = rank_units(units)
    as_of = month_end(year.year, month)
    campaigns = None if has_campaigns is None else ({} if not has_campaigns else campaign_scores(year, as_of))
    units = [replace(u, campaigns=(campaigns or {}).get(u.unit_id, ())) for u in units] if campaigns else units
    return units, before, "" if full is None else f"{full:.2f}", campaigns is not None


def _line(i: _Ind, before: int) -> IndicatorLine:
    month = i.achieved - before
    if i.points is None:
        return IndicatorLine(code=i.code, name=i.name, target=i.target, month=month, ytd=i.achieved)
    return IndicatorLine(
        code=i.code,
        name=i.name,
        target=0,
        month=month,
        ytd=i.achieved,
        per_piece=True,
        month_points=Decimal(i.month_points or "0.00"),
        month_raw=Decimal(i.month_raw or "0"),
        ytd_points=Decimal(i.points),
    )


def build_circular(
    year: AssessmentYear, month: int, *, number: str = "", issued: dt.date | None = None, live: bool = False
) -> Circular:
    """An open year from the stored month-end figures (kept current with every approval; a rule or target
    change is re-scored in the background, meanwhile ``stale`` is set), or re-scored when ``live`` (and for
    a closed year, whose data no longer changes)."""
    if not 1 <= month <= 12:
        raise ValueError(f"月份“{month}”无效，应为 1–12。")
    as_of = month_end(year.year, month)
    stale = False
    state = None if live or year.is_frozen else ensure_months(year)
    if state is None:  # a closed year is fixed: re-scored as it was, never from rows kept after it
        ytd_units, before, full_score, known = _live(year, month)
    else:
        stale = state.stale
        ytd_units, before, full_score, known = _stored(year, month)
    if not known:  # no scoring policy: ask about scored campaigns on their own
        ytd_units = _with_campaigns(year, ytd_units, month_end(year.year, month))

    kind_order = list(UnitKind.objects.order_by("order", "id").values_list("name", flat=True))
    # County bureaus are ranked among county bureaus: the same rule as the overall rank, within the kind.
    kind_ranks: dict[int, int] = {}
    for kind_name in {u.kind_name for u in ytd_units}:
        for u in rank_units([u for u in ytd_units if u.kind_name == kind_name]):
            kind_ranks[u.unit_id] = u.rank
    sections: dict[str, KindSection] = {}
    for unit in ytd_units:
        section = sections.get(unit.kind_name)
        if section is None:
            section = sections[unit.kind_name] = KindSection(
                unit.kind_name,
                [(i.code, i.name) for i in unit.indicators],
                per_piece_codes=frozenset(i.code for i in unit.indicators if i.points is not None),
            )
        lines = [_line(i, before.get((unit.unit_id, i.code), 0)) for i in unit.indicators]
        section.units.append(
            UnitLine(
                unit_id=unit.unit_id,
                unit_name=unit.unit_name,
                kind_name=unit.kind_name,
                rank=unit.rank,
                points=unit.points,
                indicators=lines,
                completion=_completion(unit.indicators),
                kind_rank=kind_ranks[unit.unit_id],
                pieces=unit.pieces,
            )
        )
    ordered = sorted(
        sections.values(), key=lambda s: kind_order.index(s.kind_name) if s.kind_name in kind_order else 99
    )
    missing, expected = missing_reports(year, month)
    return Circular(
        year=year.year,
        month=month,
        as_of=as_of,
        office=year.issuing_office or "",
        sections=ordered,
        missing=missing,
        expected=expected,
        full_score=full_score,
        provisional=not year.is_frozen,
        number=number.strip(),
        issued=issued,
        figures=year_summaries(year),  # as they stand: a reported figure has no month
        stale=stale,
        campaigns=_campaigns(year, ytd_units),
    )


def _with_campaigns(year: AssessmentYear, units: list[_Unit], as_of: dt.date) -> list[_Unit]:
    by_unit = campaign_scores(year, as_of)  # 1 query without a scored campaign, 4 with
    return [replace(u, campaigns=tuple(by_unit.get(u.unit_id, ()))) for u in units] if by_unit else units


def _campaigns(year: AssessmentYear, units) -> list[CampaignSection]:
    """Scored campaigns per campaign (the units' items, read with their scores), units in the circular's order."""
    sections: dict[int, CampaignSection] = {}
    for unit in sorted(units, key=lambda u: (u.rank, u.unit_name)):
        for c in unit.campaigns:
            section = sections.setdefault(c.campaign_id, CampaignSection(c.title))
            section.units.append(CampaignLine(unit.unit_name, c.required, c.sent, c.missing, c.points))
    return list(sections.values())


def missing_reports(year: AssessmentYear, month: int) -> tuple[list[MissingReport], int]:
    """Units due to file a report for ``month`` that have not (three queries)."""
    rules = {
        r.unit_kind_id: r
        for r in ReportingRule.objects.filter(year=year)
        if r.cadence == ReportCadence.MONTHLY or (r.month or 12) == month
    }
    units = list(
        Unit.objects.active()
        .filter(kind_id__in=list(rules))
        .select_related("kind")
        .order_by("kind__order", "order", "id")
    )
    filed = set(PeriodReport.objects.filter(year=year, month=month).values_list("unit_id", flat=True))
    missing = []
    for unit in units:
        if unit.pk in filed:
            continue
        rule = rules[unit.kind_id]
        due = due_date(Rule(rule.cadence, rule.day, rule.month), year.year, month)
        missing.append(MissingReport(unit.name, unit.kind.name, due))
    return missing, len(units)

"""python manage.py score --year 2011 [--unit NAME] [--json]: a year's points and rewards."""

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from publicity.models import AssessmentYear
from scoring.rules import IndicatorScore, PieceNote, PieceReward, UnitScore, YearScore
from scoring.services import note_text, payout_text, policy_lines, settings_applied, split_text, year_results


def _indicator(i: IndicatorScore) -> dict:
    data = {"code": i.code, "target": i.target, "achieved": i.achieved}
    if i.per_piece:  # DOMAIN §10 per-piece points: month by month, each month capped
        data["points"] = f"{i.points:.2f}"
        data["months"] = [
            {"month": m.month, "pieces": m.pieces, "points": f"{m.points:.2f}", "capped": m.capped} for m in i.months
        ]
        if i.yearly_capped:
            data["yearly_capped"] = True
    return data


def _piece(r: PieceReward, note: PieceNote | None) -> dict:
    data = {
        "title": r.title,
        "reward": f"{r.amount:.2f}",
        "payout": f"一稿多投:{payout_text(r.payout, r.top_n)}",
        "paid": r.paid_outlet_names,
        "split": split_text(r.split, r.weights),
        "shares": [{"name": name, "reward": f"{v:.2f}"} for name, v in r.shares],
    }
    if note is not None:
        data["note"] = note_text(note)
    return data


def _unit(u: UnitScore, result: YearScore, variants: bool) -> dict:
    data = {
        "unit": u.unit_name,
        "kind": u.kind_name,
        "rank": u.rank,
        "points": f"{u.points:.2f}",
        "reward": f"{u.reward:.2f}",
        "missing": u.missing,
        "extra": u.extra,
        "bonus_base": u.bonus_base,
        "indicators": [_indicator(i) for i in u.indicators],
    }
    if u.has_per_piece:
        data["item_points"] = f"{u.item_points if u.item_points is not None else u.points:.2f}"
        data["piece_points"] = f"{u.piece_points:.2f}"
        data["coefficient"] = f"{u.coefficient}"
    if variants:  # a year with §10 settings of its own: which applied to each piece, and what was paid
        data["pieces"] = [
            _piece(result.pieces[pid], result.notes.get(pid)) for pid in u.piece_ids if pid in result.pieces
        ]
    notes = result.unit_notes(u.unit_id)
    if notes:
        data["notes"] = [{"title": n.title, "note": note_text(n), "counted": not n.excluded} for n in notes]
    return data


def as_json(result: YearScore, unit_name: str | None = None) -> dict:
    """The shape of issue 3 item 3: amounts and points as strings with two decimals, counts as integers.

    DOMAIN §10: ``settings`` lists the year's settings that differ from the 2011 choices; in such a year
    each unit lists its pieces with the setting applied ("一稿多投:取最高两档" and the publications paid),
    and any unit with late or duplicate pieces lists them under ``notes``. Keys appear only when they say
    something, so a 2011-style year prints exactly what it always did."""
    units = [u for u in result.units if unit_name is None or u.unit_name == unit_name]
    people = [p for p in result.people if unit_name is None or p.unit_name == unit_name]
    applied = settings_applied(result.policy)
    data = {"year": result.year}
    if applied:
        data["settings"] = applied
    data["units"] = [_unit(u, result, bool(applied)) for u in units]
    data["people"] = [{"name": p.name, "unit": p.unit_name, "reward": f"{p.reward:.2f}"} for p in people]
    return data


def pad(text: str, width: int) -> str:
    """Left-align in a terminal where a Chinese character takes two columns."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))
    return f"{text}{' ' * max(1, width - used)}"


class Command(BaseCommand):
    help = "计算并输出某年度各单位考核得分、稿件奖励和个人奖励(已结账年度读取结账快照)。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度,如 2011")
        parser.add_argument("--unit", help="只显示该单位(单位全称)")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, **options):
        year, unit = options["year"], options["unit"]
        try:
            year_obj = AssessmentYear.objects.get(year=year)
        except AssessmentYear.DoesNotExist as exc:
            raise CommandError(f"年度 {year} 不存在。") from exc
        result = year_results(year_obj)
        if unit and not any(u.unit_name == unit for u in result.units):
            raise CommandError(f"单位“{unit}”不在{year}年度的考核单位中。")
        data = as_json(result, unit)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.print_table(result, data)

    def print_table(self, result: YearScore, data: dict) -> None:
        status = "结账快照" if result.source == "snapshot" else "实时计算"
        self.stdout.write(f"{data['year']}年度考核得分({status})")
        self.stdout.write("计分参数:" + ",".join(f"{k} {v}" for k, v in policy_lines(result.policy)))
        if data.get("settings"):
            self.stdout.write("本年度规则:" + ";".join(data["settings"]))
        self.stdout.write(f"名次  {pad('单位', 24)}{pad('类型', 12)}  得分    奖励(元)   M   E b_P  指标(完成/任务)")
        for u in data["units"]:
            inds = " ".join(f"{i['code']}:{i['achieved']}/{i['target']}" for i in u["indicators"])
            self.stdout.write(
                f"{u['rank']:>4}  {pad(u['unit'], 24)}{pad(u['kind'], 12)}{u['points']:>6}{u['reward']:>11}"
                f"{u['missing']:>4}{u['extra']:>4}{u['bonus_base']:>5}  {inds}"
            )
            for ind in u["indicators"]:
                if "months" in ind:
                    months = " ".join(
                        f"{m['month']}月{m['points']}{'(封顶)' if m['capped'] else ''}" for m in ind["months"]
                    )
                    self.stdout.write(f"      {ind['code']} 按篇计分 {ind['points']}:{months}")
            for n in u.get("notes", []):
                self.stdout.write(f"      ⚠ {n['title']}:{n['note']}")
        self.stdout.write("")
        self.stdout.write("个人奖励:")
        for p in data["people"]:
            self.stdout.write(f"  {pad(p['name'], 10)}{pad(p['unit'], 24)}{p['reward']:>10}")

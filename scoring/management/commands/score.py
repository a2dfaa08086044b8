"""python manage.py score --year 2011 [--unit NAME] [--json]: a year's points and rewards."""

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from publicity.models import AssessmentYear
from scoring.rules import YearScore
from scoring.services import policy_lines, year_results


def as_json(result: YearScore, unit_name: str | None = None) -> dict:
    """The shape of issue 3 item 3: amounts and points as strings with two decimals, counts as integers."""
    units = [u for u in result.units if unit_name is None or u.unit_name == unit_name]
    people = [p for p in result.people if unit_name is None or p.unit_name == unit_name]
    return {
        "year": result.year,
        "units": [
            {
                "unit": u.unit_name,
                "kind": u.kind_name,
                "rank": u.rank,
                "points": f"{u.points:.2f}",
                "reward": f"{u.reward:.2f}",
                "missing": u.missing,
                "extra": u.extra,
                "bonus_base": u.bonus_base,
                "indicators": [{"code": i.code, "target": i.target, "achieved": i.achieved} for i in u.indicators],
            }
            for u in units
        ],
        "people": [{"name": p.name, "unit": p.unit_name, "reward": f"{p.reward:.2f}"} for p in people],
    }


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
        self.stdout.write(f"名次  {pad('单位', 24)}{pad('类型', 12)}  得分    奖励(元)   M   E b_P  指标(完成/任务)")
        for u in data["units"]:
            inds = " ".join(f"{i['code']}:{i['achieved']}/{i['target']}" for i in u["indicators"])
            self.stdout.write(
                f"{u['rank']:>4}  {pad(u['unit'], 24)}{pad(u['kind'], 12)}{u['points']:>6}{u['reward']:>11}"
                f"{u['missing']:>4}{u['extra']:>4}{u['bonus_base']:>5}  {inds}"
            )
        self.stdout.write("")
        self.stdout.write("个人奖励:")
        for p in data["people"]:
            self.stdout.write(f"  {pad(p['name'], 10)}{pad(p['unit'], 24)}{p['reward']:>10}")

"""python manage.py certificates --year 2011 --unit 汉滨区人社局 --person 张三 -o 荣誉证书.pdf"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from publicity.models import AssessmentYear
from reports.certificates import DEFAULT_PERSON_HONOUR, DEFAULT_UNIT_HONOUR, pick
from reports.pdf import certificates_pdf
from scoring.services import year_results


class Command(BaseCommand):
    help = "为年度考核结果中的单位和个人生成荣誉证书 PDF（每页一张）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度，如 2011")
        parser.add_argument("--unit", action="append", default=[], help="获奖单位名称，可重复")
        parser.add_argument("--person", action="append", default=[], help="获奖个人：姓名，重名时写“单位|姓名”；可重复")
        parser.add_argument("--unit-honour", default=DEFAULT_UNIT_HONOUR, help="单位荣誉称号")
        parser.add_argument("--person-honour", default=DEFAULT_PERSON_HONOUR, help="个人荣誉称号")
        parser.add_argument("--date", help="落款日期 YYYY-MM-DD，默认今天")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径（.pdf）")

    def handle(self, *args, year, unit, person, unit_honour, person_honour, date, output, **options):
        if not output.lower().endswith(".pdf"):
            raise CommandError(f"输出文件“{output}”须以 .pdf 结尾。")
        if not unit and not person:
            raise CommandError("请至少用 --unit 或 --person 指定一个获奖对象。")
        try:
            issued = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"落款日期“{date}”格式无效，应为 YYYY-MM-DD。") from exc
        assessment_year = AssessmentYear.objects.filter(year=year).first()
        if assessment_year is None:
            raise CommandError(f"{year}年度不存在。")
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"目录“{path.parent}”不存在。")
        certs, unknown = pick(
            year_results(assessment_year),
            unit_names=unit,
            person_keys=person,
            year=year,
            title=assessment_year.title,
            unit_honour=unit_honour,
            person_honour=person_honour,
        )
        if unknown:
            raise CommandError(f"{year}年度考核结果中没有：{'、'.join(unknown)}（个人重名时请写“单位|姓名”）。")
        with path.open("wb") as fh:
            certificates_pdf(certs, fh, year=year, office=assessment_year.issuing_office or "", issued=issued)
        self.stdout.write(self.style.SUCCESS(f"已生成 {len(certs)} 张荣誉证书：{path}"))

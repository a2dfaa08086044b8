"""python manage.py export_year --year 2011 -o 2011年度考核汇总.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publicity.models import AssessmentYear
from reports.workbook import write_year_workbook


class Command(BaseCommand):
    help = "导出年度考核工作簿（单位得分汇总、指标完成明细、稿件奖励明细、个人奖励发放表、刊发新闻稿件统计表）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度，如 2011")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径（.xlsx）")

    def handle(self, *args, year, output, **options):
        if not output.lower().endswith(".xlsx"):
            raise CommandError(f"输出文件“{output}”须以 .xlsx 结尾。")
        assessment_year = AssessmentYear.objects.filter(year=year).first()
        if assessment_year is None:
            raise CommandError(f"{year}年度不存在。")
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"目录“{path.parent}”不存在。")
        write_year_workbook(assessment_year, path)
        self.stdout.write(self.style.SUCCESS(f"已导出 {year}年度考核工作簿：{path}"))

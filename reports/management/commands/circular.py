"""python manage.py circular --year 2011 --month 6 -o 2011年6月通报.pdf   (or .xlsx)"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from publicity.models import AssessmentYear
from reports.circular import build_circular
from reports.pdf import circular_pdf
from reports.workbook import write_circular_workbook


class Command(BaseCommand):
    help = "生成月度通报（按输出文件扩展名：.pdf 或 .xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度，如 2011")
        parser.add_argument("--month", type=int, required=True, help="月份 1–12")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径（.pdf 或 .xlsx）")

    def handle(self, *args, year, month, output, **options):
        suffix = Path(output).suffix.lower()
        if suffix not in (".pdf", ".xlsx"):
            raise CommandError(f"输出文件“{output}”须以 .pdf 或 .xlsx 结尾。")
        if not 1 <= month <= 12:
            raise CommandError(f"月份“{month}”无效，应为 1–12。")
        assessment_year = AssessmentYear.objects.filter(year=year).first()
        if assessment_year is None:
            raise CommandError(f"{year}年度不存在。")
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"目录“{path.parent}”不存在。")
        circular = build_circular(assessment_year, month)
        today = timezone.localdate()
        if suffix == ".pdf":
            with path.open("wb") as fh:
                circular_pdf(circular, fh, today=today)
        else:
            write_circular_workbook(circular, path, today=today)
        self.stdout.write(self.style.SUCCESS(f"已生成 {year}年{month}月通报：{path}"))

"""python manage.py stored_scores --year 2011 [--refresh] [--check]"""

from django.core.management.base import BaseCommand, CommandError

from publicity.models import AssessmentYear
from scoring.stored import stored_check, stored_refresh


class Command(BaseCommand):
    help = "存储得分:--refresh 按当前规则重新计算并存储整个年度;--check 与全量重新计分逐单位核对(精确到分)"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--refresh", action="store_true", help="重新计算并存储")
        parser.add_argument("--check", action="store_true", help="与全量重新计分核对,不一致时以非零状态退出")

    def handle(self, *args, year, refresh, check, **options):
        assessment_year = AssessmentYear.objects.filter(year=year).first()
        if assessment_year is None:
            raise CommandError(f"{year}年度不存在。")
        if not (refresh or check):
            raise CommandError("请指定 --refresh 或 --check。")
        if refresh:
            count = stored_refresh(assessment_year)
            self.stdout.write(self.style.SUCCESS(f"{year}年度:已存储 {count} 个单位的得分。"))
        if check:
            differences = stored_check(assessment_year)
            for d in differences:
                self.stdout.write(f"{d.unit_name} {d.field}:存储 {d.stored},重新计算 {d.live}")
            if differences:
                raise CommandError(f"{year}年度存储得分与重新计算不一致:{len(differences)} 处。")
            self.stdout.write(self.style.SUCCESS(f"{year}年度存储得分与重新计算一致(精确到分)。"))

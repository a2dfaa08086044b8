"""python manage.py gen_synthetic --year 2030 --units 2000 --pieces 300000 --seed 1"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ops.synthetic import generate
from publicity.models import AssessmentYear, PieceStatus
from scoring.stored import stored_refresh


class Command(BaseCommand):
    help = "生成一个合成考核年度(单位、任务、稿件、作者、专题、刊发记录,各种状态),用于性能测试和容量估算"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度,如 2030(须尚无稿件)")
        parser.add_argument("--units", type=int, default=50, help="单位数(默认 50,一个市;一个省约 2000)")
        parser.add_argument("--pieces", type=int, default=3200, help="稿件总数(约 92%% 已通过,6%% 待审核)")
        parser.add_argument("--seed", type=int, default=1, help="随机种子:同样的参数得到同样的数据")
        parser.add_argument("--prefix", default="合成", help="单位名称前缀(默认“合成”)")

    def handle(self, *args, year, units, pieces, seed, prefix, verbosity, **options):
        if units < 3:
            raise CommandError("--units 至少为 3(每类单位至少一个)。")
        if pieces < 0:
            raise CommandError("--pieces 不能为负数。")
        echo = self.stdout.write if verbosity > 1 else (lambda s: None)
        try:
            summary = generate(year=year, units=units, pieces=pieces, seed=seed, prefix=prefix, echo=echo)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if connection.vendor == "postgresql":
            # Bulk-written rows have no planner statistics until autovacuum gets to them: without them
            # PostgreSQL guesses a year holds ~200 pieces and picks plans (hash joins over the whole
            # table) that a production database, analysed as it grew, would never use.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        started = time.perf_counter()
        stored = stored_refresh(AssessmentYear.objects.get(year=year))
        stored_seconds = round(time.perf_counter() - started, 1)
        statuses = "、".join(f"{PieceStatus(k).label} {v}" for k, v in sorted(summary.by_status.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.year}年度:{summary.units} 个单位,{summary.targets} 条任务,{summary.pieces} 篇稿件"
                f"({statuses}),{summary.publications} 条刊发记录,{summary.authors} 位作者署名,"
                f"{summary.topics} 个专题标注;用时 {summary.seconds} 秒;"
                f"计分并存储 {stored} 个单位的得分用时 {stored_seconds} 秒"
            )
        )

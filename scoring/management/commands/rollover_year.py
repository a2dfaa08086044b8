"""python manage.py rollover_year --from 2011 --to 2012 [--dry-run]: create next year from this one."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from publicity.models import AssessmentYear
from scoring.services import rollover_plan, year_rollover


class Command(BaseCommand):
    help = "由一个年度结转生成下一年度:复制报送规则、考核指标、默认和单设任务、计分规则、奖励标准(原年度不变)"

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", type=int, required=True, help="原年度,如 2011")
        parser.add_argument("--to", dest="target", type=int, help="新年度,默认为原年度的下一年")
        parser.add_argument("--dry-run", action="store_true", help="只列出将复制的内容,不写入")

    def handle(self, *args, source, target, dry_run, **options):
        year = AssessmentYear.objects.filter(year=source).first()
        if year is None:
            raise CommandError(f"没有{source}年度。")
        plan = rollover_plan(year, target)
        for line in plan.lines():
            self.stdout.write(line)
        if not plan.ok:
            raise CommandError(";".join(plan.problems))
        if dry_run:
            self.stdout.write("试运行:未写入任何数据。")
            return
        try:
            new = year_rollover(actor=None, source=year, to_year=plan.to_year)
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已生成{new.year}年度(筹备中)。在年度管理页开放后,联络员即可登记该年度稿件。")
        )

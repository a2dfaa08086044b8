from django.core.management.base import BaseCommand, CommandError

from publicity.imports import import_quotas
from publicity.management.commands.import_units import finish
from publicity.models import AssessmentYear
from sheets.tabular import ImportAborted, read_path


def get_year(number: int) -> AssessmentYear:
    try:
        return AssessmentYear.objects.get(year=number)
    except AssessmentYear.DoesNotExist as exc:
        raise CommandError(f"{number}年度不存在,请先在后台建立考核年度(或载入预设 ankang_2011)。") from exc


class Command(BaseCommand):
    help = (
        "导入任务分解表:「单位」列,然后每个指标一列(表头为指标代码如 C1、R,或指标名称);"
        "填不小于0的整数,留空表示采用该类单位的默认任务数。全部正确才写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件(.xlsx/.xls)")
        parser.add_argument("--year", type=int, required=True, help="考核年度,如 2011")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将要写入的内容,不写入")

    def handle(self, *args, file, year, dry_run, verbosity, **options):
        year_obj = get_year(year)
        try:
            sheets = read_path(file)
        except ImportAborted as exc:
            raise CommandError(str(exc)) from exc
        finish(self, import_quotas(sheets, year=year_obj, dry_run=dry_run), verbosity)

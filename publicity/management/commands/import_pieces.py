from django.core.management.base import BaseCommand, CommandError

from publicity.imports import import_pieces
from publicity.management.commands.import_units import finish
from sheets.tabular import ImportAborted, read_path

from .import_quotas import get_year


class Command(BaseCommand):
    help = (
        "导入刊发新闻稿件统计表(每次刊发一行:单位、标题、作者、稿件类型、专题、字数、媒体、刊发日期、版面、链接);"
        "同一单位同一标题的多行是一稿多投。默认导入为待审核,--approve 直接审核通过。全部正确才写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件(.xlsx/.xls)")
        parser.add_argument("--year", type=int, required=True, help="考核年度,如 2011")
        parser.add_argument("--approve", action="store_true", help="导入的稿件直接审核通过")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将要写入的内容,不写入")

    def handle(self, *args, file, year, approve, dry_run, verbosity, **options):
        year_obj = get_year(year)
        try:
            sheets = read_path(file)
        except ImportAborted as exc:
            raise CommandError(str(exc)) from exc
        report = import_pieces(sheets, year=year_obj, approve=approve, dry_run=dry_run)
        finish(self, report, verbosity)

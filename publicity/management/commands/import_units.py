from django.core.management.base import BaseCommand, CommandError

from publicity.unit_imports import import_units
from sheets.tabular import ImportAborted, read_path, report_lines


class Command(BaseCommand):
    help = (
        "导入单位名单(单位名称、单位类型、上级单位、负责人、联络员、联系电话);全部正确才写入,重复导入不会产生重复单位。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件(.xlsx/.xls)")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告将要新增/更新的内容,不写入")

    def handle(self, *args, file, dry_run, verbosity, **options):
        try:
            sheets = read_path(file)
        except ImportAborted as exc:
            raise CommandError(str(exc)) from exc
        report = import_units(sheets, dry_run=dry_run)
        finish(self, report, verbosity)


def finish(command: BaseCommand, report, verbosity: int) -> None:
    """Print a report the same way for every import command; errors make the command fail."""
    lines = report_lines(report, verbose=verbosity >= 1)
    if report.errors:
        for line in lines[:-1]:
            command.stderr.write(line)
        raise CommandError(lines[-1])
    for line in lines[:-1]:
        command.stdout.write(line)
    command.stdout.write(command.style.SUCCESS(lines[-1]))

"""python manage.py send_reminders [--year 2011] [--date 2011-12-31] [--dry-run]: remind every unit with an
overdue report, in the app and by e-mail, once per unit and deadline (safe to run from cron every day)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from publicity.models import AssessmentYear, YearStatus
from publicity.reminders import overdue_all, remind


class Command(BaseCommand):
    help = "向逾期未报送的单位发送催报提醒(首页提醒 + 邮件);同一单位同一截止日期只发一次,可由 cron 每天运行"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只处理该年度(默认:全部进行中的年度)")
        parser.add_argument("--date", help="按这一天判断是否逾期(默认今天),如 2011-12-31")
        parser.add_argument("--dry-run", action="store_true", help="只列出将提醒的单位,不发送")

    def handle(self, *args, year, date, dry_run, **options):
        try:
            today = dt.date.fromisoformat(date) if date else dt.date.today()
        except ValueError as exc:
            raise CommandError(f"日期“{date}”格式应为 年-月-日,如 2011-12-31。") from exc
        years = AssessmentYear.objects.filter(status=YearStatus.OPEN)
        if year:
            years = AssessmentYear.objects.filter(year=year)
            if not years.exists():
                raise CommandError(f"没有{year}年度。")
        for y in years.order_by("year"):
            if y.is_frozen:
                self.stdout.write(f"{y.year}年度{y.get_status_display()},不再催报。")
                continue
            dues = overdue_all(y, today)
            if dry_run:
                for d in dues:
                    self.stdout.write(f"{d.unit.name}:{d.text}")
                self.stdout.write(f"{y.year}年度:{len(dues)}项逾期(试运行,未发送)。")
                continue
            result = remind(actor=None, year=y, dues=dues, only_new=True)
            self.stdout.write(
                f"{y.year}年度:新提醒{len(result.reminded)}项,已发邮件{len(result.emailed_units)}个单位,"
                f"此前已提醒过的{result.already_reminded}项不再重复。"
            )
            if result.no_address:
                names = "、".join(u.name for u in result.no_address)
                self.stdout.write(f"以下单位的联络员没有登记邮箱,只在系统首页提醒:{names}")

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import user_reset_password, user_set_roles
from units.models import Role, Unit, User


class Command(BaseCommand):
    help = (
        "在服务器上设置账号的角色(首次部署时建立三员账号用;之后由安全管理员在后台授权)。"
        "例:set_roles secadmin1 secadmin --create"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("roles", nargs="*", help=f"角色,可选:{'、'.join(Role.values)};不填则撤销全部角色")
        parser.add_argument("--unit", help="单位名称(联络员、负责人必填)")
        parser.add_argument("--create", action="store_true", help="账号不存在时新建,并设置初始密码(首次登录须修改)")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取初始密码")

    def handle(self, *args, username, roles, unit=None, create=False, password_stdin=False, **options):
        unknown = set(roles) - set(Role.values)
        if unknown:
            raise CommandError(f"未知角色:{'、'.join(sorted(unknown))}。可选:{'、'.join(Role.values)}")
        target_unit = None
        if unit:
            target_unit = Unit.objects.filter(name=unit).first()
            if target_unit is None:
                raise CommandError(f"单位“{unit}”不存在。")
        user = User.objects.filter(username=username).first()
        try:
            with transaction.atomic():
                if user is None:
                    if not create:
                        raise CommandError(f"账号“{username}”不存在;新建请加 --create。")
                    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass("初始密码:")
                    user = User.objects.create_user(username=username, display_name=username)
                    user_reset_password(actor=None, user=user, password=password)
                user_set_roles(actor=None, user=user, roles=roles, unit=target_unit if unit else ...)
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from exc
        user.refresh_from_db()
        names = "、".join(str(Role(r).label) for r in user.roles) or "无"
        self.stdout.write(f"账号“{username}”的角色:{names}。")

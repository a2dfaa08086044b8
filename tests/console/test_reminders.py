"""Reminders that reach people: every overdue unit at once, by e-mail through Django's backend, never twice
for the same unit and deadline; annual-reporting units are due once, at their deadline."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from publicity.models import PeriodReport, Reminder
from publicity.reminders import overdue_reports
from publicity.reporting import Rule, obligations

from .conftest import count_queries

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("publicity:reports-overview") + "?year=2011"
REMIND_ALL = reverse("publicity:reminders-overdue") + "?year=2011&as_of=2011-04-10"


@pytest.fixture
def emails(users):
    for name, address in [("liaison_a", "hanbin@example.cn"), ("liaison_dept", "bgs@example.cn")]:
        users[name].email = address
        users[name].save()
    return users


def test_annual_unit_is_due_once_at_its_deadline():
    rule = Rule("annual", 25, 12)
    before = obligations(rule, 2011, dt.date(2011, 12, 20), {})
    assert [(o.month, o.due, o.late) for o in before] == [(None, dt.date(2011, 12, 25), False)]
    after = obligations(rule, 2011, dt.date(2011, 12, 31), {})
    assert len(after) == 1 and after[0].late
    filed = obligations(rule, 2011, dt.date(2011, 12, 31), {12: dt.date(2011, 12, 20)})
    assert filed[0].filed and not filed[0].late
    assert len(obligations(Rule("monthly", 5), 2011, dt.date(2011, 12, 31), {})) == 12


def test_overdue_reports(year, units):
    dues = overdue_reports(year, dt.date(2011, 4, 10))
    # 办公室 reports monthly (Jan–Mar due by 5 April); county bureaus and 局属单位 once, on 25 December.
    assert sorted((d.unit.name, d.month) for d in dues) == [("办公室", 1), ("办公室", 2), ("办公室", 3)]
    year_end = overdue_reports(year, dt.date(2011, 12, 31))
    assert sorted(d.month for d in year_end if d.unit == units["a"]) == [12]


def test_overview_shows_annual_units_once(client, users, units):
    client.force_login(users["reviewer"])
    response = client.get(reverse("publicity:reports-overview") + "?year=2011&as_of=2011-12-31")
    row = next(r for r in response.context["table"] if r["unit"] == units["a"])
    assert row["annual"] and len(row["cells"]) == 1 and row["late"] == 1
    dept = next(r for r in response.context["table"] if r["unit"] == units["dept"])
    assert len(dept["cells"]) == 12 and dept["late"] == 11  # December is due on 5 January


def test_remind_all_overdue_at_once_and_email(client, emails, units):
    client.force_login(emails["reviewer"])
    response = client.post(REMIND_ALL)
    assert response.status_code == 302
    assert Reminder.objects.filter(unit=units["dept"]).count() == 3
    assert len(mail.outbox) == 1  # one e-mail per unit, listing its three months
    message = mail.outbox[0]
    assert message.to == ["bgs@example.cn"]
    assert "2011年1月稿件报送" in message.body and "2011年3月稿件报送" in message.body
    assert all(r.emailed_at for r in Reminder.objects.filter(unit=units["dept"]))
    # Asked again: the in-app reminders again, but no second e-mail for the same deadlines.
    client.post(REMIND_ALL)
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(unit=units["dept"]).count() == 6


def test_unit_without_address_is_named(client, users, units):
    client.force_login(users["bureau_admin"])
    response = client.post(REMIND_ALL, follow=True)
    assert "没有登记邮箱" in response.content.decode() and "办公室" in response.content.decode()
    assert len(mail.outbox) == 0 and Reminder.objects.filter(unit=units["dept"]).count() == 3


@pytest.mark.parametrize("who", ["leader", "liaison_a", "auditor"])
def test_other_roles_get_403(client, users, who):
    client.force_login(users[who])
    assert client.post(REMIND_ALL).status_code == 403
    assert not Reminder.objects.exists()


def test_get_is_refused(client, users):
    client.force_login(users["reviewer"])
    assert client.get(REMIND_ALL).status_code == 405
    assert not Reminder.objects.exists()


def test_frozen_year_refuses_reminders(client, users, year, units):
    year.status = "closed"
    year.save()
    client.force_login(users["reviewer"])
    response = client.post(REMIND_ALL, follow=True)
    assert not Reminder.objects.exists() and not mail.outbox
    assert "已结账" in response.content.decode()


def test_liaison_home_lists_the_reminder(client, emails, units):
    client.force_login(emails["reviewer"])
    client.post(REMIND_ALL)
    client.force_login(emails["liaison_dept"])
    html = client.get(reverse("publicity:unit-home") + "?year=2011").content.decode()
    assert "2011年3月稿件报送" in html


def test_command_never_twice_for_the_same_deadline(capsys, emails, units, year):
    call_command("send_reminders", "--year", "2011", "--date", "2011-04-10")
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 3
    call_command("send_reminders", "--year", "2011", "--date", "2011-04-10")
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 3
    out = capsys.readouterr().out
    assert "此前已提醒过的3项不再重复" in out
    # A new deadline passes (April's, on 5 May): one more e-mail, for April only.
    call_command("send_reminders", "--year", "2011", "--date", "2011-05-06")
    assert len(mail.outbox) == 2 and "2011年4月" in mail.outbox[1].body and "2011年3月" not in mail.outbox[1].body


def test_command_dry_run_sends_nothing(capsys, emails, year):
    call_command("send_reminders", "--year", "2011", "--date", "2011-04-10", "--dry-run")
    assert "3项逾期(试运行,未发送)" in capsys.readouterr().out
    assert not Reminder.objects.exists() and not mail.outbox


def test_filed_month_is_not_reminded(emails, units, year):
    PeriodReport.objects.create(year=year, unit=units["dept"], month=2, is_zero=True)
    call_command("send_reminders", "--year", "2011", "--date", "2011-04-10")
    assert sorted(Reminder.objects.values_list("month", flat=True)) == [1, 3]


def test_email_once_is_a_database_rule(units, year):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    args = {"year": year, "unit": units["dept"], "month": 1, "deadline": dt.date(2011, 2, 5), "message": "x"}
    Reminder.objects.create(**args, emailed_at=timezone.now())
    Reminder.objects.create(**args)  # an in-app reminder again is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**args, emailed_at=timezone.now())


def test_overview_queries_do_not_grow_with_units(client, users, more_units):
    client.force_login(users["reviewer"])
    few = count_queries(lambda: client.get(OVERVIEW))
    more_units(30)
    more_units(30, "dept")
    assert count_queries(lambda: client.get(OVERVIEW)) == few

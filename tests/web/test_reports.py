"""Periodic reports: filing a month or a zero report, deadlines from ReportingRule, the bureau's
overview (filed / late) and reminders."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from publicity import services
from publicity.models import PeriodReport, PieceStatus, Reminder, ReportingRule
from publicity.reporting import Rule, due_date, month_states, next_deadline

URL = reverse("publicity:unit-reports")
OVERVIEW = reverse("publicity:reports-overview")
REMIND = reverse("publicity:reminder-send")


def test_due_dates_follow_the_rule():
    monthly = Rule("monthly", 5)
    assert due_date(monthly, 2011, 3) == dt.date(2011, 4, 5)
    assert due_date(monthly, 2011, 12) == dt.date(2012, 1, 5)
    assert due_date(Rule("monthly", 31), 2011, 3) == dt.date(2011, 4, 30)  # clamped
    annual = Rule("annual", 25, 12)
    assert due_date(annual, 2011, 6) == dt.date(2011, 12, 25)
    states = month_states(monthly, 2011, dt.date(2011, 5, 6), {3: dt.date(2011, 4, 7)})
    assert [s.month for s in states if s.late] == [1, 2, 4]
    assert states[2].filed and states[2].filed_late
    assert next_deadline(monthly, 2011, dt.date(2011, 5, 6), {}).month == 5
    assert next_deadline(monthly, 2011, dt.date(2011, 5, 5), {}).due == dt.date(2011, 5, 5)


def test_file_month_report(client, users, units, make_piece, year):
    make_piece(units["a"], "三月稿件一", [("安康日报", "2011-03-05")], status=PieceStatus.SUBMITTED)
    make_piece(units["a"], "三月稿件二", [("安康日报", "2011-03-25")])
    make_piece(units["a"], "四月稿件", [("安康日报", "2011-04-02")])
    client.force_login(users["liaison_a"])
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"month": "3", "note": ""})
    assert response.status_code == 302
    report = PeriodReport.objects.get(unit=units["a"], month=3)
    assert report.piece_count == 2 and not report.is_zero and report.filed_by == users["liaison_a"]
    page = client.get(URL).content.decode()
    assert "已报送 2 篇" in page


def test_zero_report(client, users, units, year):
    client.force_login(users["liaison_a"])
    client.post(URL, {"month": "2", "is_zero": "on"})
    assert PeriodReport.objects.get(unit=units["a"], month=2).is_zero


@pytest.mark.parametrize(
    "post,message",
    [
        ({"month": "3", "is_zero": "on"}, "3月已登记1篇稿件,不能报送零报告"),
        ({"month": "5"}, "5月没有已提交的稿件"),
        ({"month": "13"}, "请选择1到12月"),
    ],
)
def test_bad_input_files_nothing(client, users, units, make_piece, post, message):
    make_piece(units["a"], "三月稿件", [("安康日报", "2011-03-05")])
    client.force_login(users["liaison_a"])
    response = client.post(URL, post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PeriodReport.objects.exists()


def test_drafts_block_the_report_and_duplicates_are_refused(client, users, units, make_piece):
    make_piece(units["a"], "三月稿件", [("安康日报", "2011-03-05")])
    make_piece(units["a"], "三月草稿", [("安康日报", "2011-03-06")], status=PieceStatus.DRAFT)
    client.force_login(users["liaison_a"])
    assert "还有1篇草稿或被退回的稿件未提交" in client.post(URL, {"month": "3"}).content.decode()
    assert not PeriodReport.objects.exists()
    client.post(URL, {"month": "1", "is_zero": "on"})
    # a filed month is no longer offered; the form says to use 更新报送 (the service still refuses a second filing)
    assert "已报送的月份请用“更新报送”" in client.post(URL, {"month": "1", "is_zero": "on"}).content.decode()
    assert PeriodReport.objects.count() == 1
    with pytest.raises(ValidationError, match="不能重复报送"):
        services.report_file(actor=users["liaison_a"], unit=units["a"], year=units["a"].reports.get().year, month=1)


def test_unit_head_reads_but_cannot_file(client, users, units):
    client.force_login(users["head_a"])
    page = client.get(URL).content.decode()
    assert "报送情况" in page and 'name="is_zero"' not in page
    assert client.post(URL, {"month": "1", "is_zero": "on"}).status_code == 403
    assert not PeriodReport.objects.exists()


def test_other_unit_is_404(client, users, units):
    client.force_login(users["liaison_a"])
    assert client.get(f"{URL}?unit={units['b'].pk}").status_code == 404
    assert client.post(URL, {"month": "1", "is_zero": "on", "unit": units["b"].pk}).status_code == 404
    assert not PeriodReport.objects.exists()


def test_overview_shows_filed_and_late(client, users, units, year):
    PeriodReport.objects.create(year=year, unit=units["dept"], month=1, is_zero=True)
    client.force_login(users["leader"])
    page = client.get(OVERVIEW).content.decode()
    # It is past 2011: every unfiled month of 办公室 (monthly, by the 5th) is late; January is filed.
    row = page.split(f'data-unit="{units["dept"].pk}"')[1].split("</tr>")[0]
    assert row.count("✗") == 11 and "✓" in row
    assert 'name="message"' not in page  # the leader reads only


def test_send_reminder_and_liaison_sees_it(client, users, units, year):
    client.force_login(users["bureau_admin"])
    response = client.post(REMIND, {"unit": units["a"].pk, "month": "3", "message": "请报送3月稿件"}, follow=True)
    assert "已向汉滨区人社局发送3月催报提醒" in response.content.decode()
    reminder = Reminder.objects.get()
    assert reminder.unit == units["a"] and reminder.sent_by == users["bureau_admin"]
    client.force_login(users["liaison_a"])
    assert "请报送3月稿件" in client.get(reverse("publicity:unit-home")).content.decode()
    client.force_login(users["liaison_b"])
    assert "请报送3月稿件" not in client.get(reverse("publicity:unit-home")).content.decode()


def test_reminder_bad_input_and_wrong_role(client, users, units):
    client.force_login(users["reviewer"])
    response = client.post(REMIND, {"unit": units["a"].pk, "month": "3", "message": ""}, follow=True)
    assert "请填写提醒内容" in response.content.decode()
    response = client.post(REMIND, {"unit": 99999, "month": "3", "message": "x"}, follow=True)
    assert "单位不存在" in response.content.decode()
    for persona in ("liaison_a", "leader", "auditor"):
        client.force_login(users[persona])
        assert client.post(REMIND, {"unit": units["a"].pk, "month": "3", "message": "x"}).status_code == 403
    assert not Reminder.objects.exists()


def test_rule_is_data(client, users, units, year):
    ReportingRule.objects.filter(year=year, unit_kind=units["a"].kind).update(cadence="monthly", day=10, month=None)
    client.force_login(users["liaison_a"])
    page = client.get(URL).content.decode()
    assert "每月10日前报送上月" in page and "2011-04-10" in page


def test_overview_query_count_does_not_grow(client, users, units, year, kinds):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from units.models import Unit

    client.force_login(users["bureau_admin"])
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW)
    for i in range(20):
        unit = Unit.objects.create(name=f"新增单位{i}", kind=kinds["dept"], order=10 + i)
        PeriodReport.objects.create(year=year, unit=unit, month=1, is_zero=True)
    with CaptureQueriesContext(connection) as many:
        page = client.get(OVERVIEW).content.decode()
    assert "新增单位19" in page
    assert len(many) == len(few)


def test_as_of_replays_a_past_date(client, users, units, year):
    client.force_login(users["leader"])
    page = client.get(OVERVIEW + "?as_of=2011-04-06").content.decode()
    row = page.split(f'data-unit="{units["dept"].pk}"')[1].split("</tr>")[0]
    assert row.count("✗") == 3  # January to March were due by 5 April
    row = page.split(f'data-unit="{units["a"].pk}"')[1].split("</tr>")[0]
    assert row.count("✗") == 0  # counties are due on 25 December

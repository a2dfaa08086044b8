"""A reported-figure task's due date on the homes (liaison/head, dashboard, review queue) and in the reminders
for figures not reported by then (issue 14 item 2 and 5), in a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from desk import deadlines
from figures import services
from figures.models import FigureTarget
from publicity.models import Reminder, ReminderKind
from publicity.reminders import overdue_all, remind

pytestmark = pytest.mark.django_db
DUE = dt.date(2011, 4, 20)


@pytest.fixture
def due_task(task):
    task.due_date = DUE
    task.save()
    return task


def _figure(rows):
    return [(d.due, d.text, d.overdue) for d in rows if d.kind == "figure"]


def test_unit_sees_its_task_until_reported(users, units, year, due_task, reported):
    assert _figure(deadlines.for_unit(users["liaison_a"], units["a"], year, dt.date(2011, 4, 10))) == [
        (DUE, "报送“安康日报征订”完成数(任务50份)", False)
    ]
    [row] = [
        d for d in deadlines.for_unit(users["liaison_a"], units["a"], year, dt.date(2011, 4, 21)) if d.kind == "figure"
    ]
    assert row.overdue and row.url == reverse("figures:report", args=[due_task.pk])
    # the head cannot report: the line links to the list it can read
    [head] = [
        d for d in deadlines.for_unit(users["head_a"], units["a"], year, dt.date(2011, 4, 21)) if d.kind == "figure"
    ]
    assert head.url == reverse("figures:list")
    report = reported("a", 40)
    assert _figure(deadlines.for_unit(users["liaison_a"], units["a"], year, dt.date(2011, 4, 21))) == []
    services.report_review(actor=users["reviewer"], report=report, approve=False, reason="回执看不清")
    assert _figure(deadlines.for_unit(users["liaison_a"], units["a"], year, dt.date(2011, 4, 21))) == [
        (DUE, "重新报送“安康日报征订”完成数(已退回)", True)
    ]


def test_no_due_date_exempt_or_not_taking_part_lists_nothing(users, units, year, task, due_task):
    FigureTarget.objects.create(task=due_task, unit=units["b"], target=0)  # exempt
    assert _figure(deadlines.for_unit(users["liaison_b"], units["b"], year, dt.date(2011, 4, 10))) == []
    assert _figure(deadlines.for_unit(users["liaison_dept"], units["dept"], year, dt.date(2011, 4, 10))) == []
    due_task.due_date = None
    due_task.save()
    assert _figure(deadlines.for_unit(users["liaison_a"], units["a"], year, dt.date(2011, 4, 10))) == []
    assert _figure(deadlines.for_bureau(year, dt.date(2011, 4, 10))) == []


def test_bureau_sees_each_task_some_unit_owes(users, units, year, due_task, reported):
    reported("a", 60, approve=True)
    assert _figure(deadlines.for_bureau(year, dt.date(2011, 4, 10))) == [
        (DUE, "报送数据任务“安康日报征订”(1/2个单位已报送)", False)
    ]
    reported("b", 20)  # waiting for review counts as sent
    assert _figure(deadlines.for_bureau(year, dt.date(2011, 4, 30))) == []


def test_homes_show_the_figure_deadline(client, users, units, year, due_task):
    for persona, url in (
        ("liaison_a", "publicity:unit-home"),
        ("head_a", "publicity:unit-home"),
        ("bureau_admin", "publicity:dashboard"),
        ("reviewer", "publicity:review-queue"),
    ):
        client.force_login(users[persona])
        page = client.get(reverse(url) + "?as_of=2011-04-25").content.decode()
        block = page[page.index('id="deadlines"') :]
        assert re.search(r'<li class="overdue" data-kind="figure">.*?安康日报征订', block, re.S), persona
    client.force_login(users["liaison_b"])  # another unit's home lists its own line only
    page = client.get(reverse("publicity:unit-home") + "?as_of=2011-04-10").content.decode()
    assert page.count('data-kind="figure"') == 1


def test_reminders_cover_units_that_owe_a_figure(users, units, year, due_task, reported, mailoutbox):
    users["liaison_b"].email = "xunyang@example.cn"
    users["liaison_b"].save()
    reported("a", 60)
    assert not services.overdue_figures(year, DUE)  # due today: not yet overdue
    dues = [d for d in overdue_all(year, dt.date(2011, 4, 21)) if d.kind == ReminderKind.FIGURE]
    assert [(d.unit, d.deadline) for d in dues] == [(units["b"], DUE)]
    assert dues[0].text == "报送数据(截止2011-04-20):“安康日报征订”"
    result = remind(actor=None, year=year, dues=dues, only_new=True)
    assert [r.unit for r in result.reminded] == [units["b"]]
    assert len(mailoutbox) == 1 and "安康日报征订" in mailoutbox[0].body
    again = remind(actor=None, year=year, dues=services.overdue_figures(year, dt.date(2011, 4, 22)), only_new=True)
    assert not again.reminded and again.already_reminded == 1 and len(mailoutbox) == 1
    assert Reminder.objects.filter(kind=ReminderKind.FIGURE).count() == 1


def test_reminder_reads_as_a_figure_reminder_on_the_home(client, users, units, year, due_task):
    remind(actor=None, year=year, dues=services.overdue_figures(year, dt.date(2011, 4, 21)))
    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:unit-home")).content.decode()
    assert "报送数据提醒" in page and "“安康日报征订”" in page


def test_queries_do_not_grow_with_tasks_and_units(
    users, units, year, kinds, due_task, django_assert_num_queries, django_assert_max_num_queries
):
    from figures.models import FigureTask
    from units.models import Unit

    with django_assert_num_queries(5):
        services.owing(year)
    with django_assert_num_queries(5):
        services.overdue_figures(year, dt.date(2011, 5, 1))
    for i in range(5):
        t = FigureTask.objects.create(year=year, name=f"任务{i}", default_target=3, due_date=DUE)
        t.unit_kinds.set([kinds["county"]])
        Unit.objects.create(name=f"新县{i}", kind=kinds["county"], order=10 + i)
    with django_assert_num_queries(5):
        assert len(services.owing(year)) == 6
    with django_assert_num_queries(5):
        assert len(services.overdue_figures(year, dt.date(2011, 5, 1))) == 7  # one per unit: tasks of a day joined
    with django_assert_max_num_queries(3 + 5 + 8):
        deadlines.for_bureau(year, dt.date(2011, 4, 10))

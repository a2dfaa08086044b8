"""Liaison / unit head home: progress per indicator, points and reward, projection, waiting pieces,
reminders and the next reporting deadline."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from publicity.models import PieceStatus, Reminder
from scoring.progress import project, scale, year_pace
from scoring.rules import PolicyFact
from scoring.services import score_year

from .conftest import make_many

URL = reverse("publicity:unit-home")


def test_progress_points_reward_and_waiting_pieces(client, users, units, make_piece, year):
    make_piece(units["a"], "汉滨区就业工作纪实", [("安康日报", "2011-03-05"), ("人民网", "2011-03-06")])
    make_piece(units["a"], "汉滨区社保扩面调查", kind="research", report_date=dt.date(2011, 4, 1))
    make_piece(units["a"], "待审核的稿件标题", [("安康日报", "2011-05-05")], status=PieceStatus.SUBMITTED)
    make_piece(units["a"], "被退回的稿件标题", [("安康日报", "2011-05-06")], status=PieceStatus.REJECTED)
    make_piece(units["b"], "旬阳县的稿件不该出现", [("安康日报", "2011-05-06")], status=PieceStatus.SUBMITTED)
    client.force_login(users["liaison_a"])
    response = client.get(URL + "?as_of=2011-07-02")
    assert response.status_code == 200
    page = response.content.decode()
    expected = score_year(year, unit_ids=[units["a"].pk], as_of=dt.date(2011, 7, 2)).unit(units["a"].pk)
    c1 = next(i for i in expected.indicators if i.code == "C1")
    assert c1.achieved == 1 and c1.target == 40
    assert 'data-code="C1"' in page and '<span class="achieved">1</span> / 40' in page
    assert '<span class="achieved">1</span> / 4' in page  # R: the research article
    assert f'id="points">{expected.points}<' in page
    assert str(expected.reward) in page
    assert "待审核的稿件标题" in page and "被退回的稿件标题" in page and "证据不清晰" in page
    assert "旬阳县的稿件不该出现" not in page
    # 2011-07-02 is day 183 of 365: 1 piece → floor(1 × 365 / 183) = 1; 12月25日 is the county deadline.
    assert "已过全年 183 天(共 365 天)" in page
    assert "2011年12月25日" in page
    # the day is picked with a date field (a GET form), not typed into the address
    assert 'type="date" id="as-of" name="as_of" value="2011-07-02" min="2011-01-01" max="2011-12-31"' in page


def test_projection_formula():
    assert year_pace(2011, dt.date(2011, 7, 2)) == (183, 365)
    assert year_pace(2012, dt.date(2012, 12, 31)) == (366, 366)
    assert scale(20, 183, 365) == 39  # 20 × 365 / 183 = 39.89 → 39
    assert scale(5, 0, 365) == 0

    class Ind:
        def __init__(self, code, target, achieved, penalty=True, basis=False):
            self.code, self.name, self.target, self.achieved = code, code, target, achieved
            self.counts_for_penalty, self.is_bonus_basis = penalty, basis

    class Unit:
        indicators = [Ind("C1", 40, 22, basis=True), Ind("R", 4, 2)]
        bonus_base = 3

    policy = PolicyFact(Decimal("4"), Decimal("0.1"), Decimal("0.3"), Decimal("0.1"), Decimal("0"))
    # half the year: C1 44 (4 extra, b_P 6 → E = 4), R 4: M = 0 → 4 + 0.4 = 4.40
    result = project(Unit, policy, 183, 366)
    assert [ln.projected for ln in result.lines] == [44, 4]
    assert result.missing == 0 and result.extra == 4
    assert result.points == Decimal("4.40")


def test_reminder_shown_and_marked_read(client, users, units, year):
    reminder = Reminder.objects.create(year=year, unit=units["a"], month=3, message="请尽快报送3月稿件")
    other = Reminder.objects.create(year=year, unit=units["b"], month=3, message="旬阳县的提醒")
    client.force_login(users["liaison_a"])
    page = client.get(URL).content.decode()
    assert "请尽快报送3月稿件" in page and "旬阳县的提醒" not in page
    assert client.post(reverse("publicity:reminder-read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("publicity:reminder-read", args=[reminder.pk]))
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert "请尽快报送3月稿件" not in client.get(URL).content.decode()


def test_unit_head_reads_but_cannot_log(client, users, units, year):
    client.force_login(users["head_a"])
    page = client.get(URL).content.decode()
    assert "汉滨区人社局" in page
    assert reverse("publicity:piece-create") not in page


@pytest.mark.parametrize("persona", ["reviewer", "leader", "auditor", "sysadmin", "liaison_b"])
def test_other_roles(client, users, persona):
    client.force_login(users[persona])
    status = client.get(URL).status_code
    # liaison_b has a unit home of their own; the others have none
    assert status == (200 if persona == "liaison_b" else 403)


def test_query_count_does_not_grow(client, users, units, make_piece, django_assert_max_num_queries):
    client.force_login(users["liaison_a"])
    make_many(make_piece, units["a"], 5)
    make_many(make_piece, units["a"], 2, status=PieceStatus.SUBMITTED, prefix="待审")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    make_many(make_piece, units["a"], 35, prefix="更多")
    make_many(make_piece, units["a"], 10, status=PieceStatus.REJECTED, prefix="退回")
    with django_assert_max_num_queries(len(small)):
        assert client.get(URL).status_code == 200

"""Deadlines on each person's home (issue 14 item 5): the roster, reports, campaign deliverables and website
sign-off waits, soonest first, overdue marked; in a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from campaigns import services as campaigns
from desk import deadlines
from tests.campaigns.conftest import at
from website import services as website
from website.models import WebsiteItem, WebsiteRule

pytestmark = pytest.mark.django_db
MARCH_1 = dt.date(2011, 3, 1)


def _website_item(users, units, year, **over):
    data = website.ItemInput("汉滨区春风行动", "正文", "李晓梅", **over)
    item = website.item_save(actor=users["liaison_a"], unit=units["a"], year=year, data=data, submit=True)
    WebsiteItem.objects.filter(pk=item.pk).update(
        waiting_since=dt.datetime(2011, 4, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    return item


def test_unit_deadlines_soonest_first_with_overdue_marked(users, units, year, campaign, photo):
    WebsiteRule.objects.create(year=year, signoff_days=2, publish_days=3)
    _website_item(users, units, year)
    rows = deadlines.for_unit(users["head_a"], units["a"], year, dt.date(2011, 4, 5))
    assert [(d.kind, d.due, d.overdue) for d in rows] == [
        ("roster", dt.date(2011, 3, 11), True),  # 汉滨区人社局 has no liaison recorded
        ("website", dt.date(2011, 4, 4), True),  # waiting for the head since 2 April, 2 days allowed
        ("campaign", dt.date(2011, 4, 9), False),
        ("report", dt.date(2011, 12, 25), False),  # a county reports the whole year on 25 December
    ]
    assert rows[1].text == "签发局网站稿件“汉滨区春风行动”"
    assert "照片2份、视频1份、书面总结1份" in rows[2].text
    # Once the unit sent everything the campaign leaves the list; a recorded liaison ends the roster line.
    done = campaigns.files_add(actor=None, campaign=campaign, unit=units["a"], kind="photo", uploads=[photo(), photo()])
    done += campaigns.files_add(actor=None, campaign=campaign, unit=units["a"], kind="summary", text="总结")
    campaign.deliverables.filter(kind="video").delete()
    at(done, dt.date(2011, 4, 8))
    units["a"].liaison_name = "李晓梅"
    units["a"].save()
    kinds = [d.kind for d in deadlines.for_unit(users["liaison_a"], units["a"], year, dt.date(2011, 4, 5))]
    assert "campaign" not in kinds and "roster" not in kinds


def test_a_closed_year_has_no_pending_deadline(users, units, year, campaign):
    """QA: after closing, a signed website item stayed on the liaison's home as due, though nobody could act."""
    WebsiteRule.objects.create(year=year, signoff_days=2, publish_days=3)
    _website_item(users, units, year)
    day = dt.date(2011, 4, 5)
    assert deadlines.for_unit(users["head_a"], units["a"], year, day)
    assert deadlines.for_bureau(year, day)
    year.status = "closed"
    assert deadlines.for_unit(users["head_a"], units["a"], year, day) == []
    assert deadlines.for_bureau(year, day) == []
    assert deadlines.for_website_staff(users["bureau_admin"], year, day) == []


def test_monthly_unit_sees_each_overdue_month_and_the_next(users, units, year):
    rows = deadlines.for_unit(users["liaison_dept"], units["dept"], year, dt.date(2011, 3, 20))
    reports = [(d.text, d.due, d.overdue) for d in rows if d.kind == "report"]
    assert reports == [
        ("报送1月稿件", dt.date(2011, 2, 5), True),
        ("报送2月稿件", dt.date(2011, 3, 5), True),
        ("报送3月稿件", dt.date(2011, 4, 5), False),
    ]


def test_bureau_deadlines(users, units, year, campaign):
    rows = deadlines.for_bureau(year, dt.date(2011, 4, 10))
    by_kind = {d.kind: d for d in rows if d.kind != "report" or d.overdue}
    assert by_kind["campaign"].overdue and "0/2个单位已报齐" in by_kind["campaign"].text
    assert by_kind["roster"].overdue and "未登记联络员" in by_kind["roster"].text
    assert (
        by_kind["report"].overdue and "个单位稿件报送逾期未报" in by_kind["report"].text
    )  # 办公室 owes its monthly reports
    upcoming = [d.text for d in rows if d.kind == "report" and not d.overdue]
    assert "机关科室报送4月稿件" in upcoming and "县区人社局报送全年稿件明细" in upcoming
    assert [d.due for d in rows] == sorted(d.due for d in rows)


def test_homes_show_the_deadlines(client, users, units, year, campaign):
    WebsiteRule.objects.create(year=year, signoff_days=2, publish_days=3)
    item = _website_item(users, units, year)
    client.force_login(users["liaison_a"])
    page = client.get(reverse("publicity:unit-home") + "?as_of=2011-04-10").content.decode()
    block = page[page.index('id="deadlines"') :]
    assert re.search(r'<li class="overdue" data-kind="campaign">.*?社会工作主题宣传活动', block, re.S)
    client.force_login(users["head_a"])
    page = client.get(reverse("publicity:unit-home") + "?as_of=2011-04-03").content.decode()
    assert '<li class="" data-kind="website">' in page and "签发局网站稿件“汉滨区春风行动”" in page
    for persona, url in (("bureau_admin", "publicity:dashboard"), ("reviewer", "publicity:review-queue")):
        client.force_login(users[persona])
        page = client.get(reverse(url) + "?as_of=2011-04-10").content.decode()
        assert 'id="deadlines"' in page and "社会工作主题宣传活动" in page, persona
    website.item_sign(actor=users["head_a"], item=item)
    from units.models import User

    editor = User.objects.create_user(username="editor", password="x", is_website_editor=True)
    client.force_login(editor)
    page = client.get(reverse("website:list")).content.decode()
    assert 'id="deadlines"' in page and "待网站编辑发布:汉滨区人社局“汉滨区春风行动”" in page


def test_unit_home_queries_do_not_grow_with_campaigns_and_items(client, users, units, year, campaign_input, photo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["head_a"])
    url = reverse("publicity:unit-home") + "?as_of=2011-04-10"
    campaigns.campaign_save(actor=None, year=year, data=campaign_input([units["a"]]))
    _website_item(users, units, year)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(6):
        c = campaigns.campaign_save(
            actor=None, year=year, data=campaign_input([units["a"], units["b"]], title=f"活动{i}")
        )
        campaigns.files_add(actor=None, campaign=c, unit=units["a"], kind="photo", uploads=[photo()])
        if i < 2:  # the home lists 12 at most: 1 roster, 3 website, 7 campaigns, 1 report
            _website_item(users, units, year, kind="info")
    with CaptureQueriesContext(connection) as big:
        page = client.get(url).content.decode()
    assert page.count('data-kind="campaign"') == 7
    assert len(big) <= len(small), [q["sql"] for q in big.captured_queries]


def test_bureau_home_queries_do_not_grow_with_campaigns(client, users, units, year, campaign_input, kinds):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from units.models import Unit

    client.force_login(users["reviewer"])
    url = reverse("publicity:review-queue") + "?as_of=2011-04-10"
    campaigns.campaign_save(actor=None, year=year, data=campaign_input([units["a"]]))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    more = [Unit.objects.create(name=f"单位{i}", kind=kinds["dept"], order=20 + i) for i in range(10)]
    for i in range(5):
        campaigns.campaign_save(actor=None, year=year, data=campaign_input(more, title=f"活动{i}"))
    with CaptureQueriesContext(connection) as big:
        page = client.get(url).content.decode()
    assert page.count('data-kind="campaign"') == 6
    assert len(big) <= len(small)

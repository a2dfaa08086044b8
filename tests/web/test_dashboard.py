"""Bureau / leadership dashboard: every unit's completion, points, reward, rank and monthly chart."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from publicity.models import PieceStatus
from scoring.services import year_results

from .conftest import make_many

URL = reverse("publicity:dashboard")


def test_dashboard_shows_every_unit_with_rank_points_reward(client, users, units, make_piece, year):
    make_piece(units["a"], "汉滨区稿件一", [("安康日报", "2011-03-05")])
    make_piece(units["a"], "汉滨区稿件二", [("陕西日报", "2011-04-05")])
    make_piece(units["b"], "旬阳县稿件", [("安康日报", "2011-04-06")], status=PieceStatus.SUBMITTED)
    client.force_login(users["leader"])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    results = year_results(year)
    for unit_score in results.units:
        assert f'data-unit="{unit_score.unit_id}"' in page
        assert str(unit_score.points) in page
    a = results.unit(units["a"].pk)
    row = re.search(rf'<tr data-unit="{units["a"].pk}">(.*?)</tr>', page, re.S).group(1)
    # The table is one unit kind: 汉滨区人社局 is ranked among the county bureaus (first of the two).
    assert a.rank > 1 and '<td class="num">1</td>' in row and str(a.reward) in row
    assert '<span class="achieved">2</span>/40' in row
    assert f"{reverse('publicity:piece-list')}?unit={units['a'].pk}" in row
    for kind in ("县区人社局", "机关科室", "局属单位"):
        assert kind in page
    chart = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1))
    assert chart["approved"][2] == 1 and chart["approved"][3] == 1 and chart["waiting"][3] == 1
    assert chart["cumulative"][-1] == 2
    county = next(k for k in chart["kinds"] if k["name"] == "县区人社局")
    assert county["data"][2] == 1 and county["data"][3] == 1 and sum(county["data"]) == 2
    assert reverse("scoring:unit-score", kwargs={"year": 2011, "unit_id": units["a"].pk}) in row
    assert "vendor/chartjs/chart.umd.min.js" in page and "cdn" not in page.lower()


@pytest.mark.parametrize("persona", ["liaison_a", "head_a", "auditor", "sysadmin", "secadmin", "outsider"])
def test_wrong_roles(client, users, persona):
    client.force_login(users[persona])
    assert client.get(URL).status_code == 403


def test_drill_down_to_unit_pieces(client, users, units, make_piece):
    make_piece(units["a"], "汉滨区稿件一", [("安康日报", "2011-03-05")])
    make_piece(units["b"], "旬阳县稿件", [("安康日报", "2011-03-05")])
    client.force_login(users["leader"])
    page = client.get(reverse("publicity:piece-list") + f"?unit={units['a'].pk}").content.decode()
    assert "汉滨区稿件一" in page and "旬阳县稿件" not in page
    # a liaison asking for another unit's list gets a 404
    client.force_login(users["liaison_a"])
    assert client.get(reverse("publicity:piece-list") + f"?unit={units['b'].pk}").status_code == 404
    assert client.get(reverse("publicity:piece-list") + "?unit=abc").status_code == 404


def test_query_count_does_not_grow(client, users, units, make_piece):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["bureau_admin"])
    make_many(make_piece, units["a"], 5)
    client.get(URL)  # the year's first view stores its scores (scoring.stored); later views read them
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for unit in units.values():
        make_many(make_piece, unit, 10, prefix="更多")
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(few), (len(few), len(many))


def test_piece_list_query_count_does_not_grow(client, users, units, make_piece):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["liaison_a"])
    url = reverse("publicity:piece-list")
    make_many(make_piece, units["a"], 5)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    make_many(make_piece, units["a"], 25, prefix="更多")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('<td data-label="标题">') == 30  # one full page (30 a page)
    assert len(many) == len(few)


def test_monthly_chart_reads_stored_month_rows_equal_to_the_live_count(client, users, units, make_piece, year):
    """Issue 13: the chart's approved pieces per month and kind come from the stored month-end rows (kept
    current by approvals in their own transaction), equal to counting the year's pieces by first date."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from desk.dashboard import _by_month
    from publicity.models import Piece
    from publicity.services import piece_review

    make_piece(units["a"], "汉滨区一月稿件", [("安康日报", "2011-01-05"), ("陕西日报", "2011-03-01")])
    make_piece(units["dept"], "办公室六月稿件", [("局网站", "2011-06-30")])
    make_piece(units["aff"], "学校调研", kind="research", report_date=dt.date(2011, 9, 2))
    waiting = make_piece(units["b"], "旬阳县十二月稿件", [("安康日报", "2011-12-31")], status=PieceStatus.SUBMITTED)
    client.force_login(users["leader"])
    client.get(URL)  # the first view stores the year
    piece_review(actor=users["reviewer"], piece=waiting, approve=True)

    with CaptureQueriesContext(connection) as ctx:
        page = client.get(URL).content.decode()
    chart = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1))
    live = [0] * 12
    live_kind: dict[str, list[int]] = {}
    names = {u.kind_id: u.kind.name for u in units.values()}
    for m, kind_id, n in _by_month(Piece.objects.filter(year=year, status=PieceStatus.APPROVED)):
        live[m - 1] += n
        live_kind.setdefault(names[kind_id], [0] * 12)[m - 1] += n
    assert chart["approved"] == live and live[0] == 1 and live[5] == 1 and live[8] == 1 and live[11] == 1
    for line in chart["kinds"]:
        assert line["data"] == live_kind.get(line["name"], [0] * 12)
    # the approved pieces are not counted from the year's pieces: only the waiting ones are
    scans = [q["sql"] for q in ctx.captured_queries if "EXTRACT" in q["sql"].upper()]
    assert len(scans) == 1 and "submitted" in scans[0] and "approved" not in scans[0], scans

"""Dashboard (rank within kind, full score, sortable headers, ranking workbook, drill-down) and the leftover
English/developer text of the bureau's screens (issue 12 items 5 and 6)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .conftest import count_queries

pytestmark = pytest.mark.django_db
DASH = reverse("publicity:dashboard") + "?year=2011"
XLSX = reverse("publicity:dashboard-xlsx") + "?year=2011"


@pytest.fixture
def scored(make_piece, units):
    make_piece(units["a"], "汉滨就业", [("安康日报", "2011-03-05")])
    make_piece(units["b"], "旬阳社保", [("陕西日报", "2011-04-05")])
    make_piece(units["b"], "旬阳社保二", [("陕西日报", "2011-04-06")])
    make_piece(units["dept"], "办公室信息", [("局网站", "2011-06-02")])


def test_dashboard_ranks_within_the_kind_and_shows_the_full_score(client, users, units, scored):
    client.force_login(users["leader"])
    response = client.get(DASH)
    html = response.content.decode()
    assert "本类名次" in html and "满分 4.00" in html and "实时计算,未结账" in html
    groups = {g["name"]: g for g in response.context["groups"]}
    assert [r["u"].rank for r in groups["机关科室"]["table"]][0] == 1  # first of its kind, whatever overall
    assert [r["u"].unit_name for r in groups["县区人社局"]["table"]][:1] == ["旬阳县人社局"]
    assert "data-sort" in html and "js/sortable.js" in html
    # The drill-down stays one click away: the unit's score page and its pieces.
    assert reverse("scoring:unit-score", args=[2011, units["a"].pk]) in html
    assert "<script>" not in html.replace("<script src=", "")  # no inline script (CSP)


def test_ranking_workbook(client, users, scored):
    client.force_login(users["reviewer"])
    response = client.get(XLSX)
    assert response.status_code == 200
    assert "%E8%80%83%E6%A0%B8%E6%8E%92%E5%90%8D" in response["Content-Disposition"]  # 考核排名
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["县区人社局", "机关科室", "局属单位"]
    county = list(book["县区人社局"].iter_rows(values_only=True))
    assert county[2][0] == "本类名次" and "考核得分（满分4.00）" in county[2]
    first = county[4]
    assert first[:2] == (1, "旬阳县人社局")


@pytest.mark.parametrize("who", ["liaison_a", "auditor", "outsider"])
def test_ranking_workbook_403(client, users, who):
    client.force_login(users[who])
    assert client.get(XLSX).status_code == 403


def test_dashboard_queries_do_not_grow_with_units(client, users, more_units, scored):
    client.force_login(users["reviewer"])
    client.get(DASH)  # the first view after a change stores the year's scores (i13); count the next one
    few = count_queries(lambda: client.get(DASH))
    more_units(25)
    more_units(25, "dept")
    client.get(DASH)
    assert count_queries(lambda: client.get(DASH)) == few


def test_score_page_says_it_in_words(client, users, units, scored):
    client.force_login(users["reviewer"])
    html = client.get(reverse("scoring:unit-score", args=[2011, units["a"].pk])).content.decode()
    assert "b<sub>P</sub>" not in html and "E = min(超额篇数" not in html
    assert "加分篇数(超额篇数与加分媒体篇数中较小的一个)" in html
    assert 'title="E = min(max(0, c_P − t_P), b_P)"' in html  # the formula stays, as a tooltip
    assert "满分 4.00" in html


def test_header_greets_the_person_by_name(client, users):
    users["reviewer"].display_name = "孙丽华"
    users["reviewer"].save()
    client.force_login(users["reviewer"])
    assert "您好,孙丽华" in client.get(DASH).content.decode()


def test_admin_m2m_fields_are_checkboxes_not_the_english_filter(client, users, year):
    from publicity.models import Indicator

    client.force_login(users["bureau_admin"])
    ind = Indicator.objects.filter(year=year).first()
    html = client.get(reverse("admin:publicity_indicator_change", args=[ind.pk])).content.decode()
    assert "selectfilter" not in html.lower() and 'type="checkbox" name="topics"' in html


def test_admin_import_page_links_a_template_file(client, users):
    client.force_login(users["bureau_admin"])
    html = client.get(reverse("admin:units_unit_import")).content.decode()
    assert "README" not in html
    url = reverse("admin:units_unit_import_template")
    assert url in html
    response = client.get(url)
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert header[:2] == ("单位名称", "单位类型")
    quotas = client.get(reverse("admin:publicity_unittarget_import_template"))
    header = next(load_workbook(io.BytesIO(quotas.content)).active.iter_rows(values_only=True))
    assert header[0] == "单位" and "C1" in header and "D1" in header


def test_admin_import_template_needs_the_add_permission(client, users):
    client.force_login(users["leader"])
    assert client.get(reverse("admin:units_unit_import_template")).status_code == 403


def test_admin_export_file_name_is_chinese(client, users, make_piece, units, year):
    make_piece(units["a"], "汉滨就业", [("安康日报", "2011-03-05")])
    client.force_login(users["bureau_admin"])
    url = reverse("admin:publicity_piece_export") + f"?year__id__exact={year.pk}"
    response = client.post(url, {"format": "0", "resource": "0", "export_items": []})
    disposition = response.get("Content-Disposition", "")
    assert "Piece-" not in disposition
    assert "%E7%A8%BF%E4%BB%B6-2011-" in disposition or "稿件-2011-" in disposition, disposition

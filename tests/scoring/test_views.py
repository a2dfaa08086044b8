"""The unit score page and the piece reward page: figures, explanation, access, query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import login


def county_example(make_piece, unit):
    """DOMAIN §6's worked example for a county: 43 city-level pieces (5 in party papers/TV), 3 research."""
    for i in range(5):
        make_piece(unit, f"党报{i}", [("安康日报", "2011-03-01")])
    for i in range(38):
        make_piece(unit, f"网站{i}", [("局网站", "2011-03-02")])
    for i in range(3):
        make_piece(unit, f"调研{i}", kind="research")


def unit_url(unit, year=2011):
    return reverse("scoring:unit-score", args=[year, unit.pk])


def test_unit_score_page_shows_the_worked_example(client, users, units, make_piece):
    county_example(make_piece, units["a"])
    page = login(client, users["reviewer"]).get(unit_url(units["a"]))
    assert page.status_code == 200
    score = page.context["score"]
    assert (score.points, score.missing, score.extra, score.bonus_base) == (Decimal("4.20"), 1, 3, 5)
    html = page.content.decode()
    assert 'id="points">4.20<' in html
    assert 'data-code="C1"' in html and 'class="num achieved">43<' in html
    assert "单项满分S:4.00" in html  # the rule parameters used
    # the pieces behind each indicator, linked to their reward explanation
    c1 = page.context["indicators"][0]
    assert len(c1["pieces"]) == 43
    assert reverse("scoring:piece-reward", args=[c1["pieces"][0].piece_id]) in html


@pytest.mark.parametrize("who", ["bureau_admin", "reviewer", "leader", "liaison_a", "head_a"])
def test_who_may_read_unit_a(client, users, units, who):
    assert login(client, users[who]).get(unit_url(units["a"])).status_code == 200


@pytest.mark.parametrize("who", ["liaison_b", "liaison_dept", "liaison_aff"])
def test_another_units_page_is_a_404(client, users, units, who):
    assert login(client, users[who]).get(unit_url(units["a"])).status_code == 404


@pytest.mark.parametrize("who", ["auditor", "sysadmin", "secadmin", "outsider"])
def test_other_roles_get_403(client, users, units, make_piece, who):
    piece = make_piece(units["a"], "稿件", [("安康日报", "2011-03-01")])
    login(client, users[who])
    assert client.get(unit_url(units["a"])).status_code == 403
    assert client.get(reverse("scoring:piece-reward", args=[piece.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, units, make_piece):
    piece = make_piece(units["a"], "稿件", [("安康日报", "2011-03-01")])
    for url in (unit_url(units["a"]), reverse("scoring:piece-reward", args=[piece.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unknown_year_or_unit_is_a_404(client, users, units):
    login(client, users["reviewer"])
    assert client.get(unit_url(units["a"], year=1999)).status_code == 404
    assert client.get(reverse("scoring:unit-score", args=[2011, 99999])).status_code == 404


def test_piece_reward_page_explains_every_publication(client, users, units, make_piece):
    piece = make_piece(
        units["a"],
        "一稿多投",
        [
            ("安康日报", "2011-03-01"),
            ("人民网", "2011-03-02"),
            ("局网站", "2011-03-03"),
            ("省级会议经验交流材料", "2011-03-04"),
        ],
        authors=("甲", "乙", "丙"),
    )
    page = login(client, users["liaison_a"]).get(reverse("scoring:piece-reward", args=[piece.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="amount">100.00<' in html
    rows = {row["reward"].outlet_name: row for row in page.context["publications"]}
    assert [r.note for r in rows["安康日报"]["rules"]] == ["安康日报新闻稿件"]
    assert rows["人民网"]["wins"] and not rows["安康日报"]["wins"]
    assert rows["省级会议经验交流材料"]["rules"] == [] and "无匹配规则" in html
    assert page.context["reward"].shares == [
        ("甲", Decimal("33.34")),
        ("乙", Decimal("33.33")),
        ("丙", Decimal("33.33")),
    ]


def test_piece_of_another_unit_is_a_404(client, users, units, make_piece):
    piece = make_piece(units["a"], "稿件", [("安康日报", "2011-03-01")])
    assert login(client, users["liaison_b"]).get(reverse("scoring:piece-reward", args=[piece.pk])).status_code == 404


def test_unapproved_piece_is_shown_as_an_estimate(client, users, units, make_piece):
    piece = make_piece(units["a"], "草稿", [("人民日报", "2011-03-01")], status="draft")
    page = login(client, users["liaison_a"]).get(reverse("scoring:piece-reward", args=[piece.pk]))
    assert page.context["reward"].amount == Decimal("500") and not page.context["explanation"].counted
    assert "尚未审核通过" in page.content.decode()


def _count(client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(100) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_unit_page_queries_do_not_grow_with_pieces(client, users, units, make_piece, django_assert_max_num_queries):
    login(client, users["reviewer"])
    make_piece(units["a"], "一", [("安康日报", "2011-03-01")])
    client.get(unit_url(units["a"]))  # the year's first view stores its scores (scoring.stored)
    few = _count(client, unit_url(units["a"]), django_assert_max_num_queries)
    for i in range(15):
        make_piece(units["a"], f"多{i}", [("安康日报", "2011-03-01"), ("人民网", "2011-03-02")], authors=("甲", "乙"))
        make_piece(units["b"], f"多{i}", [("局网站", "2011-03-01")])
    many = _count(client, unit_url(units["a"]), django_assert_max_num_queries)
    assert few == many <= 25, (few, many)


def test_piece_page_queries_are_bounded(client, users, units, make_piece, django_assert_max_num_queries):
    login(client, users["reviewer"])
    one = make_piece(units["a"], "一", [("安康日报", "2011-03-01")])
    four = make_piece(
        units["a"],
        "四",
        [("安康日报", "2011-03-01"), ("人民网", "2011-03-02"), ("局网站", "2011-03-03"), ("新浪", "2011-03-04")],
    )
    a = _count(client, reverse("scoring:piece-reward", args=[one.pk]), django_assert_max_num_queries)
    b = _count(client, reverse("scoring:piece-reward", args=[four.pk]), django_assert_max_num_queries)
    assert a == b <= 15


def test_closed_year_pages_read_the_snapshot(client, users, units, make_piece, year):
    from scoring.models import RewardRule
    from scoring.services import year_close

    piece = make_piece(units["a"], "人民网稿件", [("人民网", "2011-03-01")])
    year_close(actor=users["bureau_admin"], year=year)
    RewardRule.objects.filter(note="中央及省政府网站").update(amount=Decimal("999"))  # past every door
    login(client, users["liaison_a"])
    page = client.get(unit_url(units["a"]))
    assert "结账快照" in page.content.decode() and page.context["score"].reward == Decimal("100.00")
    page = client.get(reverse("scoring:piece-reward", args=[piece.pk]))
    assert page.context["explanation"].source == "snapshot" and page.context["reward"].amount == Decimal("100.00")


def test_admin_lists_link_to_the_score_pages(client, users, units, make_piece):
    piece = make_piece(units["a"], "稿件", [("安康日报", "2011-03-01")])
    login(client, users["bureau_admin"])
    pieces = client.get(reverse("admin:publicity_piece_changelist")).content.decode()
    assert reverse("scoring:piece-reward", args=[piece.pk]) in pieces
    unit_list = client.get(reverse("admin:units_unit_changelist")).content.decode()
    current = reverse("scoring:unit-score-current", args=[units["a"].pk])
    assert current in unit_list
    response = client.get(current)
    assert response.status_code == 302 and response["Location"] == unit_url(units["a"])


def test_current_year_link_keeps_the_unit_scope(client, users, units):
    login(client, users["liaison_b"])
    assert client.get(reverse("scoring:unit-score-current", args=[units["a"].pk])).status_code == 404

"""Item 4: once the year is closed, the liaison's pages say so and offer no write."""

import pytest
from django.urls import reverse

from publicity.models import AssessmentYear, PieceStatus, YearStatus

NOTICE = "2011年度已结账,不能再登记或修改稿件。"


@pytest.fixture
def pieces(units, make_piece):
    return {
        "draft": make_piece(units["a"], "汉滨区草稿", [("安康日报", "2011-05-10")], status=PieceStatus.DRAFT),
        "approved": make_piece(units["a"], "汉滨区已通过", [("安康日报", "2011-05-11")]),
    }


def close(year):
    AssessmentYear.objects.filter(pk=year.pk).update(status=YearStatus.CLOSED)


def test_open_year_pages_offer_writes_and_no_banner(as_user, users, pieces):
    client = as_user(users["liaison_a"])
    for url in (reverse("publicity:unit-home"), reverse("publicity:piece-list")):
        html = client.get(url).content.decode()
        assert NOTICE not in html and reverse("publicity:piece-create") + '">' in html
    detail = client.get(reverse("publicity:piece-detail", args=[pieces["draft"].pk])).content.decode()
    assert reverse("publicity:piece-edit", args=[pieces["draft"].pk]) in detail
    assert client.get(reverse("publicity:piece-create")).status_code == 200


def test_closed_year_pages_show_banner_and_hide_writes(as_user, users, year, pieces):
    close(year)
    client = as_user(users["liaison_a"])
    for url in (reverse("publicity:unit-home"), reverse("publicity:piece-list")):
        html = client.get(url).content.decode()
        assert NOTICE in html, url
        assert 'class="btn small" href="/p/pieces/new/"' not in html and 'class="btn" href="/p/pieces/new/"' not in html
    detail = client.get(reverse("publicity:piece-detail", args=[pieces["draft"].pk])).content.decode()
    assert NOTICE in detail
    assert reverse("publicity:piece-edit", args=[pieces["draft"].pk]) not in detail
    assert reverse("publicity:piece-submit", args=[pieces["draft"].pk]) not in detail


@pytest.mark.parametrize("which", ["new", "edit"])
def test_closed_year_form_redirects_to_list_with_the_notice(as_user, users, year, pieces, which):
    close(year)
    client = as_user(users["liaison_a"])
    url = (
        reverse("publicity:piece-create")
        if which == "new"
        else reverse("publicity:piece-edit", args=[pieces["draft"].pk])
    )
    response = client.get(url, follow=True)
    assert response.redirect_chain[0] == (reverse("publicity:piece-list"), 302)
    html = response.content.decode()
    assert NOTICE in html and 'id="piece-form"' not in html

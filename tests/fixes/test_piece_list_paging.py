"""Item 9: the piece list is paged (30 a page), page links keep the filters, queries stay bounded."""

import re

from django.urls import reverse

from tests.web.conftest import make_many

URL = reverse("publicity:piece-list")


def rows(html: str) -> int:
    return len(re.findall(r'<a href="/p/pieces/\d+/">', html))


def test_piece_list_pages_keep_filters_and_bounded_queries(
    as_user, users, units, make_piece, django_assert_max_num_queries
):
    client = as_user(users["liaison_a"])
    make_many(make_piece, units["a"], 5, prefix="少")
    with django_assert_max_num_queries(14) as few:
        client.get(URL + "?status=approved")
    make_many(make_piece, units["a"], 30, prefix="多")
    make_piece(units["a"], "草稿不在筛选内", [("安康日报", "2011-02-01")], status="draft")
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = client.get(URL + "?status=approved").content.decode()
    assert rows(first) == 30
    assert "第 1 / 2 页,共 35 篇" in first
    assert 'href="?status=approved&amp;page=2"' in first or 'href="?status=approved&page=2"' in first
    second = client.get(URL + "?status=approved&page=2").content.decode()
    assert rows(second) == 5 and "草稿不在筛选内" not in first + second

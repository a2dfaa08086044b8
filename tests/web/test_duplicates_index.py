"""Duplicate detection by index: the normalised title is stored with the piece and looked up (pg_trgm on
PostgreSQL, a length-bounded rapidfuzz scan elsewhere) in two queries, however big the year."""

import pytest
from django.db import connection

from publicity.duplicates import find_duplicates, title_ratio
from publicity.models import Piece


def test_the_key_is_written_with_the_title(units, make_piece):
    piece = make_piece(units["a"], "汉滨区开展“春风行动”专场招聘会(图)", [("安康日报", "2011-03-05")])
    assert Piece.objects.get(pk=piece.pk).title_key == "汉滨区开展春风行动专场招聘会图"
    piece.title = "汉滨区 召开 就业工作会"
    piece.save(update_fields=["title"])
    assert Piece.objects.get(pk=piece.pk).title_key == "汉滨区召开就业工作会"


def test_similar_titles_are_found_and_others_are_not(units, make_piece, year):
    near = make_piece(units["b"], "旬阳县开展春风行动专场招聘会活动", [("安康日报", "2011-03-05")])
    make_piece(units["b"], "旬阳县召开社会保险扩面工作会议", [("安康日报", "2011-03-06")])
    title = "旬阳县开展春风行动专场招聘会"
    assert title_ratio(title, near.title) >= 0.9
    assert [d.piece_id for d in find_duplicates(year_id=year.pk, title=title, urls=[])] == [near.pk]


@pytest.mark.parametrize("extra", [0, 150])
def test_two_queries_whatever_the_year(units, make_piece, year, extra, django_assert_num_queries):
    from tests.web.conftest import make_many

    make_piece(units["a"], "汉滨区开展春风行动专场招聘会", [("安康日报", "2011-03-05")])
    if extra:
        make_many(make_piece, units["b"], extra, prefix="旬阳县其他稿件")
    with django_assert_num_queries(2):
        found = find_duplicates(year_id=year.pk, title="汉滨区开展春风行动专场招聘会(图)", urls=["https://x.cn/1"])
    assert len(found) == 1


def test_postgresql_has_the_trigram_index(db):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's; SQLite scans titles of a similar length")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'piece_title_key_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]

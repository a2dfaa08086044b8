"""Duplicate claims and late reports after a table import (DOMAIN §10, issue 15 items 3 and 5): the bulk import
writes the claim it found into each imported piece's review history, worded as the web services word it (never
the other unit's name), and the liaison's home lists the unit's flagged pieces — another unit only as 另一单位.

The year is county_points with the scenario of tests/scoring/test_county_points.py: 旬阳县人社局's b1 claims
汉滨区人社局's 人民网 link five days after it (以先报为准: b1 counts for nothing), b3 was first submitted 50 days
after its publication (limit 30, exclude)."""

import pytest
from django.urls import reverse

from publicity.models import Piece, ReviewEvent, ReviewEventKind
from tests.scoring.test_county_points import county_year, imported  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("imported")]
URL = reverse("publicity:unit-home") + "?year=2012"


def submitted_detail(title: str) -> str:
    return ReviewEvent.objects.get(piece__title=title, kind=ReviewEventKind.SUBMITTED).detail


def test_the_import_keeps_the_claim_in_each_piece_history_without_the_other_unit():
    detail = submitted_detail("旬阳县春风行动招聘会")
    assert detail == "重复报送:另一单位已先报同一刊发(人民网 2012-03-06)"
    assert "汉滨" not in detail
    # 汉滨区人社局's piece was imported first, when nobody else claimed it: its history says nothing
    assert submitted_detail("汉滨区春风行动招聘会送岗位上门") == ""
    assert submitted_detail("旬阳县劳动保障监察执法检查") == ""


def test_the_liaison_home_lists_the_flagged_pieces_and_never_names_the_other_unit(
    client, users, django_assert_max_num_queries
):
    client.force_login(users["liaison_b"])
    client.get(URL)
    # the flagged pieces cost six of these: pieces with publications 2, the policy 1, the claims 2, the evidence
    # hashes 1 (and the narrowed scoring reads the hashes too)
    with django_assert_max_num_queries(42):
        page = client.get(URL).content.decode()
    box = page.split('id="flagged-pieces"')[1].split('<div class="card">')[0]
    b1, b3 = Piece.objects.get(title="旬阳县春风行动招聘会"), Piece.objects.get(title="旬阳县社保卡集中发放")
    rows = {int(chunk.split('"')[0]): chunk for chunk in box.split('data-piece="')[1:]}
    assert set(rows) == {b1.pk, b3.pk}  # b2 is neither late nor claimed elsewhere
    assert "另一单位" in rows[b1.pk] and "以先报为准" in rows[b1.pk] and "本稿不计入任何指标" in rows[b1.pk]
    assert "逾期报送" in rows[b3.pk] and "50" in rows[b3.pk] and "不计入任何指标" in rows[b3.pk]
    assert "汉滨区" not in box  # neither the other unit's name nor its piece's title
    a1 = Piece.objects.get(title="汉滨区春风行动招聘会送岗位上门")
    assert reverse("publicity:piece-detail", args=[a1.pk]) not in page

    client.force_login(users["liaison_a"])
    page = client.get(URL).content.decode()
    box = page.split('id="flagged-pieces"')[1].split('<div class="card">')[0]
    assert f'data-piece="{a1.pk}"' in box and "本稿先报" in box and "旬阳" not in box

    client.force_login(users["liaison_dept"])
    assert 'id="flagged-pieces"' not in client.get(URL).content.decode()  # nothing flagged, no box

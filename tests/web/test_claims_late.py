"""Duplicate claims and late reporting where people see them (DOMAIN §10), on the county_points year: found at
submission (the service's history and the form's message), flagged on the review queue card and the piece
pages, and listed on both units' score pages — naming the other unit's piece to bureau staff only; a liaison
reads "另一单位" (no name, title or id of the other unit's piece)."""

import pytest
from django.urls import reverse

from publicity import services
from publicity.models import Piece, PieceStatus, ReviewEvent
from scoring.models import ScoringPolicy
from tests.scoring.test_county_points import BATCHES, county_year, import_at  # noqa: F401 (fixture)

from .conftest import piece_post

pytestmark = pytest.mark.django_db

A1 = "汉滨区春风行动招聘会送岗位上门"
B1 = "旬阳县春风行动招聘会"
B3 = "旬阳县社保卡集中发放"


@pytest.fixture
def season(county_year, units, monkeypatch, tmp_path):  # noqa: F811
    for day, rows in BATCHES:
        import_at(monkeypatch, tmp_path, day, rows)
    return {t: Piece.objects.get(title=t) for t in (A1, B1, B3)}


def detail(pk):
    return reverse("publicity:piece-detail", args=[pk])


def no_trace_of(page: str, piece: Piece) -> None:
    """Nothing that names another unit's piece: its unit, its title, its address."""
    assert piece.unit.name not in page and piece.title not in page and detail(piece.pk) not in page


def test_the_later_claim_says_it_does_not_count_and_why(client, users, season):
    a1, b1 = season[A1], season[B1]
    client.force_login(users["liaison_b"])
    page = client.get(detail(b1.pk)).content.decode()
    assert "重复报送" in page and "另一单位也登记了同一刊发(人民网 2012-03-06)" in page and "对方先报" in page
    assert "以先报为准:另一单位先报的同一刊发已审核通过,本稿不计入任何指标、得分和奖励。" in page
    no_trace_of(page, a1)
    reward = client.get(reverse("scoring:piece-reward", args=[b1.pk])).content.decode()
    assert "以先报为准,本稿不计分" in reward and "本稿不计入任何指标、得分和奖励" in reward
    no_trace_of(reward, a1)


def test_the_first_claim_is_flagged_too_without_the_other_units_name(client, users, season):
    a1, b1 = season[A1], season[B1]
    client.force_login(users["liaison_a"])
    page = client.get(detail(a1.pk)).content.decode()
    assert "重复报送" in page and "本稿先报" in page and "以先报为准:本稿先报,照常计分" in page
    no_trace_of(page, b1)


def test_the_reviewer_sees_whose_piece_it_is(client, users, season):
    a1, b1 = season[A1], season[B1]
    client.force_login(users["reviewer"])
    page = client.get(detail(b1.pk)).content.decode()
    assert f'<a href="{detail(a1.pk)}">汉滨区人社局“{A1}”</a>(已通过)' in page


def test_the_late_piece_says_why(client, users, season):
    client.force_login(users["liaison_b"])
    page = client.get(detail(season[B3].pk)).content.decode()
    assert "逾期报送" in page and "首次提交晚于最早刊发 50 天(时限 30 天),本稿不计入任何指标、得分和奖励。" in page
    ScoringPolicy.objects.filter(year__year=2012).update(timeliness="flag")
    page = client.get(detail(season[B3].pk)).content.decode()
    assert "首次提交晚于最早刊发 50 天(时限 30 天),标记逾期,仍计分。" in page


def test_both_units_pages_list_the_claim(client, users, units, season):
    a1, b1 = season[A1], season[B1]
    url_b = reverse("scoring:unit-score", args=[2012, units["b"].pk])
    url_a = reverse("scoring:unit-score", args=[2012, units["a"].pk])
    client.force_login(users["liaison_b"])
    page = client.get(url_b).content.decode()
    assert 'id="piece-notes"' in page
    assert "重复报送:另一单位先报了同一刊发,以先报为准,本稿不计分" in page
    assert "逾期报送:首次提交晚于最早刊发50天,不计分" in page
    no_trace_of(page, a1)
    client.force_login(users["liaison_a"])
    page = client.get(url_a).content.decode()
    assert "重复报送:另一单位也登记了同一刊发,本单位先报" in page
    no_trace_of(page, b1)
    client.force_login(users["reviewer"])
    page = client.get(url_b).content.decode()
    assert f'<a href="{detail(a1.pk)}">汉滨区人社局“{A1}”</a>' in page


def test_found_at_submission_and_shown_on_the_reviewers_card(
    client, users, units, season, django_assert_max_num_queries
):
    a1 = season[A1]
    # B logs A's 人民日报 publication again (same outlet, same day, the title up to punctuation) through the form.
    client.force_login(users["liaison_b"])
    data = piece_post(
        title="汉滨区春风行动招聘会,送岗位上门!",
        confirm_duplicate="on",
        **{"pub-0-outlet": "人民日报", "pub-0-date": "2012-03-05"},
    )
    response = client.post(reverse("publicity:piece-create"), data, follow=True)
    page = response.content.decode()
    assert "重复报送:另一单位已先报同一刊发(人民日报 2012-03-05)" in page
    no_trace_of(page, a1)
    claim = Piece.objects.get(title="汉滨区春风行动招聘会,送岗位上门!")
    assert claim.status == PieceStatus.SUBMITTED
    event = ReviewEvent.objects.filter(piece=claim).get()
    assert event.detail == "重复报送:另一单位已先报同一刊发(人民日报 2012-03-05)"
    # The reviewer's card: both flags, the other piece named; a page of flagged cards in bounded queries.
    client.force_login(users["reviewer"])
    queue = reverse("publicity:review-queue") + "?year=2012"
    with django_assert_max_num_queries(40) as one:
        page = client.get(queue).content.decode()
    assert 'class="badge dup claim-flag"' in page and 'class="badge late late-flag"' in page
    assert f"汉滨区人社局“{A1}”" in page and "对方先报" in page
    web = a1.publications.get(outlet__name="人民网")
    for i in range(5):  # more flagged cards, same number of queries
        services.piece_create(
            actor=None,
            unit=units["b"],
            year=claim.year,
            title=f"{A1}({i})",
            kind="news",
            characters=500,
            authors=["赵六"],
            topics=[],
            report_date=None,
            publications=[services.PublicationInput(web.outlet, web.date, url=web.url)],
            submit=True,
            check_proof=False,
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(queue).content.decode()
    assert page.count("claim-flag") == 6


def test_service_submission_keeps_the_claim(units, season):
    a1 = season[A1]
    pub = a1.publications.select_related("outlet").get(outlet__name="人民网")
    piece = services.piece_create(
        actor=None,
        unit=units["dept"],
        year=a1.year,
        title="办公室转发春风行动消息",
        kind="news",
        characters=300,
        authors=["孙八"],
        topics=[],
        report_date=None,
        publications=[services.PublicationInput(pub.outlet, pub.date, "other", url=pub.url)],
        submit=False,
    )
    assert not ReviewEvent.objects.filter(piece=piece).exists()  # a draft claims nothing yet
    piece = services.piece_submit(actor=None, piece=piece, check_proof=False)
    # both other units' reports of it, the excluded later claim (B1) too: it was reported before this one
    assert sorted(c.other_id for c in piece.claims) == sorted([a1.pk, season[B1].pk])
    assert not any(c.first for c in piece.claims)
    assert ReviewEvent.objects.get(piece=piece).detail.startswith("重复报送:另一单位已先报同一刊发(人民网 2012-03-06)")

"""A campaign scored as its own item of the year's score (issue 14 item 2, data per campaign): full score,
deduction per deliverable missing at the deadline, floor; through scoring.rules.campaign_score (pure) and the
scoring services; read only when the year has a scored campaign; the stored scores stay exact."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns import services
from campaigns.models import Campaign
from scoring.rules import CampaignFact, campaign_score
from scoring.services import score_year
from tests.campaigns.conftest import MP4, at, upload

pytestmark = pytest.mark.django_db
D = Decimal
FAR = dt.date(2099, 12, 31)  # a deadline uploads made now are in time for


def test_campaign_score_rule():
    def score(required, sent, full="2", per="0.25", floor="0"):
        return campaign_score(CampaignFact(1, "春风行动", required, sent, D(full), D(per), D(floor)))

    assert (score(4, 4).points, score(4, 4).missing) == (D("2.00"), 0)
    assert (score(4, 1).points, score(4, 1).missing, score(4, 1).penalty) == (D("1.25"), 3, D("0.75"))
    assert score(4, 9).sent == 4 and score(4, 9).points == D("2.00")  # never more than required
    low = score(4, 0, per="0.6", floor="0.5")  # 2 − 2.4 = −0.4 → floor 0.5
    assert (low.points, low.floored) == (D("0.50"), True)
    assert score(3, 2, full="1", per="0.333").points == D("0.67")  # ROUND_HALF_UP to the hundredth


@pytest.fixture
def scored(users, units, year, campaign_input):
    """Units A and B: photos 2, video 1, summary 1 by 9 April 2011; full 2, −0.25 a missing item, floor 0."""
    data = campaign_input([units["a"], units["b"]], is_scored=True, full_score="2", penalty_per_item="0.25", floor="0")
    return services.campaign_save(actor=users["bureau_admin"], year=year, data=data)


def _send(campaign, users, unit, liaison, photo, day, *, photos=2, video=True, summary=True):
    rows = []
    if photos:
        rows += services.files_add(
            actor=liaison, campaign=campaign, unit=unit, kind="photo", uploads=[photo() for _ in range(photos)]
        )
    if video:
        rows += services.files_add(
            actor=liaison, campaign=campaign, unit=unit, kind="video", uploads=[upload("v.mp4", MP4)]
        )
    if summary:
        rows += services.files_add(actor=liaison, campaign=campaign, unit=unit, kind="summary", text="总结")
    if day is not None:
        at(rows, day)
    return rows


def test_a_scored_campaign_is_its_own_item(scored, users, units, year, photo):
    before = {u.unit_id: u.points - u.campaign_points for u in score_year(year).units}  # without the item
    _send(scored, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 9))  # all, on the deadline day
    _send(scored, users, units["b"], users["liaison_b"], photo, dt.date(2011, 4, 8), photos=1, summary=False)
    result = score_year(year)
    a, b, dept = result.unit(units["a"].pk), result.unit(units["b"].pk), result.unit(units["dept"].pk)
    assert [(c.title, c.required, c.sent, c.missing, c.points) for c in a.campaigns] == [
        ("社会工作主题宣传活动", 4, 4, 0, D("2.00"))
    ]
    assert [(c.sent, c.missing, c.penalty, c.points) for c in b.campaigns] == [(2, 2, D("0.50"), D("1.50"))]
    assert a.campaign_points == D("2.00") and a.points == before[units["a"].pk] + D("2.00")
    assert b.points == before[units["b"].pk] + D("1.50")
    assert dept.campaigns == [] and dept.points == before[units["dept"].pk]  # not taking part


def test_before_the_deadline_nothing_is_deducted_yet(scored, users, units, year, photo):
    """A March circular (or any score as of a day before the 9 April deadline) deducts nothing for the campaign:
    the deduction is per deliverable missing at the deadline. After it, the missing ones count."""
    _send(scored, users, units["b"], users["liaison_b"], photo, dt.date(2011, 4, 8), photos=1, summary=False)
    march = score_year(year, as_of=dt.date(2011, 3, 31)).unit(units["b"].pk)
    april = score_year(year, as_of=dt.date(2011, 4, 30)).unit(units["b"].pk)
    assert [(c.missing, c.points) for c in march.campaigns] == [(0, D("2.00"))]
    assert [(c.missing, c.points) for c in april.campaigns] == [(2, D("1.50"))]
    from scoring.services import campaign_scores

    assert [c.points for c in campaign_scores(year, dt.date(2011, 3, 31))[units["b"].pk]] == [D("2.00")]
    assert [c.points for c in campaign_scores(year)[units["b"].pk]] == [D("1.50")]


def test_sent_after_the_deadline_does_not_count(scored, users, units, year, photo):
    _send(scored, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 10))  # a day late: 逾期完成
    [c] = score_year(year).unit(units["a"].pk).campaigns
    assert (c.sent, c.missing, c.points) == (0, 4, D("1.00"))
    # the deadline moved to the 10th: in time now
    data = services.CampaignInput(
        scored.title,
        scored.theme,
        scored.starts_on,
        scored.ends_on,
        dt.date(2011, 4, 10),
        (units["a"].pk, units["b"].pk),
        {"photo": 2, "video": 1, "summary": 1},
        True,
        "2",
        "0.25",
        "0",
    )
    services.campaign_save(actor=users["bureau_admin"], year=year, data=data, campaign=scored)
    [c] = score_year(year).unit(units["a"].pk).campaigns
    assert (c.sent, c.points) == (4, D("2.00"))


def test_an_unscored_campaign_adds_nothing_and_costs_no_query(
    campaign, users, units, year, photo, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _send(campaign, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 8))
    with CaptureQueriesContext(connection) as plain:
        result = score_year(year)
    assert result.unit(units["a"].pk).campaigns == [] and result.unit(units["a"].pk).campaign_points == D("0")
    assert not any("campaigns_campaignfile" in q["sql"] for q in plain.captured_queries)
    Campaign.objects.filter(pk=campaign.pk).update(is_scored=True, full_score=D("1"))
    with CaptureQueriesContext(connection) as with_campaign:
        score_year(year)
    assert len(with_campaign) == len(plain) + 4  # the scored campaigns, their deliverables, units, files


@pytest.mark.parametrize(
    ("over", "field", "text"),
    [
        ({"full_score": ""}, "full_score", "请填写单项满分"),
        ({"full_score": "0"}, "full_score", "单项满分须大于0"),
        ({"full_score": "两分"}, "full_score", "单项满分“两分”无效"),
        ({"penalty_per_item": "-0.1"}, "penalty_per_item", "须在0到100之间"),
        ({"penalty_per_item": "0.125"}, "penalty_per_item", "最多两位小数"),
        ({"floor": "3"}, "floor", "最低得分不能高于单项满分"),
        ({"full_score": "1000"}, "full_score", "须在0到100之间"),
    ],
)
def test_bad_scoring_input_names_the_field_and_writes_nothing(users, units, year, campaign_input, over, field, text):
    data = {"is_scored": True, "full_score": "2", "penalty_per_item": "0.25", "floor": "0", **over}
    with pytest.raises(ValidationError) as exc:
        services.campaign_save(actor=users["bureau_admin"], year=year, data=campaign_input([units["a"]], **data))
    assert text in exc.value.message_dict[field][0]
    assert not Campaign.objects.exists()


def test_not_scored_keeps_zeros(users, units, year, campaign_input):
    c = services.campaign_save(
        actor=users["bureau_admin"], year=year, data=campaign_input([units["a"]], full_score="9", floor="x")
    )
    assert (c.is_scored, c.full_score, c.penalty_per_item, c.floor) == (False, 0, 0, 0)


def test_stored_scores_stay_exact(users, units, year, campaign_input, photo):
    from scoring.models import StoredUnitScore, StoredYear
    from scoring.stored import ensure_stored, stored_check

    data = campaign_input(
        [units["a"], units["b"]], deadline=FAR, is_scored=True, full_score="2", penalty_per_item="0.25"
    )
    c = services.campaign_save(actor=users["bureau_admin"], year=year, data=data)
    ensure_stored(year)
    assert not StoredYear.objects.get(year=year).stale
    a_before = StoredUnitScore.objects.get(year=year, unit=units["a"]).points
    # an upload moves the unit's stored score at once (in time: the deadline is far)
    rows = _send(c, users, units["a"], users["liaison_a"], photo, None, photos=2, video=False, summary=False)
    assert StoredUnitScore.objects.get(year=year, unit=units["a"]).points == a_before + D("0.50")
    services.file_delete(actor=users["liaison_a"], item=rows[0])
    assert StoredUnitScore.objects.get(year=year, unit=units["a"]).points == a_before + D("0.25")
    assert not StoredYear.objects.get(year=year).stale and stored_check(year) == []
    # a change of the campaign (deadline, deduction, units) marks the year for re-scoring
    Campaign.objects.get(pk=c.pk).save()
    assert StoredYear.objects.get(year=year).stale


def test_unscoring_a_campaign_marks_the_year(scored, users, units, year):
    from scoring.models import StoredYear
    from scoring.stored import ensure_stored, stored_refresh

    ensure_stored(year)
    stored_refresh(year)
    assert not StoredYear.objects.get(year=year).stale
    data = services.CampaignInput(
        scored.title,
        scored.theme,
        scored.starts_on,
        scored.ends_on,
        scored.deadline,
        (units["a"].pk, units["b"].pk),
        {"photo": 2, "video": 1, "summary": 1},
    )
    services.campaign_save(actor=users["bureau_admin"], year=year, data=data, campaign=scored)
    assert StoredYear.objects.get(year=year).stale


def test_the_setup_page_takes_the_scoring(client, users, units, year):
    client.force_login(users["bureau_admin"])
    post = {
        "title": "春风行动",
        "theme": "",
        "starts_on": "2011-03-28",
        "ends_on": "2011-04-07",
        "deadline": "2011-04-09",
        "units": [units["a"].pk],
        "photo": "2",
        "video": "0",
        "summary": "1",
        "is_scored": "on",
        "full_score": "1",
        "penalty_per_item": "0.2",
        "floor": "1.5",
    }
    page = client.post(reverse("campaigns:create"), post).content.decode()
    assert "最低得分不能高于单项满分" in page and not Campaign.objects.exists()
    response = client.post(reverse("campaigns:create"), {**post, "floor": ""})
    assert response.status_code == 302
    c = Campaign.objects.get()
    assert (c.is_scored, c.full_score, c.penalty_per_item, c.floor) == (True, D("1.00"), D("0.20"), D("0.00"))
    page = client.get(reverse("campaigns:edit", args=[c.pk])).content.decode()
    assert 'name="full_score" value="1.00"' in page
    page = client.get(reverse("campaigns:detail", args=[c.pk])).content.decode()
    assert "满分 1.00,截止日期前每缺一项扣 0.20,最低 0.00" in page
    client.force_login(users["liaison_a"])
    assert client.post(reverse("campaigns:create"), post).status_code == 403


def test_shown_on_the_score_page_the_workbook_and_the_circular(client, scored, users, units, year, photo, tmp_path):
    import io

    from openpyxl import load_workbook

    from reports.circular import build_circular
    from reports.workbook import CAMPAIGNS_SHEET, write_circular_workbook, write_year_workbook
    from tests.reports.conftest import pdftotext

    _send(scored, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 9))
    _send(scored, users, units["b"], users["liaison_b"], photo, dt.date(2011, 4, 8), photos=1, summary=False)
    client.force_login(users["liaison_a"])
    page = client.get(reverse("scoring:unit-score", args=[2011, units["a"].pk])).content.decode()
    assert 'id="campaign-items"' in page and 'id="campaign-points">2.00<' in page
    assert "满分 6.00" in page  # the year's item (4.00) and the campaign's (2.00)
    client.force_login(users["liaison_b"])  # another unit's page: 404, its own shows its own item
    assert client.get(reverse("scoring:unit-score", args=[2011, units["a"].pk])).status_code == 404
    page = client.get(reverse("scoring:unit-score", args=[2011, units["b"].pk])).content.decode()
    assert 'id="campaign-points">1.50<' in page

    wb = load_workbook(io.BytesIO(write_year_workbook(year)))
    rows = {r[1]: r for r in wb[CAMPAIGNS_SHEET].iter_rows(values_only=True) if r and r[0] == scored.title}
    assert rows["汉滨区人社局"][2:5] == (4, 4, 0) and D(str(rows["汉滨区人社局"][6])) == D("2.00")
    assert rows["旬阳县人社局"][2:5] == (4, 2, 2) and D(str(rows["旬阳县人社局"][5])) == D("0.50")

    circular = build_circular(year, 4)
    [section] = circular.campaigns
    assert [(u.unit_name, u.sent, u.points) for u in section.units] == [
        ("汉滨区人社局", 4, D("2.00")),
        ("旬阳县人社局", 2, D("1.50")),
    ]
    wb = load_workbook(io.BytesIO(write_circular_workbook(circular)))
    assert [r[1] for r in wb[CAMPAIGNS_SHEET].iter_rows(values_only=True) if r and r[0] == scored.title] == [
        "汉滨区人社局",
        "旬阳县人社局",
    ]
    client.force_login(users["reviewer"])
    page = client.get("/r/2011/circular/?month=4").content.decode()
    assert "专题活动“社会工作主题宣传活动”计分" in page
    response = client.get("/r/2011/circular/4.pdf")
    path = tmp_path / "c.pdf"
    path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    text = pdftotext(path)
    assert "专题活动“社会工作主题宣传活动”计分" in text
    section = text[text.index("专题活动“社会工作主题宣传活动”计分") :]  # the last table of the circular
    [line] = [ln.split() for ln in section.splitlines() if ln.strip().startswith("旬阳县人社局")]
    assert line == ["旬阳县人社局", "4", "2", "2", "1.50"]


def test_no_scored_campaign_no_sheet_and_no_section(campaign, year):
    import io

    from openpyxl import load_workbook

    from reports.circular import build_circular
    from reports.workbook import CAMPAIGNS_SHEET, write_year_workbook

    assert CAMPAIGNS_SHEET not in load_workbook(io.BytesIO(write_year_workbook(year))).sheetnames
    assert build_circular(year, 4).campaigns == []


def test_a_closed_year_keeps_the_item(scored, users, units, year, photo):
    from scoring.services import year_close, year_results

    _send(scored, users, units["a"], users["liaison_a"], photo, dt.date(2011, 4, 9), video=False)
    year_close(actor=users["bureau_admin"], year=year)
    year.refresh_from_db()
    snap = year_results(year)
    assert snap.source == "snapshot"
    [c] = snap.unit(units["a"].pk).campaigns
    assert (c.sent, c.missing, c.points) == (3, 1, D("1.75")) and snap.unit(units["a"].pk).campaign_points == D("1.75")


def test_the_admin_sets_the_scoring_through_the_service(client, users, units, year):
    from tests.campaigns.test_views import form_data

    client.force_login(users["bureau_admin"])
    url = reverse("admin:campaigns_campaign_add")
    data = {**form_data([units["a"]]), "year": year.pk, "is_scored": "on", "full_score": "1", "penalty_per_item": "0.2"}
    for prefix in ("deliverables", "files"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    page = client.post(url, {**data, "floor": "2"}).content.decode()
    assert "最低得分不能高于单项满分。" in page and not Campaign.objects.exists()
    assert client.post(url, {**data, "floor": ""}).status_code == 302
    c = Campaign.objects.get()
    assert (c.is_scored, c.full_score, c.penalty_per_item, c.floor) == (True, D("1.00"), D("0.20"), D("0.00"))

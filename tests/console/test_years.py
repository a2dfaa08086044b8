"""The year's life page and its confirmation pages: open, close, publish, reopen, roll over."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from publicity.models import AssessmentYear, Indicator, ReportingRule, UnitTarget, YearStatus
from scoring.models import RewardRule, RewardSchedule, ScoringPolicy, YearStatusLog
from scoring.rollover import COPIED, NOT_COPIED
from scoring.rules import year_score_to_dict
from scoring.services import score_year, year_close, year_results

from .conftest import count_queries

pytestmark = pytest.mark.django_db


def url(name, year=2011):
    return reverse(f"console:{name}", args=[year])


@pytest.fixture
def pieces(make_piece, units):
    make_piece(units["a"], "汉滨就业", [("安康日报", "2011-03-05")])
    make_piece(units["b"], "旬阳社保", [("陕西日报", "2011-04-05", "headline")], authors=("李四", "王五"))
    make_piece(units["dept"], "办公室调研", kind="research")


@pytest.mark.parametrize("name", ["year", "year-close", "year-publish", "year-reopen", "year-rollover", "year-open"])
@pytest.mark.parametrize("who", ["reviewer", "leader", "liaison_a"])
def test_other_roles_get_403(client, users, name, who):
    client.force_login(users[who])
    assert client.get(url(name)).status_code == 403
    assert client.post(url(name), {"reason": "x"}).status_code == 403


def test_year_page_shows_status_and_what_is_pending(admin_client, make_piece, units):
    make_piece(units["a"], "待审稿件", [("安康日报", "2011-03-05")], status="submitted")
    make_piece(units["a"], "草稿", [("安康日报", "2011-03-06")], status="draft")
    response = admin_client.get(url("year"))
    assert response.status_code == 200
    pending = response.context["pending"]
    assert (pending["submitted"], pending["drafts"]) == (1, 1)
    html = response.content.decode()
    assert "进行中" in html and "结账…" in html and "去审核(1篇)" in html
    # 2011 is long past: every unit has months past due and not filed.
    assert {u["unit"].name for u in pending["unfiled"]} >= {"汉滨区人社局", "办公室"}
    # a county bureau reports once a year (2011: by 12月25日): one overdue annual report, not twelve months
    hanbin = next(u for u in pending["unfiled"] if u["unit"].name == "汉滨区人社局")
    office = next(u for u in pending["unfiled"] if u["unit"].name == "办公室")
    assert hanbin["months"] == [None] and office["months"] == list(range(1, 13))
    assert '汉滨区人社局 <span class="muted small">县区人社局</span> — 全年报表</li>' in html


def test_year_page_queries_do_not_grow_with_units(admin_client, more_units):
    few = count_queries(lambda: admin_client.get(url("year")))
    more_units(40)
    more_units(20, "dept")
    assert count_queries(lambda: admin_client.get(url("year"))) == few


def test_close_page_lists_blockers_and_refuses(admin_client, make_piece, units, year):
    make_piece(units["a"], "待审稿件", [("安康日报", "2011-03-05")], status="submitted")
    response = admin_client.get(url("year-close"))
    html = response.content.decode()
    assert "还有1篇稿件待审核" in html and "confirm-close" not in html
    response = admin_client.post(url("year-close"))
    assert response.status_code == 400
    year.refresh_from_db()
    assert year.status == YearStatus.OPEN


def test_close_page_says_what_will_be_frozen_then_closes(admin_client, pieces, year):
    html = admin_client.get(url("year-close")).content.decode()
    assert "计入 3 篇审核通过的稿件" in html and "确认结账2011年度" in html
    response = admin_client.post(url("year-close"))
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.status == YearStatus.CLOSED
    assert YearStatusLog.objects.filter(year=year, to_status=YearStatus.CLOSED).exists()


def test_publish_then_reopen_with_reason(admin_client, pieces, year, users):
    year_close(actor=users["bureau_admin"], year=year)
    assert "确认发布" in admin_client.get(url("year-publish")).content.decode()
    assert admin_client.post(url("year-publish")).status_code == 302
    year.refresh_from_db()
    assert year.status == YearStatus.PUBLISHED
    response = admin_client.post(url("year-reopen"), {"reason": ""})
    assert response.status_code == 400 and "必须填写原因" in response.content.decode()
    year.refresh_from_db()
    assert year.status == YearStatus.PUBLISHED
    assert admin_client.post(url("year-reopen"), {"reason": "更正汉滨区稿件"}).status_code == 302
    year.refresh_from_db()
    assert year.status == YearStatus.OPEN
    assert YearStatusLog.objects.get(year=year, to_status=YearStatus.OPEN).reason == "更正汉滨区稿件"


def test_publish_an_open_year_is_refused(admin_client, year):
    response = admin_client.post(url("year-publish"))
    assert response.status_code == 400 and "须先结账才能发布" in response.content.decode()
    year.refresh_from_db()
    assert year.status == YearStatus.OPEN


# --- roll over -------------------------------------------------------------------------------------


def test_every_model_hanging_off_the_year_is_copied_or_deliberately_not():
    linked = {
        f"{rel.related_model._meta.app_label}.{rel.related_model.__name__}"
        for rel in AssessmentYear._meta.related_objects
        if rel.related_model._meta.app_label in ("units", "publicity", "scoring")
    }
    assert linked - COPIED - NOT_COPIED == set(), "add the new model to COPIED (and copy it) or NOT_COPIED"


def test_rollover_preview_lists_what_is_copied(admin_client, units, year, kinds):
    c1 = Indicator.objects.get(year=year, unit_kind=kinds["county"], code="C1")
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=45)
    html = admin_client.get(url("year-rollover")).content.decode()
    assert "由2011年度结转生成2012年度" in html
    assert "单位单设任务 1 条(1个单位)" in html
    assert "市级及以上媒体发稿(含局网站)" in html
    assert "25 条奖励规则" in html
    assert not AssessmentYear.objects.filter(year=2012).exists()


def _fields(obj, skip=("id", "year_id", "indicator_id", "schedule_id")):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def test_rollover_copies_every_field_and_leaves_the_source_scores_identical(admin_client, pieces, units, year, kinds):
    from publicity.models import IndicatorLevelPoints, OutletLevel
    from scoring.models import AuthorWeight, UnitYearSetting

    c1 = Indicator.objects.get(year=year, unit_kind=kinds["county"], code="C1")
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=45)
    IndicatorLevelPoints.objects.create(indicator=c1, level=OutletLevel.objects.first(), points="5")
    AuthorWeight.objects.create(schedule=RewardSchedule.objects.get(year=year, owner_unit=None), position=1, weight="3")
    UnitYearSetting.objects.create(year=year, unit=units["a"], coefficient="1.50")
    before = year_score_to_dict(score_year(year))
    response = admin_client.post(url("year-rollover"))
    assert response.status_code == 302
    new = AssessmentYear.objects.get(year=2012)
    assert new.status == YearStatus.DRAFT
    assert year_score_to_dict(score_year(year)) == before
    year.refresh_from_db()
    assert year.status == YearStatus.OPEN

    old_inds = {(i.unit_kind_id, i.code): i for i in Indicator.objects.filter(year=year)}
    new_inds = {(i.unit_kind_id, i.code): i for i in Indicator.objects.filter(year=new)}
    assert old_inds.keys() == new_inds.keys()
    for key, old in old_inds.items():
        assert _fields(old) == _fields(new_inds[key])
        for m2m in ("categories", "outlets", "topics"):
            assert set(getattr(old, m2m).all()) == set(getattr(new_inds[key], m2m).all())
    assert UnitTarget.objects.get(indicator__year=new, unit=units["a"]).target == 45
    assert _fields(ScoringPolicy.objects.get(year=year)) == _fields(ScoringPolicy.objects.get(year=new))
    assert set(ScoringPolicy.objects.get(year=new).bonus_categories.all()) == set(
        ScoringPolicy.objects.get(year=year).bonus_categories.all()
    )
    old_rules = [
        (_fields(r), set(r.outlets.all()))
        for r in RewardRule.objects.filter(schedule__year=year).order_by("order", "id")
    ]
    new_rules = [
        (_fields(r), set(r.outlets.all()))
        for r in RewardRule.objects.filter(schedule__year=new).order_by("order", "id")
    ]
    assert old_rules == new_rules and len(new_rules) == 25
    assert RewardSchedule.objects.filter(year=new).count() == RewardSchedule.objects.filter(year=year).count()
    assert [_fields(r) for r in ReportingRule.objects.filter(year=new).order_by("unit_kind_id")] == [
        _fields(r) for r in ReportingRule.objects.filter(year=year).order_by("unit_kind_id")
    ]
    new_c1 = new_inds[(kinds["county"].pk, "C1")]
    assert list(new_c1.level_points.values_list("points", flat=True)) == [5]
    assert AuthorWeight.objects.get(schedule__year=new).weight == 3
    assert UnitYearSetting.objects.get(year=new).coefficient == UnitYearSetting.objects.get(year=year).coefficient
    # A second roll over into the same year is refused with a clear reason and changes nothing.
    response = admin_client.post(url("year-rollover"))
    assert response.status_code == 400 and "2012年度已存在" in response.content.decode()
    assert AssessmentYear.objects.filter(year=2012).count() == 1


def test_rollover_of_a_closed_year_keeps_its_snapshot(users, pieces, year):
    from scoring.services import year_rollover

    year_close(actor=users["bureau_admin"], year=year)
    before = year_score_to_dict(year_results(year))
    year_rollover(actor=users["bureau_admin"], source=year)
    year.refresh_from_db()
    assert year.status == YearStatus.CLOSED
    assert year_score_to_dict(year_results(year)) == before


def test_open_the_new_year(admin_client, users, year):
    from scoring.services import year_rollover

    year_rollover(actor=users["bureau_admin"], source=year)
    assert "确认开放" in admin_client.get(url("year-open", 2012)).content.decode()
    assert admin_client.post(url("year-open", 2012)).status_code == 302
    assert AssessmentYear.objects.get(year=2012).status == YearStatus.OPEN
    response = admin_client.post(url("year-open", 2012))
    assert response.status_code == 400 and "不能开放" in response.content.decode()


def test_command_dry_run_writes_nothing_then_rolls_over(capsys, year):
    call_command("rollover_year", "--from", "2011", "--to", "2012", "--dry-run")
    out = capsys.readouterr().out
    assert "考核指标 11 项" in out and "试运行" in out
    assert not AssessmentYear.objects.filter(year=2012).exists()
    call_command("rollover_year", "--from", "2011", "--to", "2012")
    assert Indicator.objects.filter(year__year=2012).count() == 11
    with pytest.raises(CommandError, match="2012年度已存在"):
        call_command("rollover_year", "--from", "2011")


def test_command_unknown_year(year):
    with pytest.raises(CommandError, match="没有2009年度"):
        call_command("rollover_year", "--from", "2009")


def test_admin_year_form_links_to_the_console(admin_client, year):
    html = admin_client.get(reverse("admin:publicity_assessmentyear_change", args=[year.pk])).content.decode()
    assert reverse("console:year", args=[2011]) in html
    assert "Closing links" not in html


def test_year_page_lists_the_scoring_settings_with_their_admin_pages(admin_client, django_assert_max_num_queries):
    policy = ScoringPolicy.objects.get(year__year=2011)
    html = admin_client.get(url("year")).content.decode()
    section = html.split('id="scoring-settings"')[1].split("</section>")[0]
    # the 2011 preset, in words
    assert "单项满分4分,每少一篇扣0.1分,超额每篇加0.1分(不超过满分的30%),最低0分" in section
    assert "仅提示,均计分" in section and "不限报送时间" in section
    assert "取最高一档" in section and "作者平均分配" in section and "所有单位均为1" in section
    assert reverse("admin:scoring_scoringpolicy_change", args=[policy.pk]) in section
    # the county_points preset: every §10 setting it changes
    call_command("loaddata", "county_points", verbosity=0)
    from scoring.models import UnitYearSetting
    from units.models import Unit

    UnitYearSetting.objects.create(
        year=AssessmentYear.objects.get(year=2012),
        unit=Unit.objects.create(name="小单位", kind=Indicator.objects.get(pk=201201).unit_kind),
        coefficient="1.5",
    )
    with django_assert_max_num_queries(30):
        html = admin_client.get(url("year", 2012)).content.decode()
    section = html.split('id="scoring-settings"')[1].split("</section>")[0]
    assert "以先报为准,后报的不计分" in section
    assert "首次提交晚于最早刊发30天为逾期报送,不计分" in section
    assert "取最高两档" in section and "按署名顺序权重 3:2" in section
    assert (
        "媒体发稿积分(按篇计分):中央/国家级5、省级3、市级2、县级1;网站×0.5;商业网站×0.5;新媒体×0.5;每月上限10"
        in section
    )
    assert section.count("按篇计分 P(") == 3 and "1个单位单设系数(其余单位为1)" in section
    assert reverse("admin:publicity_indicator_change", args=[201201]) in section
    assert reverse("admin:scoring_rewardschedule_change", args=[201201]) in section

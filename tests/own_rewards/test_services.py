"""scoring.own_schedule: the unit's head or liaison keeps its own schedule, priced by the same engine,
apart from the bureau's money, exact to the fen."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from scoring import own_schedule as services
from scoring.models import RewardRule, RewardSchedule
from scoring.services import score_year

pytestmark = pytest.mark.django_db
D = Decimal


def test_liaison_and_head_edit_the_units_schedule(own, users, outlets):
    assert own.owner_unit.name == "汉滨区人社局" and own.rules.count() == 3
    rule = services.own_rule_save(
        actor=users["head_a"], schedule=own, data=services.RuleInput([outlets["安康电视台"]], "50", kinds=["feature"])
    )
    assert rule.amount == D("50.00") and rule.kinds == ["feature"]
    services.own_schedule_save(actor=users["head_a"], unit=own.owner_unit, year=own.year, name="新名称", payout="sum")
    own.refresh_from_db()
    assert (own.name, own.payout) == ("新名称", "sum")


@pytest.mark.parametrize("who", ["bureau_admin", "reviewer", "leader", "liaison_b"])
def test_nobody_else_edits_it(own, users, outlets, who):
    with pytest.raises(PermissionDenied):
        services.own_rule_save(actor=users[who], schedule=own, data=services.RuleInput([outlets["安康日报"]], "5"))
    with pytest.raises(PermissionDenied):
        services.own_schedule_save(actor=users[who], unit=own.owner_unit, year=own.year, name="改", payout="sum")
    with pytest.raises(PermissionDenied):
        services.own_rule_delete(actor=users[who], rule=own.rules.first())
    assert own.rules.count() == 3 and RewardSchedule.objects.get(pk=own.pk).name == "汉滨区稿件奖励标准"


def test_the_bureaus_schedule_is_not_edited_here(users, year, outlets):
    bureau = RewardSchedule.objects.get(year=year, owner_unit__isnull=True)
    with pytest.raises(PermissionDenied):
        services.own_rule_save(
            actor=users["liaison_a"], schedule=bureau, data=services.RuleInput([outlets["安康日报"]], "5")
        )


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"outlets": [], "amount": "10"}, "outlets", "请至少选择一家媒体"),
        ({"amount": "十元"}, "amount", "奖励金额“十元”无效"),
        ({"amount": "0"}, "amount", "须大于0"),
        ({"amount": "1.234"}, "amount", "最多两位小数"),
        ({"amount": "NaN"}, "amount", "无效"),
        ({"amount": "10", "min_characters": "八百"}, "min_characters", "最少字数“八百”无效"),
        ({"amount": "10", "placement": "sidebar"}, "placement", "版面位置"),
        ({"amount": "10", "kinds": ["poem"]}, "kinds", "稿件类型"),
        ({"amount": "10", "note": "a\x00b"}, "note", ""),
    ],
)
def test_bad_rule_input_names_the_field_and_writes_nothing(own, users, outlets, data, field, text):
    data = {"outlets": [outlets["安康日报"]], **data}
    with pytest.raises(ValidationError) as exc:
        services.own_rule_save(actor=users["liaison_a"], schedule=own, data=services.RuleInput(**data))
    assert field in exc.value.message_dict and text in exc.value.message_dict[field][0]
    assert own.rules.count() == 3


def test_bad_schedule_input(users, units, year):
    with pytest.raises(ValidationError) as exc:
        services.own_schedule_save(
            actor=users["liaison_a"], unit=units["a"], year=year, name=" ", payout="all", top_n=0
        )
    assert set(exc.value.message_dict) == {"name", "payout", "top_n"}
    assert not RewardSchedule.objects.filter(owner_unit=units["a"]).exists()


def test_priced_by_the_same_engine_exact_to_the_fen_and_apart_from_the_bureau(own, year, units, make_piece):
    bureau_before = score_year(year).unit(units["a"].pk).reward
    # 安康日报 (own 30) and 人民网 (own 100): highest → 100, three authors → 33.34 / 33.33 / 33.33
    make_piece(
        units["a"], "一稿两投", [("安康日报", "2011-03-01"), ("人民网", "2011-03-02")], authors=("甲", "乙", "丙")
    )
    # 安康日报 头版头条 1200 chars: the 300 rule (highest of 30 and 300)
    make_piece(units["a"], "头版头条", [("安康日报", "2011-04-01", "headline")], characters=1200, authors=("甲",))
    # 陕西日报: no own rule → 0 (listed)
    make_piece(units["a"], "省报", [("陕西日报", "2011-05-01")], authors=("丁",))
    make_piece(units["b"], "旬阳稿件", [("人民网", "2011-03-02")])  # another unit: never in 汉滨区's list
    mine = services.own_rewards(year, units["a"])
    assert mine.total == D("400.00")
    by_title = {p.title: p for p in mine.pieces}
    assert by_title["一稿两投"].shares == [("甲", D("33.34")), ("乙", D("33.33")), ("丙", D("33.33"))]
    assert by_title["头版头条"].amount == D("300.00") and by_title["省报"].no_rule_matched
    assert [(p.name, p.reward) for p in mine.people] == [("甲", D("333.34")), ("丙", D("33.33")), ("乙", D("33.33"))]
    # the bureau's figures are the bureau schedule's only: max(安康日报 20, 人民网 100), 安康日报 头版头条 500, 陕西日报 100
    result = score_year(year)
    assert result.unit(units["a"].pk).reward == bureau_before + D("700.00")
    assert sum((p.reward for p in result.people if p.unit_id == units["a"].pk), D("0")) == D("700.00")
    assert units["b"].pk not in result.own_rewards


def test_own_schedule_edits_do_not_make_the_stored_scores_stale(own, users, year, outlets):
    from scoring.models import StoredYear
    from scoring.stored import ensure_stored

    ensure_stored(year)
    services.own_rule_save(actor=users["liaison_a"], schedule=own, data=services.RuleInput([outlets["新浪"]], "8"))
    services.own_rule_delete(actor=users["liaison_a"], rule=RewardRule.objects.filter(schedule=own).first())
    assert not StoredYear.objects.get(year=year).stale


def test_a_closed_year_is_not_edited(own, users, year, outlets):
    from scoring.services import year_close

    year_close(actor=users["bureau_admin"], year=year)
    with pytest.raises(ValidationError):
        services.own_rule_save(actor=users["liaison_a"], schedule=own, data=services.RuleInput([outlets["新浪"]], "8"))


def test_the_admin_shows_it_read_only(rf, own, users):
    from django.contrib.admin.sites import site

    admin = site._registry[RewardSchedule]
    request = rf.get("/")
    request.user = users["bureau_admin"]
    assert not admin.has_change_permission(request, own) and not admin.has_delete_permission(request, own)
    bureau = RewardSchedule.objects.get(year=own.year, owner_unit__isnull=True)
    assert admin.has_change_permission(request, bureau)

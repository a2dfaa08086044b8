"""Author weights on a unit's own schedule (AuthorWeight rows, as the bureau's) and which unit kinds may keep
one (UnitKind.funds_own_rewards, seed 004 §6: county bureaus and affiliated units, not the bureau's
departments): service and page, bad input a Chinese error with nothing written."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from scoring import own_schedule as services
from scoring.models import AuthorWeight, RewardRule, RewardSchedule
from units.models import UnitKind

pytestmark = pytest.mark.django_db
D = Decimal
URL = "/o/"


def _save(users, own, **over):
    data = {"name": own.name, "payout": own.payout, **over}
    return services.own_schedule_save(actor=users["liaison_a"], unit=own.owner_unit, year=own.year, **data)


def test_the_preset_says_which_kinds_fund_their_own_rewards(kinds):
    assert {k.code: k.funds_own_rewards for k in UnitKind.objects.all()} == {
        "county": True,
        "dept": False,
        "affiliated": True,
    }


def test_weights_are_stored_as_the_bureaus_are_and_price_the_split_exactly(own, users, year, units, make_piece):
    _save(users, own, author_split="weights", weights="3，2、1")
    assert list(own.author_weights.values_list("position", "weight")) == [
        (1, D("3.00")),
        (2, D("2.00")),
        (3, D("1.00")),
    ]
    # 人民网 own 100, four authors weighted 3:2:1:1 (the 4th takes the last) → 42.85 + 0.01, 28.57, 14.28, 14.28
    make_piece(units["a"], "四人合写", [("人民网", "2011-03-02")], authors=("甲", "乙", "丙", "丁"))
    [piece] = services.own_rewards(year, units["a"]).pieces
    assert piece.shares == [("甲", D("42.87")), ("乙", D("28.57")), ("丙", D("14.28")), ("丁", D("14.28"))]
    assert sum(s for _, s in piece.shares) == D("100.00")
    # back to equal: the rows go, the split is equal again
    _save(users, own, author_split="equal", weights="3, 2, 1")
    assert not own.author_weights.exists()
    [piece] = services.own_rewards(year, units["a"]).pieces
    assert [s for _, s in piece.shares] == [D("25.00")] * 4


def test_weight_changes_are_audited_and_unchanged_weights_write_nothing(own, users):
    def weight_events():
        return AuditEvent.objects.filter(model__iendswith="authorweight").count()

    _save(users, own, author_split="weights", weights="0.5 0.3 0.2")
    ids = list(own.author_weights.values_list("pk", flat=True))
    written = weight_events()
    assert written == 3  # each row reaches the audit trail
    _save(users, own, author_split="weights", weights="0.50, 0.30, 0.20")
    assert list(own.author_weights.values_list("pk", flat=True)) == ids and weight_events() == written


@pytest.mark.parametrize(
    ("split", "weights", "field", "text"),
    [
        ("weights", "", "weights", "请至少填写第1作者的权重"),
        ("weights", "0.5, 零点三", "weights", "第2作者的权重“零点三”无效"),
        ("weights", "0", "weights", "须大于0"),
        ("weights", "0.505", "weights", "最多两位小数"),
        ("weights", "10000", "weights", "不超过9999.99"),
        ("weights", "NaN", "weights", "无效"),
        ("weights", " ".join(["1"] * 11), "weights", "最多填写10个"),
        ("by_rank", "", "author_split", "作者分配方式“by_rank”无效"),
    ],
)
def test_bad_weights_name_the_field_and_write_nothing(own, users, split, weights, field, text):
    _save(users, own, author_split="weights", weights="2, 1")
    with pytest.raises(ValidationError) as exc:
        _save(users, own, name="改过的名称", author_split=split, weights=weights)
    assert text in exc.value.message_dict[field][0]
    own.refresh_from_db()
    assert own.name == "汉滨区稿件奖励标准" and own.author_split == "weights"
    assert list(own.author_weights.values_list("weight", flat=True)) == [D("2.00"), D("1.00")]


def test_a_department_may_not_keep_one(users, units, year, outlets):
    with pytest.raises(ValidationError) as exc:
        services.own_schedule_save(
            actor=users["liaison_dept"], unit=units["dept"], year=year, name="办公室奖励标准", payout="highest"
        )
    assert "“机关科室”类单位不自筹奖励资金" in exc.value.messages[0] and "可自筹奖励" in exc.value.messages[0]
    assert not RewardSchedule.objects.filter(owner_unit=units["dept"]).exists()
    # an affiliated unit may
    services.own_schedule_save(
        actor=users["liaison_aff"], unit=units["aff"], year=year, name="技工学校奖励标准", payout="highest"
    )


def test_a_kind_unflagged_later_refuses_further_edits(own, users, outlets, kinds):
    UnitKind.objects.filter(code="county").update(funds_own_rewards=False)
    own.owner_unit.kind.refresh_from_db()
    with pytest.raises(ValidationError, match="不自筹奖励资金"):
        services.own_rule_save(actor=users["liaison_a"], schedule=own, data=services.RuleInput([outlets["新浪"]], "8"))
    assert own.rules.count() == 3


# ---- the /o/ page


def test_the_page_edits_the_weights(client, users, own):
    client.force_login(users["head_a"])
    page = client.get(URL).content.decode()
    assert 'name="author_split"' in page and 'id="id_weights"' in page
    response = client.post(
        URL, {"name": own.name, "payout": "highest", "top_n": "2", "author_split": "weights", "weights": "0.6, 0.4"}
    )
    assert response.status_code == 302
    assert list(own.author_weights.values_list("weight", flat=True)) == [D("0.60"), D("0.40")]
    page = client.get(URL).content.decode()
    assert 'name="weights" value="0.6, 0.4"' in page and 'value="weights" id="id_author_split_1" checked' in page


def test_bad_weights_on_the_page_show_the_error_and_write_nothing(client, users, own):
    client.force_login(users["liaison_a"])
    page = client.post(
        URL, {"name": "新名称", "payout": "highest", "top_n": "2", "author_split": "weights", "weights": "0.6, 四成"}
    ).content.decode()
    assert "第2作者的权重“四成”无效" in page and "未保存" in page
    own.refresh_from_db()
    assert own.name == "汉滨区稿件奖励标准" and own.author_split == "equal" and not own.author_weights.exists()


def test_a_departments_page_says_why_and_writes_nothing(client, users, units, outlets):
    client.force_login(users["liaison_dept"])
    page = client.get(URL).content.decode()
    assert 'id="own-refused"' in page and "“机关科室”类单位不自筹奖励资金" in page
    assert 'id="save-schedule"' not in page and 'id="add-rule"' not in page
    response = client.post(URL, {"name": "办公室奖励标准", "payout": "highest", "top_n": "2"})
    assert response.status_code == 200 and "不自筹奖励资金" in response.content.decode()
    response = client.post(reverse("own-rewards:rule-create"), {"outlets": [outlets["安康日报"].pk], "amount": "20"})
    assert response.status_code == 302
    assert (
        not RewardSchedule.objects.filter(owner_unit=units["dept"]).exists()
        and not RewardRule.objects.filter(schedule__owner_unit=units["dept"]).exists()
    )


def test_weights_of_another_unit_or_the_bureau_are_not_touched(client, users, own, year):
    """The page edits the user's own unit only: 旬阳's liaison saving weights makes 旬阳's schedule, never
    汉滨区's; the bureau's schedule rows stay."""
    bureau = RewardSchedule.objects.get(year=year, owner_unit__isnull=True)
    before = list(AuthorWeight.objects.filter(schedule=bureau).values_list("position", "weight"))
    client.force_login(users["liaison_b"])
    client.post(
        URL, {"name": "旬阳标准", "payout": "highest", "top_n": "2", "author_split": "weights", "weights": "2, 1"}
    )
    assert not own.author_weights.exists()
    assert list(AuthorWeight.objects.filter(schedule=bureau).values_list("position", "weight")) == before
    assert RewardSchedule.objects.get(owner_unit=users["liaison_b"].unit).author_weights.count() == 2
    client.force_login(users["reviewer"])
    assert client.post(URL, {"name": "x", "payout": "highest", "top_n": "2"}).status_code == 403


def test_page_queries_do_not_grow_with_weights(client, users, own, units, make_piece, django_assert_max_num_queries):
    _save(users, own, author_split="weights", weights="3, 2, 1")
    client.force_login(users["liaison_a"])
    make_piece(units["a"], "一", [("安康日报", "2011-03-01")])
    with django_assert_max_num_queries(60) as few:
        assert client.get(URL).status_code == 200
    for i in range(8):
        make_piece(units["a"], f"多{i}", [("人民网", "2011-03-02")], authors=("甲", "乙", "丙", "丁"))
    with django_assert_max_num_queries(len(few)):
        assert client.get(URL).status_code == 200

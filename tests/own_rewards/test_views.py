"""The own-schedule pages: the unit edits its rules, downloads its own payout list; the bureau cannot
(403), another unit's rule is a 404, bad input is a Chinese error and nothing is written."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from scoring.models import RewardRule, RewardSchedule

pytestmark = pytest.mark.django_db
URL = "/o/"


def test_liaison_creates_the_schedule_and_adds_a_rule(client, users, outlets, units):
    client.force_login(users["liaison_a"])
    page = client.get(URL).content.decode()
    assert "尚未建立自筹奖励标准" in page and 'id="save-schedule"' in page
    client.post(URL, {"name": "汉滨区奖励标准", "payout": "highest", "top_n": "2"})
    schedule = RewardSchedule.objects.get(owner_unit=units["a"])
    response = client.post(
        reverse("own-rewards:rule-create"),
        {"outlets": [outlets["安康日报"].pk], "amount": "25.50", "placement": "", "min_characters": "", "note": ""},
    )
    assert response.status_code == 302
    rule = RewardRule.objects.get(schedule=schedule)
    assert rule.amount == Decimal("25.50") and list(rule.outlets.all()) == [outlets["安康日报"]]


def test_bad_rule_input_shows_the_field_error_and_writes_nothing(client, users, outlets, own):
    client.force_login(users["head_a"])
    page = client.post(
        reverse("own-rewards:rule-create"),
        {"outlets": [outlets["安康日报"].pk], "amount": "二十", "min_characters": ""},
    ).content.decode()
    assert "奖励金额“二十”无效" in page and 'id="form-error"' in page
    page = client.post(reverse("own-rewards:rule-create"), {"amount": "20"}).content.decode()
    assert "请至少选择一家媒体。" in page
    assert own.rules.count() == 3


def test_bureau_roles_are_403(client, users, own):
    rule = own.rules.first()
    for who in ("bureau_admin", "reviewer", "leader"):
        client.force_login(users[who])
        assert client.get(URL).status_code == 403
        assert client.post(reverse("own-rewards:rule-delete", args=[rule.pk])).status_code == 403
        assert client.get(reverse("own-rewards:payout-xlsx", args=[2011])).status_code == 403
    assert own.rules.count() == 3


def test_another_units_and_the_bureaus_rules_are_404(client, users, own, year):
    rule = own.rules.first()
    bureau_rule = RewardRule.objects.filter(schedule__year=year, schedule__owner_unit__isnull=True).first()
    client.force_login(users["liaison_b"])
    assert client.get(reverse("own-rewards:rule-edit", args=[rule.pk])).status_code == 404
    assert client.post(reverse("own-rewards:rule-delete", args=[rule.pk])).status_code == 404
    assert client.get(reverse("own-rewards:rule-edit", args=[bureau_rule.pk])).status_code == 404
    # 旬阳 keeps no schedule: no payout list (and never 汉滨区's)
    assert client.get(reverse("own-rewards:payout-xlsx", args=[2011])).status_code == 404
    assert own.rules.count() == 3 and RewardRule.objects.filter(pk=bureau_rule.pk).exists()


def test_the_payout_workbook_is_the_units_own_and_reads_back(client, users, own, units, make_piece):
    make_piece(
        units["a"],
        "一稿两投",
        [("安康日报", "2011-03-01"), ("人民网", "2011-03-02")],
        authors=("李晓梅", "王强", "赵敏"),
    )
    make_piece(units["a"], "头版头条", [("安康日报", "2011-04-01", "headline")], characters=1200, authors=("李晓梅",))
    make_piece(units["b"], "旬阳稿件", [("人民网", "2011-03-02")], authors=("刘芳",))
    make_piece(units["a"], "未刊发的调研", kind="research", authors=("孙丽",))  # no own rule prices it: 0.00
    client.force_login(users["liaison_a"])
    page = client.get(URL).content.decode()
    assert 'id="own-total">400.00<' in page
    # 获奖稿件 counts the pieces paid, not every piece listed (QA)
    assert '获奖稿件</div><div class="value">2<small>' in page
    response = client.get(reverse("own-rewards:payout-xlsx", args=[2011]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["自筹奖励发放表", "自筹稿件奖励明细"]
    rows = [r for r in wb["自筹奖励发放表"].iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert [(r[1], r[2], Decimal(str(r[3]))) for r in rows] == [
        ("李晓梅", 2, Decimal("333.34")),
        ("王强", 1, Decimal("33.33")),
        ("赵敏", 1, Decimal("33.33")),
    ]
    cells = [c for row in wb["自筹奖励发放表"].iter_rows(values_only=True) for c in row if c is not None]
    assert "刘芳" not in cells and any(isinstance(c, str) and "合计（3人）" in c for c in cells)
    total = next(r for r in wb["自筹奖励发放表"].iter_rows(values_only=True) if r[1] == "合计（3人）")
    assert Decimal(str(total[3])) == Decimal("400.00")
    pdf = client.get(reverse("own-rewards:payout-pdf", args=[2011]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_the_units_score_page_shows_its_own_money_apart(client, users, own, units, make_piece):
    make_piece(units["a"], "人民网稿件", [("人民网", "2011-03-02")])
    client.force_login(users["liaison_a"])
    page = client.get(reverse("scoring:unit-score", args=[2011, units["a"].pk])).content.decode()
    assert 'id="own-total">100.00<' in page and 'id="reward">100.00<' in page  # bureau 人民网 100, own 100: apart
    client.force_login(users["reviewer"])
    page = client.get(reverse("scoring:unit-score", args=[2011, units["a"].pk])).content.decode()
    assert 'id="own-total">100.00<' in page and "查看本单位奖励标准" not in page


def test_page_queries_do_not_grow(client, users, own, units, make_piece, django_assert_max_num_queries):
    client.force_login(users["liaison_a"])
    make_piece(units["a"], "一", [("安康日报", "2011-03-01")])
    with django_assert_max_num_queries(60) as few:
        assert client.get(URL).status_code == 200
    for i in range(10):
        make_piece(units["a"], f"多{i}", [("安康日报", "2011-03-01"), ("人民网", "2011-03-02")], authors=("甲", "乙"))
    with django_assert_max_num_queries(len(few)):
        assert client.get(URL).status_code == 200


def test_probing_another_units_rule_is_a_404_and_recorded(client, users, own):
    """Issue 11 item 11: 汉滨区's own rule opened by 旬阳县's liaison is a 404, and the probe is recorded."""
    from audit.models import AuditAction, AuditEvent

    rule = own.rules.first()
    client.force_login(users["liaison_b"])
    assert client.get(reverse("own-rewards:rule-edit", args=[rule.pk])).status_code == 404
    probe = AuditEvent.objects.get(action=AuditAction.NOT_FOUND)
    assert (probe.username, probe.model, probe.object_id) == ("liaison_b", "scoring.rewardrule", str(rule.pk))

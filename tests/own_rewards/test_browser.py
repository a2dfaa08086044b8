"""The /o/ page on a phone: 汉滨区's liaison sets up the unit's own schedule with author weights (a bad weight
refused in Chinese, nothing saved), adds a rule, and sees a four-author piece split by the weights; a
department's liaison is told why it keeps none."""

from decimal import Decimal

import pytest

from scoring.models import RewardSchedule

pytestmark = [pytest.mark.browser]


def test_own_schedule_with_weights_on_a_phone(
    reload_preset_after, transactional_db, browser, live_server, users, units, outlets, make_piece
):
    from tests.browser_kit import Session

    make_piece(units["a"], "四人合写", [("人民网", "2011-03-02")], authors=("甲", "乙", "丙", "丁"))
    liaison = Session(browser, live_server.url, "phone", "own-rewards").login("liaison_a")
    page = liaison.page
    liaison.go("/o/")
    liaison.shot("01-empty")
    page.fill("#id_name", "汉滨区稿件奖励标准")
    page.check("#id_author_split_1")  # 按署名顺序权重分配
    page.fill("#id_weights", "3, 2, 一")
    page.click("#save-schedule")
    page.wait_for_load_state("networkidle")
    assert "第3作者的权重“一”无效" in page.content()
    assert not RewardSchedule.objects.filter(owner_unit=units["a"]).exists()
    liaison.shot("02-bad-weight")
    page.fill("#id_weights", "3, 2, 1")
    page.click("#save-schedule")
    page.wait_for_load_state("networkidle")
    schedule = RewardSchedule.objects.get(owner_unit=units["a"])
    assert list(schedule.author_weights.values_list("weight", flat=True)) == [Decimal("3"), Decimal("2"), Decimal("1")]
    assert page.input_value("#id_weights") == "3, 2, 1"
    page.click("#add-rule")
    page.wait_for_load_state("networkidle")
    page.fill("#id_amount", "100")
    page.check(f'input[name="outlets"][value="{outlets["人民网"].pk}"]')
    liaison.shot("03-rule")
    page.click("#save-rule")
    page.wait_for_load_state("networkidle")
    # 100 元 split 3:2:1:1 (the 4th author takes the last weight), the remainder fen to the first author
    assert page.inner_text("#own-total").startswith("100.00")
    shares = page.inner_text("#own-pieces")
    assert "甲 42.87" in shares and "乙 28.57" in shares and "丁 14.28" in shares
    liaison.shot("04-priced")

    department = Session(browser, live_server.url, "phone", "own-rewards-dept").login("liaison_dept")
    department.go("/o/")
    assert "“机关科室”类单位不自筹奖励资金" in department.page.inner_text("#own-refused")
    assert department.page.locator("#save-schedule").count() == 0
    department.shot("01-refused")
    for s in (liaison, department):
        s.close()

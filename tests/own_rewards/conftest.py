"""A county bureau (汉滨区人社局) that funds its own rewards (seed 004 §6)."""

import pytest

from tests.browser_kit import reload_preset_after  # noqa: F401
from tests.web.conftest import media_tmp  # noqa: F401


@pytest.fixture
def own(users, units, year, outlets):
    """汉滨区's own schedule: 安康日报 30 元, 人民网 100 元, 安康日报 头版头条 1000 chars+ 300 元."""
    from scoring import own_schedule as services

    schedule = services.own_schedule_save(
        actor=users["liaison_a"], unit=units["a"], year=year, name="汉滨区稿件奖励标准", payout="highest"
    )
    rule = services.RuleInput
    services.own_rule_save(actor=users["liaison_a"], schedule=schedule, data=rule([outlets["安康日报"]], "30"))
    services.own_rule_save(actor=users["liaison_a"], schedule=schedule, data=rule([outlets["人民网"]], "100.00"))
    services.own_rule_save(
        actor=users["liaison_a"],
        schedule=schedule,
        data=rule([outlets["安康日报"]], "300", placement="headline", min_characters="1000", note="头版头条千字以上"),
    )
    return schedule

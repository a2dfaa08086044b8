"""Item 3: the frozen-year message names the status once and reads naturally."""

from publicity.models import YearStatus
from publicity.services import year_frozen_error


def test_frozen_year_message_reads_naturally(year):
    year.status = YearStatus.CLOSED
    assert year_frozen_error(year).messages == ["2011年度已结账,该年度的数据不能再新增、修改或删除。"]
    year.status = YearStatus.PUBLISHED
    assert year_frozen_error(year).messages == ["2011年度已发布,该年度的数据不能再新增、修改或删除。"]

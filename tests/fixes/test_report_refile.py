"""Item 5: the report form offers only begun, unfiled months; a filed month can be filed again (更新报送)."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from publicity import services
from publicity.models import AssessmentYear, PeriodReport, PieceStatus, YearStatus

URL = reverse("publicity:unit-reports")


def offered_months(html: str) -> list[int]:
    select = re.search(r'<select name="month"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [int(v) for v in re.findall(r'<option value="(\d+)"', select)]


def test_form_offers_only_begun_unfiled_months(as_user, users, units, make_piece, year):
    make_piece(units["a"], "三月稿件", [("安康日报", "2011-03-05")])
    client = as_user(users["liaison_a"])
    assert client.post(URL + "?as_of=2011-05-06", {"month": "3"}).status_code == 302
    html = client.get(URL + "?as_of=2011-05-06").content.decode()
    assert offered_months(html) == [1, 2, 4, 5]  # 3 is filed, June onwards has not begun
    response = client.post(URL + "?as_of=2011-05-06", {"month": "7", "is_zero": "on"})
    assert response.status_code == 400 and "已开始且未报送的月份" in response.content.decode()
    assert not PeriodReport.objects.filter(unit=units["a"], month=7).exists()


def test_refile_service_recounts(users, units, make_piece, year):
    make_piece(units["a"], "三月稿件一", [("安康日报", "2011-03-05")])
    report = services.report_file(actor=users["liaison_a"], unit=units["a"], year=year, month=3)
    filed_at = report.filed_at
    assert report.piece_count == 1
    make_piece(units["a"], "三月稿件二", [("安康日报", "2011-03-20")], status=PieceStatus.SUBMITTED)
    report = services.report_refile(actor=users["liaison_a"], report=report)
    stored = PeriodReport.objects.get(pk=report.pk)
    assert (stored.piece_count, stored.is_zero, stored.filed_at) == (2, False, filed_at)


def test_refile_rules(users, units, make_piece, year):
    report = services.report_file(actor=users["liaison_a"], unit=units["a"], year=year, month=4, is_zero=True)
    with pytest.raises(PermissionDenied):
        services.report_refile(actor=users["liaison_b"], report=report)
    draft = make_piece(units["a"], "四月草稿", [("安康日报", "2011-04-05")], status=PieceStatus.DRAFT)
    with pytest.raises(ValidationError, match="4月还有1篇草稿或被退回的稿件未提交"):
        services.report_refile(actor=users["liaison_a"], report=report)
    services.piece_submit(actor=users["liaison_a"], piece=draft, check_proof=False)
    report = services.report_refile(actor=users["liaison_a"], report=report)
    assert (report.piece_count, report.is_zero) == (1, False)  # a zero report with a piece now is a real one
    AssessmentYear.objects.filter(pk=year.pk).update(status=YearStatus.CLOSED)
    with pytest.raises(ValidationError, match="2011年度已结账"):
        services.report_refile(actor=users["liaison_a"], report=PeriodReport.objects.get(pk=report.pk))


def test_page_shows_filed_and_current_counts_and_refiles(as_user, users, units, make_piece, year):
    make_piece(units["a"], "三月稿件一", [("安康日报", "2011-03-05")])
    client = as_user(users["liaison_a"])
    client.post(URL, {"month": "3"})
    make_piece(units["a"], "三月稿件二", [("安康日报", "2011-03-20")])
    html = client.get(URL).content.decode()
    assert "报送时1篇,当前2篇" in html and "需更新" in html and "更新报送" in html
    response = client.post(URL, {"action": "refile", "month": "3"}, follow=True)
    html = response.content.decode()
    assert "已更新报送2011年3月:2篇稿件。" in html
    assert "报送时2篇,当前2篇" in html and "需更新" not in html
    assert PeriodReport.objects.get(unit=units["a"], month=3).piece_count == 2
    # another unit's liaison cannot refile it
    assert as_user(users["liaison_b"]).post(URL, {"action": "refile", "month": "3"}).status_code == 404

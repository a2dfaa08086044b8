"""Item 7: the admin's app headings are Chinese."""

from django.apps import apps
from django.urls import reverse


def test_app_verbose_names_are_chinese():
    names = {label: apps.get_app_config(label).verbose_name for label in ("units", "publicity", "scoring", "audit")}
    assert names == {"units": "单位与用户", "publicity": "稿件与任务", "scoring": "计分与奖励", "audit": "安全审计"}


def test_admin_index_shows_chinese_headings(client, users):
    client.force_login(users["bureau_admin"])
    html = client.get(reverse("admin:index")).content.decode()
    assert "稿件与任务" in html and "计分与奖励" in html
    assert ">Publicity<" not in html and ">Scoring<" not in html

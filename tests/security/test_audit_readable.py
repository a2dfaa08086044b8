"""The auditor's log page reads as "字段中文名:旧值 → 新值" (verbose names, choice labels, "(空)"),
while the stored JSON keeps internal names and raw values."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from audit.context import acting_as
from audit.display import readable_changes, readable_changes_text
from audit.models import AuditAction, AuditEvent
from publicity.models import PieceStatus, YearStatus

pytestmark = pytest.mark.django_db


def _page(client, users, **params):
    client.force_login(users["auditor"])
    response = client.get(reverse("audit:log"), params)
    assert response.status_code == 200
    return response.content.decode()


def _close_year(year, users):
    with acting_as(users["sysadmin"]):
        year.status = YearStatus.OPEN
        year.save()
        year.status = YearStatus.CLOSED
        year.save()
    return AuditEvent.objects.filter(model="publicity.assessmentyear", action=AuditAction.UPDATE).order_by("-id")[0]


def test_status_change_shows_field_label_and_choice_labels(client, users, year):
    event = _close_year(year, users)
    assert event.changes == {"status": ["open", "closed"]}  # stored raw, unchanged
    html = _page(client, users, model="publicity.assessmentyear")
    assert "<b>状态</b>:进行中 → 已结账" in html
    assert "[&#x27;open&#x27;" not in html and "status" not in re.sub(r"<[^>]*>", "", html.split("<tbody>")[1])


def test_foreign_key_shows_verbose_name_not_attname_and_none_as_empty(client, users, units, make_piece):
    with acting_as(users["liaison_a"]):
        make_piece(units["a"], "春风行动", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    created = AuditEvent.objects.filter(model="publicity.piece", action=AuditAction.CREATE).order_by("-id")[0]
    assert "year_id" in created.changes and created.changes["status"] == [None, "draft"]
    html = _page(client, users, model="publicity.piece")
    body = html.split("<tbody>")[1]
    assert "year_id" not in body and "unit_id" not in body
    assert "<b>年度</b>:(空) → " in body
    assert "(空) → 草稿" in body or "(空) → " + PieceStatus.DRAFT.label in body
    assert "None" not in re.sub(r"<[^>]*>", "", body)


def test_readable_changes_fall_back_to_the_key_for_unknown_fields_and_models():
    lines = readable_changes("publicity.assessmentyear", {"status": ["draft", "open"], "nonsense": [1, None]})
    assert [(str(x.label), x.old, x.new) for x in lines] == [("状态", "筹备中", "进行中"), ("nonsense", "1", "(空)")]
    assert readable_changes_text("no.such", {"is_active": [True, False]}) == "is_active:是 → 否"
    assert readable_changes_text("accounts.user", {"roles": [["联络员"], ["联络员", "审核员"]]}).endswith(
        "联络员 → 联络员、审核员"
    )


def test_model_filter_lists_only_the_chinese_name_with_the_same_value(client, users, year):
    _close_year(year, users)
    html = _page(client, users)
    option = re.search(r'<option value="publicity.assessmentyear"[^>]*>([^<]*)</option>', html)
    assert option and option.group(1) == "考核年度"
    assert "(publicity." not in html
    # the value still filters
    assert "<b>状态</b>:进行中 → 已结账" in _page(client, users, model="publicity.assessmentyear")


def test_csv_export_uses_the_readable_text_and_keeps_the_stored_json(client, users, year):
    event = _close_year(year, users)
    client.force_login(users["auditor"])
    response = client.get(reverse("audit:log"), {"model": "publicity.assessmentyear", "export": "csv"})
    text = response.content.decode("utf-8-sig")
    assert "状态:进行中 → 已结账" in text and "closed" not in text
    event.refresh_from_db()
    assert event.changes == {"status": ["open", "closed"]}


def test_readable_page_query_count_does_not_grow_with_rows(client, users, year, units, django_assert_max_num_queries):
    client.force_login(users["auditor"])
    _close_year(year, users)

    def add(n):
        for i in range(n):
            AuditEvent.objects.create(
                action=AuditAction.UPDATE,
                model="publicity.piece",
                object_id=str(i),
                changes={
                    "year_id": [None, year.pk],
                    "unit_id": [units["a"].pk, units["b"].pk],
                    "status": ["draft", "approved"],
                },
            )

    add(2)
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("audit:log")).status_code == 200
    add(45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("audit:log")).content.decode()
    assert html.count("<b>年度</b>") >= 45


def test_unit_and_action_columns_do_not_wrap_and_table_scrolls():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text(encoding="utf-8")
    rule = re.search(r"table\.audit-log td\.col-unit, table\.audit-log td\.col-action[^{]*\{([^}]*)\}", css)
    assert rule and "white-space: nowrap" in rule.group(1)
    assert re.search(r"\.table-wrap\s*\{[^}]*overflow-x:\s*auto", css)
    template = (Path(settings.BASE_DIR) / "templates" / "audit" / "log.html").read_text(encoding="utf-8")
    assert '<div class="table-wrap">' in template and 'class="table audit-log"' in template
    assert 'class="col-unit"' in template and 'class="col-action"' in template

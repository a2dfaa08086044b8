"""Issue 13 item 4: edits made in the admin (and the bulk fill of the quota grid) that bypass the scoring
services still mark the year's stored scores stale, and the background re-score brings them back equal to a
full re-score, to the fen. Each edit is made through the real admin change form (its own POST data)."""

import pytest
from django.urls import reverse

from publicity.models import Indicator, OutletLevel, Topic, UnitTarget
from publicity.services import target_fill
from scoring.models import StoredUnitScore, StoredYear
from scoring.stored import rescore_year_task, stored_check, stored_refresh
from tests.conftest import login
from units.models import UnitKind


@pytest.fixture
def stored_year(year, units, make_piece):
    a, b = units["a"], units["b"]
    make_piece(a, "汉滨区就业工作综述", [("安康日报", "2011-06-10", "headline"), ("局网站", "2011-06-11")])
    make_piece(a, "汉滨区社保扩面", [("陕西日报", "2011-05-20")], topics=("就业创业",))
    make_piece(b, "旬阳县创业担保贷款", [("安康电视台", "2011-04-02")])
    stored_refresh(year)
    assert stored_check(year) == [] and not StoredYear.objects.get(year=year).stale
    return year


def form_data(response) -> dict:
    """What the admin change form would post back unchanged: its fields and its inlines' fields."""
    data: dict = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        for form in formset.forms:
            put(form)
    return data


def admin_edit(client, obj, **changes):
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = form_data(client.get(url))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


def caught_up(year):
    """Stale until the queued re-score runs; equal to a full re-score after it."""
    assert StoredYear.objects.get(year=year).stale
    assert rescore_year_task.call(year_id=year.pk) > 0
    assert not StoredYear.objects.get(year=year).stale
    assert stored_check(year) == []


def test_unit_kind_and_active_edited_in_the_admin(client, users, units, stored_year):
    login(client, users["bureau_admin"])
    admin_edit(client, units["b"], is_active=None)  # unticked: inactive (it stays ranked: it has an approved piece)
    caught_up(stored_year)
    admin_edit(client, units["dept"], name="办公室(综合科)", order="7")
    caught_up(stored_year)
    assert StoredUnitScore.objects.get(unit=units["dept"]).unit_name == "办公室(综合科)"


def test_indicator_and_target_edited_in_the_admin(client, users, units, stored_year):
    login(client, users["bureau_admin"])
    c1 = Indicator.objects.get(year=stored_year, code="C1", unit_kind=units["a"].kind)
    admin_edit(client, c1, default_target="3")
    caught_up(stored_year)
    assert [i.target for i in StoredUnitScore.objects.get(unit=units["b"]).indicators.all() if i.code == "C1"] == [3]
    target = UnitTarget.objects.create(indicator=c1, unit=units["a"], target=5)
    rescore_year_task.call(year_id=stored_year.pk)
    admin_edit(client, target, target="1")
    caught_up(stored_year)


def test_catalogue_rows_edited_in_the_admin(client, users, units, stored_year):
    login(client, users["bureau_admin"])
    kind = UnitKind.objects.get(pk=units["a"].kind_id)
    admin_edit(client, kind, name="县(区)人社局")
    caught_up(stored_year)
    assert StoredUnitScore.objects.get(unit=units["a"]).kind_name == "县(区)人社局"
    level = OutletLevel.objects.get(outlets__name="陕西日报")
    admin_edit(client, level, rank=str(level.rank + 10))
    caught_up(stored_year)


def test_deleting_a_topic_in_the_admin(client, users, stored_year):
    login(client, users["bureau_admin"])
    topic = Topic.objects.get(name="就业创业")
    url = reverse("admin:publicity_topic_delete", args=[topic.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    caught_up(stored_year)


def test_the_quota_grid_column_fill_marks_the_year(users, units, stored_year):
    c1 = Indicator.objects.get(year=stored_year, code="C1", unit_kind=units["a"].kind)
    assert target_fill(actor=users["bureau_admin"], indicator=c1, target=2) > 0
    caught_up(stored_year)
    assert {i.target for i in StoredUnitScore.objects.get(unit=units["a"]).indicators.all() if i.code == "C1"} == {2}

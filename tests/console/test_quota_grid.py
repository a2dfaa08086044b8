"""The quota grid (任务分解): edit in place, reset, fill a column, totals, download/upload; the kind guard at
every door (service, admin, import, database)."""

import io

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from publicity.models import Indicator, UnitTarget
from publicity.services import target_fill, target_set

from .conftest import count_queries

pytestmark = pytest.mark.django_db


def ind(year, kind, code):
    return Indicator.objects.get(year=year, unit_kind=kind, code=code)


@pytest.fixture
def c1(year, kinds):
    return ind(year, kinds["county"], "C1")


@pytest.fixture
def grid_url(year, kinds):
    return reverse("console:quota-grid", args=[year.year]) + f"?kind={kinds['county'].pk}"


# --- the kind guard at every door ------------------------------------------------------------------


def test_service_refuses_an_indicator_of_another_kind(users, units, c1):
    with pytest.raises(Exception) as exc:
        target_set(actor=users["bureau_admin"], unit=units["dept"], indicator=c1, target=3)
    assert "办公室" in str(exc.value) and "机关科室" in str(exc.value)
    assert not UnitTarget.objects.filter(unit=units["dept"]).exists()


def test_database_refuses_an_indicator_of_another_kind(units, c1):
    with pytest.raises(DatabaseError), transaction.atomic():
        UnitTarget.objects.create(unit=units["dept"], indicator=c1, target=3)
    target = UnitTarget.objects.create(unit=units["a"], indicator=c1, target=3)
    with pytest.raises(DatabaseError), transaction.atomic():
        UnitTarget.objects.filter(pk=target.pk).update(unit=units["dept"])
    assert UnitTarget.objects.get(pk=target.pk).unit == units["a"]


def test_admin_add_form_refuses_an_indicator_of_another_kind(admin_client, units, c1):
    url = reverse("admin:publicity_unittarget_add")
    response = admin_client.post(url, {"unit": units["dept"].pk, "indicator": c1.pk, "target": 3})
    assert response.status_code == 200
    assert "不能为它设任务" in response.content.decode()
    assert not UnitTarget.objects.exists()


def test_admin_writes_through_the_service(admin_client, units, c1):
    url = reverse("admin:publicity_unittarget_add")
    response = admin_client.post(url, {"unit": units["a"].pk, "indicator": c1.pk, "target": 45})
    assert response.status_code == 302
    assert UnitTarget.objects.get(unit=units["a"], indicator=c1).target == 45


def test_only_the_bureau_admin_sets_targets(users, units, c1):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        target_set(actor=users["reviewer"], unit=units["a"], indicator=c1, target=3)


# --- the page --------------------------------------------------------------------------------------


def test_grid_shows_targets_in_force_default_and_override(admin_client, grid_url, units, c1):
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=45)
    html = admin_client.get(grid_url).content.decode()
    assert f'name="t-{units["a"].pk}-{c1.pk}"' in html
    assert 'value="45"' in html and "单设" in html
    assert f'placeholder="{c1.default_target}"' in html and "默认" in html
    # Column total: 45 (override) + 40 (default) for the two county bureaus.
    assert f'data-total="{c1.pk}">{45 + c1.default_target}<' in html
    assert "办公室" not in html  # another kind's units are on another tab


@pytest.mark.parametrize("who", ["reviewer", "leader", "liaison_a", "auditor"])
def test_other_roles_get_403(client, users, grid_url, who):
    client.force_login(users[who])
    assert client.get(grid_url).status_code == 403


def test_edit_a_cell_in_place(admin_client, year, units, c1):
    url = reverse("console:quota-cell", args=[year.year])
    response = admin_client.post(url, {"unit": units["a"].pk, "indicator": c1.pk, "value": "50"})
    assert response.status_code == 200
    data = response.json()
    assert data["override"] is True and data["value"] == 50 and data["total"] == 50 + c1.default_target
    assert UnitTarget.objects.get(unit=units["a"], indicator=c1).target == 50
    assert AuditEvent.objects.filter(model="publicity.unittarget", action="create").exists()


def test_reset_a_cell_to_the_default(admin_client, year, units, c1):
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=50)
    url = reverse("console:quota-cell", args=[year.year])
    data = admin_client.post(url, {"unit": units["a"].pk, "indicator": c1.pk, "value": ""}).json()
    assert data["override"] is False and data["in_force"] == c1.default_target
    assert not UnitTarget.objects.filter(unit=units["a"]).exists()


@pytest.mark.parametrize("bad", ["-1", "3.5", "abc", "１２"])
def test_bad_cell_value_is_a_clear_error_and_nothing_changes(admin_client, year, units, c1, bad):
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=50)
    url = reverse("console:quota-cell", args=[year.year])
    response = admin_client.post(url, {"unit": units["a"].pk, "indicator": c1.pk, "value": bad})
    assert response.status_code == 400
    assert "须为不小于0的整数" in response.json()["error"]
    assert UnitTarget.objects.get(unit=units["a"], indicator=c1).target == 50


def test_a_typo_of_extra_digits_is_refused_at_every_door(admin_client, year, units, c1):
    """99,999,999,999 (a few 9s too many) was saved and overflowed PostgreSQL's integer column."""
    from publicity.imports import import_quotas
    from sheets.tabular import Sheet

    url = reverse("console:quota-cell", args=[year.year])
    response = admin_client.post(url, {"unit": units["a"].pk, "indicator": c1.pk, "value": "99999999999"})
    assert response.status_code == 400 and "太大:每项指标最多10000篇" in response.json()["error"]
    assert admin_client.post(url, {"unit": units["a"].pk, "indicator": c1.pk, "value": "10000"}).status_code == 200
    assert UnitTarget.objects.get().target == 10000
    sheet = Sheet(name="任务", rows=[["单位", "C1"], ["汉滨区人社局", 10001]])
    report = import_quotas([sheet], year=year)
    assert any("第2行" in str(e) and "任务数太大" in str(e) for e in report.errors), report.errors
    assert UnitTarget.objects.get().target == 10000
    c1.default_target = 20000
    with pytest.raises(Exception, match="任务数太大"):
        c1.full_clean()


def test_cell_of_another_kind_is_refused(admin_client, year, units, c1):
    url = reverse("console:quota-cell", args=[year.year])
    response = admin_client.post(url, {"unit": units["dept"].pk, "indicator": c1.pk, "value": "3"})
    assert response.status_code == 400 and "不能为它设任务" in response.json()["error"]
    assert not UnitTarget.objects.exists()


def test_frozen_year_refuses_edits(admin_client, year, units, c1):
    year.status = "closed"
    year.save()
    url = reverse("console:quota-cell", args=[year.year])
    response = admin_client.post(url, {"unit": units["a"].pk, "indicator": c1.pk, "value": "3"})
    assert response.status_code == 400 and "已结账" in response.json()["error"]
    assert not UnitTarget.objects.exists()


def test_save_page_without_script(admin_client, grid_url, units, c1, kinds, year):
    r = ind(year, kinds["county"], "R")
    response = admin_client.post(
        grid_url,
        {
            "action": "save",
            "kind": kinds["county"].pk,
            f"t-{units['a'].pk}-{c1.pk}": "41",
            f"t-{units['b'].pk}-{c1.pk}": "",
            f"t-{units['a'].pk}-{r.pk}": "",
        },
    )
    assert response.status_code == 302
    assert list(UnitTarget.objects.values_list("unit__name", "target")) == [("汉滨区人社局", 41)]


def test_save_page_is_all_or_nothing(admin_client, grid_url, units, c1, kinds):
    response = admin_client.post(
        grid_url,
        {
            "action": "save",
            "kind": kinds["county"].pk,
            f"t-{units['a'].pk}-{c1.pk}": "41",
            f"t-{units['b'].pk}-{c1.pk}": "x",
        },
    )
    assert response.status_code == 400
    assert "旬阳县人社局 C1" in response.content.decode()
    assert not UnitTarget.objects.exists()


def test_fill_a_column_and_reset_it(admin_client, grid_url, units, c1, kinds, more_units):
    more_units(3)
    response = admin_client.post(
        grid_url, {"action": "fill", "kind": kinds["county"].pk, "indicator": c1.pk, "value": "30"}
    )
    assert response.status_code == 302
    assert set(UnitTarget.objects.filter(indicator=c1).values_list("target", flat=True)) == {30}
    assert UnitTarget.objects.filter(indicator=c1).count() == 5
    assert AuditEvent.objects.filter(model="publicity.unittarget", action="create").count() >= 5
    admin_client.post(grid_url, {"action": "fill", "kind": kinds["county"].pk, "indicator": c1.pk, "value": ""})
    assert not UnitTarget.objects.filter(indicator=c1).exists()
    assert AuditEvent.objects.filter(model="publicity.unittarget", action="delete").count() == 5


def test_fill_service_refuses_units_of_another_kind(users, units, c1):
    with pytest.raises(Exception, match="不能为它设任务"):
        target_fill(actor=users["bureau_admin"], indicator=c1, target=3, units=[units["dept"]])


def test_grid_queries_do_not_grow_with_units(admin_client, grid_url, units, more_units):
    few = count_queries(lambda: admin_client.get(grid_url))
    more_units(60)
    many = count_queries(lambda: admin_client.get(grid_url))
    assert few == many


# --- the allocation table --------------------------------------------------------------------------


def test_download_is_the_allocation_table(admin_client, year, units, c1):
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=45)
    response = admin_client.get(reverse("console:quota-download", args=[year.year]))
    assert response.status_code == 200
    assert "%E4%BB%BB%E5%8A%A1%E5%88%86%E8%A7%A3%E8%A1%A8-2011.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["任务分解表"].values)
    header = rows[0]
    assert header[:2] == ("单位", "单位类型") and "C1" in header
    row_a = next(r for r in rows if r[0] == "汉滨区人社局")
    assert row_a[header.index("C1")] == 45
    row_b = next(r for r in rows if r[0] == "旬阳县人社局")
    assert row_b[header.index("C1")] is None  # blank = the default
    assert ("县区人社局", "C1", c1.name, c1.default_target) in list(book["默认任务数"].values)


def _xlsx(rows):
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "quotas.xlsx"
    return out


def test_upload_previews_then_writes_on_confirmation(admin_client, year, units, c1):
    url = reverse("console:quota-upload", args=[year.year])
    response = admin_client.post(url, {"file": _xlsx([["单位", "C1"], ["汉滨区人社局", 45]])})
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认导入" in html and "汉滨区人社局 C1" in html
    assert not UnitTarget.objects.exists()  # a preview writes nothing
    token = response.context["token"]
    response = admin_client.post(url, {"token": token})
    assert response.status_code == 302
    assert UnitTarget.objects.get(unit=units["a"], indicator=c1).target == 45


def test_upload_with_errors_writes_nothing(admin_client, year, units, c1):
    url = reverse("console:quota-upload", args=[year.year])
    response = admin_client.post(url, {"file": _xlsx([["单位", "C1", "D1"], ["汉滨区人社局", 45, 3]])})
    assert response.status_code == 400
    html = response.content.decode()
    assert "没有此指标" in html and "确认导入" not in html
    assert not UnitTarget.objects.exists()


def test_upload_token_of_another_user_is_refused(admin_client, year, users):
    url = reverse("console:quota-upload", args=[year.year])
    response = admin_client.post(url, {"token": f"{users['bureau_admin'].pk + 1}-{'0' * 32}"})
    assert response.status_code == 302
    assert not UnitTarget.objects.exists()


def test_downloaded_table_goes_back_in_unchanged(admin_client, year, units, c1):
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=45)
    data = admin_client.get(reverse("console:quota-download", args=[year.year])).content
    upload = io.BytesIO(data)
    upload.name = "back.xlsx"
    response = admin_client.post(reverse("console:quota-upload", args=[year.year]), {"file": upload})
    assert response.status_code == 200
    assert response.context["changes"] == []


# --- changing a unit's kind is a door too -----------------------------------------------------------


def _unit_form(unit, **changes):
    data = {
        "name": unit.name,
        "aliases": unit.aliases,
        "kind": unit.kind_id,
        "parent": "",
        "head_name": "",
        "liaison_name": "",
        "phone": "",
        "order": unit.order,
        "is_active": "on",
    }
    return data | changes


def test_admin_refuses_a_kind_change_that_would_orphan_targets(admin_client, units, kinds, c1, year):
    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=5)
    url = reverse("admin:units_unit_change", args=[units["a"].pk])
    response = admin_client.post(url, _unit_form(units["a"], kind=kinds["dept"].pk))
    page = response.content.decode()
    assert response.status_code == 200 and "按原类型下达的任务数" in page and "C1" in page and "2011" in page
    units["a"].refresh_from_db()
    assert units["a"].kind == kinds["county"]
    # once the override is reset to the default, the unit may change kind
    UnitTarget.objects.filter(unit=units["a"]).delete()
    assert admin_client.post(url, _unit_form(units["a"], kind=kinds["dept"].pk)).status_code == 302
    units["a"].refresh_from_db()
    assert units["a"].kind == kinds["dept"]


def test_closed_year_targets_do_not_block_a_kind_change(admin_client, units, kinds, c1, year):
    from publicity.models import AssessmentYear

    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=5)
    AssessmentYear.objects.filter(pk=year.pk).update(status="closed")
    url = reverse("admin:units_unit_change", args=[units["a"].pk])
    assert admin_client.post(url, _unit_form(units["a"], kind=kinds["dept"].pk)).status_code == 302


def test_database_refuses_a_kind_change_that_would_orphan_targets(units, kinds, c1):
    from units.models import Unit

    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=5)
    with pytest.raises(DatabaseError), transaction.atomic():
        Unit.objects.filter(pk=units["a"].pk).update(kind=kinds["dept"])
    assert Unit.objects.get(pk=units["a"].pk).kind == kinds["county"]
    # other edits of the unit, and units without such targets, are untouched by the guard
    Unit.objects.filter(pk=units["a"].pk).update(order=9)
    Unit.objects.filter(pk=units["b"].pk).update(kind=kinds["dept"])
    assert Unit.objects.get(pk=units["b"].pk).kind == kinds["dept"]


def test_unit_import_refuses_the_kind_change_by_row(units, kinds, c1):
    from publicity.unit_imports import import_units
    from sheets.tabular import Sheet

    UnitTarget.objects.create(unit=units["a"], indicator=c1, target=5)
    sheet = Sheet(
        name="单位", rows=[["单位名称", "单位类型"], ["旬阳县人社局", "县区人社局"], ["汉滨区人社局", "机关科室"]]
    )
    report = import_units([sheet])
    text = "\n".join(str(e) for e in report.errors)
    assert "第3行" in text and "按原类型下达的任务数" in text
    units["a"].refresh_from_db()
    assert units["a"].kind == kinds["county"]

"""manage.py import_quotas: the allocation table (任务分解表)."""

import pytest

from publicity.models import Indicator, UnitTarget

from .conftest import counts, failing, run

pytestmark = pytest.mark.django_db


def targets():
    return {(t.unit.name, t.indicator.code): t.target for t in UnitTarget.objects.select_related("unit", "indicator")}


def test_codes_and_names_as_headers_each_unit_gets_its_kinds_indicator(xlsx, units):
    # "R" is an indicator of every kind: each unit gets its own kind's R.
    path = xlsx(
        ["单位", "C1", "专题调研文章", "A1", "D1"],
        [["汉滨区人社局", 45, 5, None, None], ["市技工学校", None, 2, 16, None], ["办公室", "", 1, "", 3]],
    )
    out, _ = run("import_quotas", path, "--year", "2011")
    assert targets() == {
        ("汉滨区人社局", "C1"): 45,
        ("汉滨区人社局", "R"): 5,
        ("市技工学校", "R"): 2,
        ("市技工学校", "A1"): 16,
        ("办公室", "R"): 1,
        ("办公室", "D1"): 3,
    }
    r_of_school = UnitTarget.objects.get(unit__name="市技工学校", indicator__code="R")
    assert r_of_school.indicator.unit_kind.name == "局属单位"
    assert "新增6条" in out


def test_unit_matched_by_alias(xlsx, units):
    units["a"].aliases = "汉滨区局、汉滨"
    units["a"].save()
    run("import_quotas", xlsx(["单位", "C1"], [["汉滨", 41]]), "--year", "2011")
    assert targets() == {("汉滨区人社局", "C1"): 41}


def test_blank_cell_removes_an_existing_target_so_the_default_applies(xlsx, units):
    run("import_quotas", xlsx(["单位", "C1", "R"], [["汉滨区人社局", 45, 5]]), "--year", "2011")
    out, _ = run("import_quotas", xlsx(["单位", "C1", "R"], [["汉滨区人社局", None, 5]]), "--year", "2011")
    assert targets() == {("汉滨区人社局", "R"): 5}
    assert "删除1条" in out
    assert Indicator.objects.get(code="C1").default_target == 40  # what now applies


def test_reimport_is_idempotent_and_a_changed_number_updates(xlsx, units):
    path = xlsx(["单位", "C1", "R"], [["汉滨区人社局", 45, 5]])
    run("import_quotas", path, "--year", "2011")
    before = counts()
    out, _ = run("import_quotas", path, "--year", "2011")
    assert counts() == before and "无变化2条" in out
    run("import_quotas", xlsx(["单位", "C1", "R"], [["汉滨区人社局", 50, 5]]), "--year", "2011")
    assert targets()[("汉滨区人社局", "C1")] == 50 and counts() == before


def test_dry_run_writes_nothing(xlsx, units):
    out, _ = run("import_quotas", xlsx(["单位", "C1"], [["汉滨区人社局", 45]]), "--year", "2011", "--dry-run")
    assert UnitTarget.objects.count() == 0
    assert "将新增1条" in out


@pytest.mark.parametrize(
    "headers, row, message",
    [
        (["单位", "C1"], ["汉滨区", 45], "第3行「单位」列:“汉滨区”不是已登记的单位名称或简称"),
        (["单位", "C1"], ["旬阳县人社局", 4.5], "第3行「C1」列:“4.5”不是整数"),
        (["单位", "C1"], ["旬阳县人社局", -1], "第3行「C1」列:“-1”不能小于0"),
        (["单位", "C1"], ["旬阳县人社局", "四十"], "第3行「C1」列:“四十”不是整数"),
        (
            ["单位", "A1"],
            ["旬阳县人社局", 3],
            "第3行「A1」列:“3”单位“旬阳县人社局”属于县区人社局,没有此指标,该格应留空",
        ),
        (["单位", "X9"], ["旬阳县人社局", 3], "第1行「X9」列:“X9”不是2011年度的指标代码或名称"),
        (["单位", "C1"], ["汉滨区人社局", 1], "第3行「单位」列:“汉滨区人社局”与第2行是同一单位"),
    ],
)
def test_bad_row_writes_nothing(xlsx, units, headers, row, message):
    path = xlsx(headers, [["汉滨区人社局", 45] if headers[1] == "C1" else ["汉滨区人社局", None], row])
    said = failing("import_quotas", path, "--year", "2011")
    assert message in said
    assert UnitTarget.objects.count() == 0


def test_closed_year_refuses(xlsx, units, preset):
    preset.status = "closed"
    preset.save()
    said = failing("import_quotas", xlsx(["单位", "C1"], [["汉滨区人社局", 45]]), "--year", "2011")
    assert "已结账" in said
    assert UnitTarget.objects.count() == 0


def test_unknown_year(xlsx, units):
    assert "2030年度不存在" in failing("import_quotas", xlsx(["单位", "C1"], []), "--year", "2030")


def test_ignored_columns_like_serial_number_and_kind(xlsx, units):
    run(
        "import_quotas",
        xlsx(["序号", "单位", "单位类型", "C1"], [[1, "汉滨区人社局", "县区人社局", 42]]),
        "--year",
        "2011",
    )
    assert targets() == {("汉滨区人社局", "C1"): 42}

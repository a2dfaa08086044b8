"""manage.py import_units: the unit roster."""

import pytest

from units.models import Unit

from .conftest import UNIT_HEADERS, counts, failing, run

pytestmark = pytest.mark.django_db

ROSTER = [
    ["汉滨区人社局", "县区人社局", "", "王局长", "李四", "0915-1234567"],
    ["办公室", "机关科室", "", "", "张三", ""],
    ["市社保中心", "局属单位", "市就业局", "", "赵六", ""],  # parent defined further down
    ["市就业局", "局属单位", "", "", "", ""],
]


def test_happy_path_creates_units_with_kind_parent_and_people(xlsx, kinds):
    out, _ = run("import_units", xlsx(UNIT_HEADERS, ROSTER))
    assert "新增4条" in out
    hb = Unit.objects.get(name="汉滨区人社局")
    assert (hb.kind.name, hb.head_name, hb.liaison_name, hb.phone) == ("县区人社局", "王局长", "李四", "0915-1234567")
    assert Unit.objects.get(name="市社保中心").parent == Unit.objects.get(name="市就业局")
    assert Unit.objects.get(name="办公室").kind.name == "机关科室"


def test_reimport_updates_by_name_without_duplicates(xlsx, kinds):
    path = xlsx(UNIT_HEADERS, ROSTER)
    run("import_units", path)
    before = counts()
    out, _ = run("import_units", path)
    assert counts() == before
    assert "无变化4条" in out
    changed = [list(r) for r in ROSTER]
    changed[1][4] = "张三丰"
    out, _ = run("import_units", xlsx(UNIT_HEADERS, changed))
    assert counts() == before
    assert Unit.objects.get(name="办公室").liaison_name == "张三丰"
    assert "更新1条" in out


def test_dry_run_writes_nothing_and_says_what_would_happen(xlsx, kinds):
    out, _ = run("import_units", xlsx(UNIT_HEADERS, ROSTER), "--dry-run")
    assert Unit.objects.count() == 0
    assert "试运行" in out and "将新增4条" in out
    assert "第2行 新增:汉滨区人社局" in out


@pytest.mark.parametrize(
    "row, message",
    [
        (["某单位", "乡镇", "", "", "", ""], "第3行「单位类型」列:“乡镇”不是已登记的单位类型"),
        (
            ["某单位", "机关科室", "不存在的局", "", "", ""],
            "第3行「上级单位」列:“不存在的局”不是已登记的单位,也不在本表中",
        ),
        (["", "机关科室", "", "", "", ""], "第3行「单位名称」列:单位名称不能为空"),
        (["汉滨区人社局", "县区人社局", "", "", "", ""], "第3行「单位名称」列:“汉滨区人社局”与第2行的单位重复"),
        (["某单位", "机关科室", "某单位", "", "", ""], "第3行「上级单位」列:“某单位”上级单位不能是本单位"),
        (["某单位", "机关科室", "", "", "", "0" * 31], "第3行「联系电话」列"),
    ],
)
def test_bad_row_writes_nothing_and_names_row_and_column(xlsx, kinds, row, message):
    path = xlsx(UNIT_HEADERS, [ROSTER[0], row])
    said = failing("import_units", path)
    assert message in said
    assert "未写入任何数据" in said
    assert Unit.objects.count() == 0  # the good first row was not written either


def test_every_error_is_reported_not_only_the_first(xlsx, kinds):
    said = failing("import_units", xlsx(UNIT_HEADERS, [["甲", "乡镇"], ["乙", "村"]]))
    assert "第2行「单位类型」列:“乡镇”" in said and "第3行「单位类型」列:“村”" in said


def test_parent_cycle_is_an_error(xlsx, kinds):
    rows = [["甲局", "局属单位", "乙局"], ["乙局", "局属单位", "甲局"]]
    said = failing("import_units", xlsx(UNIT_HEADERS[:3], rows))
    assert "循环" in said
    assert Unit.objects.count() == 0


def test_header_below_a_title_row_and_row_numbers_as_excel_shows(xlsx, kinds):
    path = xlsx(UNIT_HEADERS, [["甲局", "乡镇"]], above=[["2011年度单位名单"], []])
    said = failing("import_units", path)
    assert "第4行「单位类型」列" in said


def test_missing_required_column_is_reported(xlsx, kinds):
    said = failing("import_units", xlsx(["单位名称", "负责人"], [["甲局", "王"]]))
    assert "「单位类型」" in said


def test_file_too_big_is_refused(xlsx, kinds, settings):
    settings.IMPORT_MAX_BYTES = 1000
    said = failing("import_units", xlsx(UNIT_HEADERS, ROSTER * 20))
    assert "超过导入上限" in said


def test_not_an_excel_file(tmp_path, kinds):
    path = tmp_path / "x.xlsx"
    path.write_text("单位名称,单位类型\n")
    assert "无法读取" in failing("import_units", str(path))


def test_absent_optional_column_keeps_the_value(xlsx, kinds):
    run("import_units", xlsx(UNIT_HEADERS, ROSTER))
    run("import_units", xlsx(["单位名称", "单位类型"], [["汉滨区人社局", "县区人社局"]]))
    assert Unit.objects.get(name="汉滨区人社局").liaison_name == "李四"


def test_zip_bomb_is_refused_before_parsing(xlsx, kinds, settings):
    path = xlsx(UNIT_HEADERS, [["甲" * 30000, "县区人社局"] for _ in range(40)])
    import os

    settings.IMPORT_MAX_BYTES = os.path.getsize(path) + 1  # passes the upload cap, inflates far beyond it
    said = failing("import_units", path)
    assert "解压后" in said
    assert Unit.objects.count() == 0


def test_command_exit_status_is_non_zero_on_error(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "manage.py", "import_units", str(tmp_path / "missing.xlsx")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "找不到文件" in done.stderr

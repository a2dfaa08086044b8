"""The sample tables in fixtures/samples import cleanly on top of the 2011 preset (README's example)."""

from pathlib import Path

import pytest

from publicity.models import Piece, PieceStatus, Publication, UnitTarget
from units.models import Unit

from .conftest import counts, run

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def test_samples_import_on_the_preset_and_reimport_unchanged(preset):
    run("import_units", str(SAMPLES / "units_2011.xlsx"))
    run("import_quotas", str(SAMPLES / "quotas_2011.xlsx"), "--year", "2011")
    run("import_pieces", str(SAMPLES / "pieces_2011.xlsx"), "--year", "2011", "--approve")
    assert Unit.objects.count() == 8
    assert Unit.objects.get(name="市社保中心汉滨分中心").parent.name == "市社保中心"
    assert UnitTarget.objects.get(unit__name="紫阳县人社局", indicator__code="C1").target == 38
    assert not UnitTarget.objects.filter(unit__name="紫阳县人社局", indicator__code="R").exists()
    assert Piece.objects.count() == 15 and Publication.objects.count() == 18
    assert set(Piece.objects.values_list("status", flat=True)) == {PieceStatus.APPROVED}
    assert Piece.objects.get(title="汉滨区城镇新增就业突破万人").publications.count() == 3
    before = counts()
    for args in (
        ("import_units", str(SAMPLES / "units_2011.xlsx")),
        ("import_quotas", str(SAMPLES / "quotas_2011.xlsx"), "--year", "2011"),
        ("import_pieces", str(SAMPLES / "pieces_2011.xlsx"), "--year", "2011"),
    ):
        out, _ = run(*args)
        assert "无变化" in out and "新增" not in out and "更新" not in out
    assert counts() == before


def test_sample_script_writes_the_same_tables(tmp_path, monkeypatch):
    import importlib.util

    import openpyxl

    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    for name in ("units_2011.xlsx", "quotas_2011.xlsx", "pieces_2011.xlsx"):
        fresh = [list(r) for r in openpyxl.load_workbook(tmp_path / name).active.iter_rows(values_only=True)]
        kept = [list(r) for r in openpyxl.load_workbook(SAMPLES / name).active.iter_rows(values_only=True)]
        assert fresh == kept, f"{name} is stale: run python fixtures/samples/make_samples.py"

"""manage.py read_evidence FILE… [--json]: fields and text per file, catalogue from the database."""

import json

import pytest
from django.core.management import CommandError, call_command

from proof import engine
from proof.engine import Line
from tests.proof.test_engine import _text_pdf


class FakeOcr:
    name = "fake-ocr 1"

    def read_image(self, image):
        return [
            Line("安康日报", 300, 40, 240, 65),
            Line("2011年3月5日 星期六 第1版", 40, 120, 400, 30),
            Line("我市人社系统扎实推进就业再就业工作", 60, 170, 620, 40),
            Line("本报讯 今年以来,市人社局围绕稳就业目标,积极开展春风行动。", 40, 240, 650, 27),
        ]


@pytest.fixture
def fake_ocr():
    engine.set_engine(FakeOcr())
    yield
    engine.set_engine(None)


@pytest.fixture
def jpeg(tmp_path):
    from PIL import Image

    path = tmp_path / "clip.jpg"
    Image.new("RGB", (200, 100), "white").save(path, format="JPEG")
    return path


def test_prints_fields_and_text(db, preset, fake_ocr, jpeg, capsys):
    call_command("read_evidence", str(jpeg))
    out = capsys.readouterr().out
    assert "引擎:fake-ocr 1(OCR" in out
    assert "媒体:安康日报(据报头“安康日报”)" in out
    assert "标题:我市人社系统扎实推进就业再就业工作" in out
    assert "日期:2011-03-05(“2011年3月5日”,星期相符)" in out
    assert "版面:第1版 → 头版头条" in out
    assert "本报讯 今年以来" in out  # the text read follows the fields


def test_json_for_scripts_and_a_bad_file_fails_the_run(db, preset, fake_ocr, jpeg, tmp_path, capsys):
    from proof.samples import font_path

    pdf = tmp_path / "page.pdf"
    if font_path():
        pdf.write_bytes(_text_pdf())
    else:
        pdf.write_bytes(b"%PDF-1.4 broken")
    bad = tmp_path / "notes.txt"
    bad.write_text("not a proof")
    with pytest.raises(CommandError) as exc:
        call_command("read_evidence", str(jpeg), str(pdf), str(bad), str(tmp_path / "missing.png"), "--json")
    assert exc.value.returncode == 1
    assert "2 个文件未能识别" in str(exc.value)
    items = json.loads(capsys.readouterr().out)
    assert [i["file"] for i in items] == [str(jpeg), str(pdf), str(bad), str(tmp_path / "missing.png")]
    assert items[0]["fields"]["outlet"] == "安康日报" and items[0]["fields"]["placement"] == "headline"
    if font_path():
        assert items[1]["source"] == "pdf-text"
        assert items[1]["fields"]["title"] == "全省人社工作会议在西安召开"
    assert "不是 JPEG" in items[2]["error"]
    assert items[3]["error"] == "文件不存在"


def test_without_an_engine_an_image_is_reported_not_crashed(db, preset, jpeg, monkeypatch, capsys):
    engine.set_engine(None)
    monkeypatch.setenv("PROOF_OCR", "off")
    with pytest.raises(CommandError):
        call_command("read_evidence", str(jpeg))
    assert "识别引擎已关闭" in capsys.readouterr().out

"""Item 8 of issue 11: control characters are refused at every input door and stripped by every writer."""

import pytest
from django.core.exceptions import ValidationError

from units.validators import find_control_char, reject_control_chars, reject_control_chars_in, strip_control_chars


@pytest.mark.parametrize("char", [chr(c) for c in [*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20)]])
def test_every_c0_control_but_tab_and_line_breaks_is_refused(char):
    with pytest.raises(ValidationError) as exc:
        reject_control_chars(f"标题{char}尾", label="标题")
    assert "标题" in exc.value.messages[0] and f"U+{ord(char):04X}" in exc.value.messages[0]


@pytest.mark.parametrize("text", ["普通标题", "第一行\r\n第二行", "a\tb", "", "=HYPERLINK()", "emoji 😀"])
def test_ordinary_text_passes(text):
    reject_control_chars(text)
    assert find_control_char(text) is None
    assert strip_control_chars(text) == text


def test_strip_matches_what_openpyxl_refuses():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    every = "".join(chr(c) for c in range(0, 0x80))
    stripped = strip_control_chars(every)
    assert not ILLEGAL_CHARACTERS_RE.search(stripped)
    assert "\t" in stripped and "\n" in stripped and "\r" in stripped
    assert strip_control_chars(42) == 42


def test_dict_check_names_each_field():
    with pytest.raises(ValidationError) as exc:
        reject_control_chars_in({"title": "a\x01", "authors": ["张三", "李\x02四"], "page": "ok"})
    assert set(exc.value.message_dict) == {"title", "authors"}

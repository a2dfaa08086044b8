"""The formula-injection guard (OWASP): pure, no database."""

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from reports.cells import safe_text, set_safe_value


@pytest.mark.parametrize("text", ["=1+1", '=HYPERLINK("http://x","y")', "+86 123", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_dangerous_text_gets_a_quote(text):
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("value", ["汉滨区人社局", "a=b", "", None, 5, Decimal("-1.50"), dt.date(2011, 1, 1), -3])
def test_other_values_pass_unchanged(value):
    assert safe_text(value) == value


def test_cell_is_an_inert_string():
    ws = Workbook().active
    set_safe_value(ws["A1"], "=1+1")
    set_safe_value(ws["A2"], Decimal("-12.50"))
    assert ws["A1"].data_type == "s" and ws["A1"].value == "'=1+1"
    assert ws["A2"].data_type == "n" and ws["A2"].value == Decimal("-12.50")

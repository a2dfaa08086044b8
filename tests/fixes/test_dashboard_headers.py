"""Item 11: dashboard headers show the indicator code (full name as a tooltip) and a legend names them."""

import re

from django.urls import reverse

from publicity.models import Indicator


def test_headers_are_codes_with_tooltip_and_legend(client, users, units, make_piece, year):
    make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-03-05")])
    client.force_login(users["leader"])
    page = client.get(reverse("publicity:dashboard")).content.decode()
    c1 = Indicator.objects.get(year=year, code="C1")
    assert len(c1.name) > 10  # long enough to have been cut off
    headers = re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)
    assert f'<button type="button" data-sort><abbr title="{c1.name}">C1</abbr></button>' in headers
    assert not any("…" in h for h in headers)
    legend = re.search(r'<dl class="legend small">(.*?)</dl>', page, re.S).group(1)
    assert f"<dt>C1</dt><dd>{c1.name}</dd>" in legend

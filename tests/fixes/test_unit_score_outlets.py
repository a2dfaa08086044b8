"""Item 6: a piece that earned nothing (no reward rule matched) still shows where it was published."""

import re

from django.urls import reverse

from scoring.services import year_close


def rewards_row(html: str, title: str) -> str:
    table = html[html.index('id="rewards"') :]
    return re.search(r"<tr>\s*<td><a [^>]*>" + re.escape(title) + r"</a></td>(.*?)</tr>", table, re.S).group(1)


def test_unmatched_piece_shows_its_outlets(as_user, users, units, make_piece, year):
    make_piece(units["a"], "信息稿", [("安康日报", "2011-03-01"), ("陕西日报", "2011-03-09")], kind="info")
    make_piece(units["a"], "党报稿", [("安康日报", "2011-03-02")])
    client = as_user(users["reviewer"])
    url = reverse("scoring:unit-score", args=[2011, units["a"].pk])
    html = client.get(url).content.decode()
    row = rewards_row(html, "信息稿")
    assert "安康日报、陕西日报" in row and "无匹配奖励规则" in row and "—" not in row.split("</td>")[0]
    assert "无匹配奖励规则" not in rewards_row(html, "党报稿")
    indicator_item = re.search(r"<li><a [^>]*>信息稿</a>(.*?)</li>", html, re.S).group(1)
    assert "安康日报、陕西日报" in indicator_item and "无匹配奖励规则" in indicator_item

    # the same from the stored results of a closed year
    year_close(actor=users["bureau_admin"], year=year)
    row = rewards_row(client.get(url).content.decode(), "信息稿")
    assert "安康日报、陕西日报" in row and "无匹配奖励规则" in row

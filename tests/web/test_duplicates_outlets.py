"""Duplicate detection and outlet lookup (pure matching + the JSON endpoint)."""

import pytest
from django.urls import reverse

from publicity.duplicates import find_duplicates, normalise_title, title_ratio
from publicity.models import Publication
from publicity.outlets import OutletIndex, host_of


def test_normalise_and_ratio():
    assert normalise_title("关于“春风行动”的 报道!") == normalise_title("关于春风行动的报道")
    assert title_ratio("汉滨区开展春风行动专场招聘会", "汉滨区开展春风行动专场招聘会(图)") >= 0.9
    assert title_ratio("汉滨区开展春风行动专场招聘会", "旬阳县召开社会保险扩面工作会议") < 0.9
    assert title_ratio("", "x") == 0.0


def test_find_duplicates_same_year_only(units, make_piece, year):
    a = make_piece(units["a"], "汉滨区开展春风行动专场招聘会", [("安康日报", "2011-03-05")])
    Publication.objects.filter(piece=a).update(url="https://www.akxw.cn/news/1.html")
    found = find_duplicates(year_id=year.pk, title="汉滨区开展“春风行动”专场招聘会", urls=[])
    assert [d.piece_id for d in found] == [a.pk] and found[0].reason == "标题相同"
    found = find_duplicates(year_id=year.pk, title="另一个标题", urls=["https://www.akxw.cn/news/1.html/"])
    assert [d.reason for d in found] == ["链接相同"]
    assert find_duplicates(year_id=year.pk, title=a.title, urls=[], exclude_piece_id=a.pk) == []
    assert find_duplicates(year_id=year.pk + 1, title=a.title, urls=[]) == []


def test_find_duplicates_is_two_queries(units, make_piece, year, django_assert_num_queries):
    make_piece(units["a"], "某稿件", [("安康日报", "2011-03-05")])
    with django_assert_num_queries(2):
        find_duplicates(year_id=year.pk, title="某稿件", urls=["https://x.cn/1"])


@pytest.mark.parametrize(
    "text,expected",
    [
        ("安康日报", "安康日报"),
        ("安康日报社", "安康日报"),
        ("《中国人才》", "中国人才"),
        ("CCTV", "中央电视台"),
        ("http://www.people.com.cn/n/2011/a.html", "人民网"),
        ("https://rst.shaanxi.gov.cn/x", "陕西省人社厅网站"),  # the longest domain wins
        ("www.shaanxi.gov.cn", "陕西省政府网站"),
        ("不存在的报纸", None),
    ],
)
def test_outlet_resolve(preset, text, expected):
    found = OutletIndex.load().resolve(text)
    assert (found.name if found else None) == expected


def test_host_of():
    assert host_of("HTTPS://WWW.Akxw.cn/a?b") == "www.akxw.cn"
    assert host_of("akxw.cn/x") == "akxw.cn"
    assert host_of("") == ""


def test_outlet_search_endpoint(client, users):
    client.force_login(users["liaison_a"])
    url = reverse("publicity:outlet-search")
    data = client.get(url, {"q": "安康"}).json()["results"]
    names = [r["name"] for r in data]
    assert "安康日报" in names and "安康电视台" in names and len(names) <= 10
    assert data[0]["level"] and data[0]["category"]
    assert [r["name"] for r in client.get(url, {"q": "qq.com"}).json()["results"]] == ["腾讯"]
    assert client.get(url, {"url": "https://news.sina.com.cn/c/1.shtml"}).json()["results"][0]["name"] == "新浪"
    assert client.get(url, {"url": "https://example.org/"}).json()["results"] == []
    client.force_login(users["leader"])
    assert client.get(url, {"q": "安康"}).status_code == 403

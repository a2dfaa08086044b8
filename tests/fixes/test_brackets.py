"""Item 12: the report pages use the same half-width brackets as the rest of the interface."""

from django.urls import reverse


def test_report_pages_use_half_width_brackets(client, users, units, make_piece, year):
    make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-03-05")])
    client.force_login(users["bureau_admin"])
    for url in ("/r/2011/", "/r/2011/certificates/", "/r/2011/circular/?month=6", reverse("reports:index")):
        html = client.get(url).content.decode()
        assert "（" not in html and "）" not in html, url
    year_page = client.get("/r/2011/").content.decode()
    assert "奖励(元)" in year_page
    assert "分)" in client.get("/r/2011/certificates/").content.decode()

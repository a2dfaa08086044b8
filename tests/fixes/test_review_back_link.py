"""Item 14: a piece opened from the review queue links back to the queue (with its filters)."""

import re

from django.urls import reverse

QUEUE = reverse("publicity:review-queue")


def test_piece_opened_from_queue_links_back_to_queue(client, users, units, make_piece):
    piece = make_piece(units["a"], "待审稿件", [("安康日报", "2011-03-05")], status="submitted")
    client.force_login(users["reviewer"])
    queue = client.get(QUEUE + f"?unit={units['a'].pk}").content.decode()
    link = re.search(rf'href="(/p/pieces/{piece.pk}/\?from=review[^"]*)"', queue).group(1).replace("&amp;", "&")
    html = client.get(link).content.decode()
    assert f'<a href="{QUEUE}?unit={units["a"].pk}">← 审核队列</a>' in html
    assert "汉滨区人社局的稿件" not in html

    # opened another way: the unit's pieces, as before
    plain = client.get(reverse("publicity:piece-detail", args=[piece.pk])).content.decode()
    assert "← 汉滨区人社局的稿件" in plain and "← 审核队列" not in plain


def test_back_parameter_cannot_point_elsewhere(client, users, units, make_piece):
    piece = make_piece(units["a"], "待审稿件", [("安康日报", "2011-03-05")], status="submitted")
    client.force_login(users["reviewer"])
    url = reverse("publicity:piece-detail", args=[piece.pk])
    html = client.get(url + "?from=review&back=https://evil.example/").content.decode()
    assert f'<a href="{QUEUE}">← 审核队列</a>' in html and "evil.example" not in html.split("<h1>")[0]
    # a liaison is not sent to a queue they cannot open
    client.force_login(users["liaison_a"])
    assert "← 审核队列" not in client.get(url + "?from=review").content.decode()

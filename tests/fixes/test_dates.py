"""Item 1: dates reach <input type="date"> as 2011-05-10 (not the zh-hans 2011/05/10) and survive an edit."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from publicity.models import Piece, PieceStatus

from .conftest import form_values


def test_edit_page_shows_saved_dates_iso_and_unchanged_form_saves(as_user, users, units, make_piece):
    piece = make_piece(
        units["a"], "汉滨区就业培训", [("安康日报", "2011-05-10"), ("陕西日报", "2011-05-12")], status="submitted"
    )
    client = as_user(users["liaison_a"])
    page = client.get(reverse("publicity:piece-edit", args=[piece.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="2011-05-10"' in html and 'value="2011-05-12"' in html
    assert "2011/05/10" not in html

    data = form_values(html, "piece-form")
    data["action"] = ["save"]
    saved = client.post(reverse("publicity:piece-edit", args=[piece.pk]), data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    dates = sorted(Piece.objects.get(pk=piece.pk).publications.values_list("date", flat=True))
    assert dates == [dt.date(2011, 5, 10), dt.date(2011, 5, 12)]


def test_research_report_date_is_iso_on_edit(as_user, users, units, make_piece):
    piece = make_piece(units["a"], "调研:返乡创业", kind="research", status=PieceStatus.DRAFT)
    html = as_user(users["liaison_a"]).get(reverse("publicity:piece-edit", args=[piece.pk])).content.decode()
    assert 'name="report_date" value="2011-06-01"' in html


def test_certificate_issue_date_is_iso(as_user, users, preset):
    html = as_user(users["bureau_admin"]).get("/r/2011/certificates/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html

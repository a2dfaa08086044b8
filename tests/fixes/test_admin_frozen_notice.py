"""Item 8: an admin change page of an object in a closed year says it is read-only."""

from django.urls import reverse

from publicity.models import AssessmentYear, YearStatus

NOTICE = "2011年度已结账,只读"


def test_change_page_of_closed_year_object_says_read_only(client, users, units, make_piece, year):
    piece = make_piece(units["a"], "汉滨区稿件", [("安康日报", "2011-05-10")])
    client.force_login(users["bureau_admin"])
    url = reverse("admin:publicity_piece_change", args=[piece.pk])
    page = client.get(url)
    assert page.status_code == 200 and NOTICE not in page.content.decode()
    AssessmentYear.objects.filter(pk=year.pk).update(status=YearStatus.CLOSED)
    page = client.get(url)
    assert page.status_code == 200 and NOTICE in page.content.decode()
    publication = piece.publications.get()
    html = client.get(reverse("admin:publicity_publication_change", args=[publication.pk])).content.decode()
    assert NOTICE in html

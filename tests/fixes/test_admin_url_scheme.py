"""Issue 9 (front door): the admin's publication rows take a link typed without a scheme as https://,
as the liaison's piece form does, and building them no longer warns about Django 6's new default."""

import warnings

import pytest
from django.contrib.admin import site

from publicity.admin import PublicationAdmin, PublicationInline
from publicity.models import Piece, Publication


@pytest.mark.parametrize("where", ["piece's publication rows", "publication page"])
def test_admin_publication_link_without_scheme_gets_https(rf, users, where):
    request = rf.get("/admin/")
    request.user = users["bureau_admin"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the http default's RemovedInDjango60Warning would raise here
        if where == "publication page":
            form = PublicationAdmin(Publication, site).get_form(request)
        else:
            form = PublicationInline(Piece, site).get_formset(request).form
    url = form.base_fields["url"]
    assert url.clean("akxw.cn/2011/03/05/1.html") == "https://akxw.cn/2011/03/05/1.html"
    assert url.clean("http://akxw.cn/1.html") == "http://akxw.cn/1.html"  # a typed scheme is kept

"""Issue 9 (front door): every admin form with a link field takes a link typed without a scheme as
https://, as the liaison's piece form does, and building it does not warn about Django 6's new default
(Django attributes that warning to itself, so the suite's our-code-warnings-fail rule cannot see it)."""

import warnings

import pytest
from django.contrib.admin import site
from django.db import models


def _admin_forms(request):
    """(name, form class) for every registered admin and each of its inlines, add form included."""
    for model, model_admin in site._registry.items():
        yield type(model_admin).__name__, model_admin.get_form(request)
        for inline in model_admin.inlines:
            yield inline.__name__, inline(model, site).get_formset(request).form


def test_every_admin_link_field_assumes_https(rf, users):
    request = rf.get("/admin/")
    request.user = users["bureau_admin"]
    link_models = {f.model for m in site._registry for f in m._meta.get_fields() if isinstance(f, models.URLField)}
    assert link_models, "no admin model has a link field: the test checks nothing"
    checked = set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the http default's RemovedInDjango60Warning would raise here
        forms = list(_admin_forms(request))
    for name, form in forms:
        for field_name, field in form.base_fields.items():
            if hasattr(field, "assume_scheme"):
                assert field.assume_scheme == "https", f"{name}.{field_name}"
                checked.add(name)
    assert {"PublicationInline", "PublicationAdmin"} <= checked


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("akxw.cn/2011/03/05/1.html", "https://akxw.cn/2011/03/05/1.html"),
        ("http://akxw.cn/1.html", "http://akxw.cn/1.html"),
    ],
)
def test_admin_publication_link_completed_with_https(rf, users, typed, kept):
    from publicity.admin import PublicationInline
    from publicity.models import Piece

    request = rf.get("/admin/")
    request.user = users["bureau_admin"]
    url = PublicationInline(Piece, site).get_formset(request).form.base_fields["url"]
    assert url.clean(typed) == kept

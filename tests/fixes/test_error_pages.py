"""Item 2: Chinese 403/404/500 pages (DEBUG is False under the test client)."""

from django.template.loader import get_template
from django.urls import reverse


def test_liaison_on_review_queue_gets_chinese_403(as_user, users):
    response = as_user(users["liaison_a"]).get(reverse("publicity:review-queue"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and "返回首页" in html
    assert "您的角色无权访问此页面。" in html  # the reason given by the view
    assert 'href="/"' in html


def test_other_units_piece_is_chinese_404(as_user, users, units, make_piece):
    piece = make_piece(units["b"], "旬阳县招聘会", [("安康日报", "2011-04-02")])
    response = as_user(users["liaison_a"]).get(reverse("publicity:piece-detail", args=[piece.pk]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "返回首页" in html
    assert "Not Found" not in html


def test_unknown_address_is_chinese_404(as_user, users):
    response = as_user(users["liaison_a"]).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_500_page_is_self_contained_and_chinese(rf):
    # Django's server_error renders 500.html with a bare Context: no request, no context processors, no DB.
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html and 'href="/"' in html
    source = get_template("500.html").template.source
    assert "{% extends" not in source and "{% url" not in source and "{% static" not in source

"""Who reaches which page (DOMAIN §1): each role lands on its own home; wrong role → 403."""

import pytest
from django.urls import reverse

PAGES = {
    "unit-home": reverse("publicity:unit-home"),
    "piece-list": reverse("publicity:piece-list"),
    "piece-create": reverse("publicity:piece-create"),
    "review-queue": reverse("publicity:review-queue"),
    "dashboard": reverse("publicity:dashboard"),
    "unit-reports": reverse("publicity:unit-reports"),
    "reports-overview": reverse("publicity:reports-overview"),
    "outlet-search": reverse("publicity:outlet-search") + "?q=安康",
}

# persona -> pages it may open (200; the bureau's unit-reports redirects to the overview)
ALLOWED = {
    "liaison_a": {"unit-home", "piece-list", "piece-create", "unit-reports", "outlet-search"},
    "head_a": {"unit-home", "piece-list", "unit-reports"},
    "reviewer": {"piece-list", "review-queue", "dashboard", "reports-overview", "outlet-search"},
    "bureau_admin": {"piece-list", "review-queue", "dashboard", "reports-overview", "outlet-search", "unit-reports"},
    "leader": {"piece-list", "dashboard", "reports-overview"},
    "auditor": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("persona", list(ALLOWED))
def test_role_matrix(client, users, persona):
    client.force_login(users[persona])
    for name, url in PAGES.items():
        response = client.get(url)
        if name in ALLOWED[persona]:
            assert response.status_code in (200, 302), (persona, name, response.status_code)
        else:
            assert response.status_code == 403, (persona, name, response.status_code)


def test_anonymous_is_sent_to_login(client, users):
    for url in PAGES.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona,target",
    [
        ("liaison_a", "publicity:unit-home"),
        ("head_a", "publicity:unit-home"),
        ("reviewer", "publicity:review-queue"),
        ("bureau_admin", "publicity:dashboard"),
        ("leader", "publicity:dashboard"),
        ("sysadmin", "publicity:system-home"),
        ("secadmin", "publicity:system-home"),
        ("outsider", "publicity:no-role"),
    ],
)
def test_home_lands_each_role_on_its_page(client, users, persona, target):
    client.force_login(users[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_auditor_lands_on_audit_log_or_placeholder(client, users):
    from django.urls import NoReverseMatch

    client.force_login(users["auditor"])
    location = client.get(reverse("home"))["Location"]
    try:
        assert location == reverse("audit:log")
    except NoReverseMatch:
        assert location == reverse("publicity:audit-pending")
        assert "审计日志" in client.get(location).content.decode()


def test_login_page_is_chinese_and_lands_liaison_home(client, users):
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page and "密码" in page and "登录" in page
    response = client.post(reverse("login"), {"username": "liaison_a", "password": "Demo#2011pass"})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("publicity:unit-home")


def test_login_bad_password_shows_chinese_error(client, users):
    response = client.post(reverse("login"), {"username": "liaison_a", "password": "wrong"})
    assert response.status_code == 200
    assert "正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_system_page_for_sysadmin_only(client, users):
    client.force_login(users["sysadmin"])
    assert client.get(reverse("publicity:system-home")).status_code == 200
    client.force_login(users["liaison_a"])
    assert client.get(reverse("publicity:system-home")).status_code == 403

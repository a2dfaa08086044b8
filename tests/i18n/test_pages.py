"""Chinese first, English through Django's i18n: the same pages in both languages.

The default (no cookie, no Accept-Language) stays Chinese; the cookie the switcher sets, or an
English browser, gives English; the navigation then has no Chinese left (the signed-in person's
name and unit are data and are left out of the check)."""

from django.conf import settings
from django.urls import reverse

LOGIN = reverse("login")


def test_login_page_chinese_by_default(client):
    page = client.get(LOGIN).content.decode()
    assert '<html lang="zh-CN">' in page
    assert "请使用市局分配的账号登录" in page and ">登录</button>" in page
    assert "Sign in" not in page
    # the switcher offers both languages, the current one disabled
    assert 'name="language" value="en"' in page and ">English</button>" in page
    assert 'value="zh-hans" class="langbtn" lang="zh-CN" aria-current="true" disabled' in page


def test_login_page_english_with_cookie(english):
    page = english.get(LOGIN).content.decode()
    assert '<html lang="en">' in page
    assert "Sign in with the account issued by the bureau" in page
    assert ">Username</label>" in page and ">Password</label>" in page and ">Sign in</button>" in page
    assert "<title>Sign in - Publicity Tasks and Credits</title>" in page
    assert "请使用市局分配的账号登录" not in page and "用户名" not in page


def test_login_page_english_from_the_browser_language(client):
    page = client.get(LOGIN, headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert "Sign in with the account issued by the bureau" in page
    # a Chinese browser (zh-CN) keeps Chinese
    page = client.get(LOGIN, headers={"accept-language": "zh-CN,zh;q=0.9"}).content.decode()
    assert "请使用市局分配的账号登录" in page


def test_switcher_posts_to_set_language_and_comes_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 302 and response.url == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Sign in with the account issued by the bureau" in client.get(LOGIN).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": LOGIN})
    assert "请使用市局分配的账号登录" in client.get(LOGIN).content.decode()


def test_switcher_refuses_an_outside_next(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response.url

"""Helpers for the language tests: an English client and the Chinese left in the navigation."""

import re

import pytest
from django.conf import settings
from django.test import Client

# Han characters and Chinese punctuation (、。「」 and full-width ,:;()?!); the full-width ＋ is a symbol, not language.
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]+")


def cjk(text: str) -> list[str]:
    """The runs of Chinese characters and punctuation in ``text``."""
    return CJK.findall(text)


def nav_html(page: str) -> str:
    """The top bar's navigation without the signed-in person's name and unit (data, not interface)."""
    match = re.search(r'<nav class="nav">(.*?)</nav>', page, re.S)
    assert match, "the page has no navigation"
    return re.sub(r'<span class="who">.*?</span>', "", match.group(1), flags=re.S)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture(autouse=True)
def plain_static(settings):
    # No collectstatic in tests: the manifest storage would refuse {% static %}.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """A second test client with English chosen (the cookie the language switcher sets);
    ``client`` stays on the default language."""
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return english

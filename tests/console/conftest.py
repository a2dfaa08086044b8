"""The bureau console's tests: the shared personas (tests/conftest.py) plus a media folder per test."""

import pytest
from django.test.utils import CaptureQueriesContext


@pytest.fixture(autouse=True)
def media_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["bureau_admin"])
    return client


@pytest.fixture
def more_units(kinds):
    """make(n, kind="county"): n more active units of a kind."""
    from units.models import Unit

    def make(n, kind="county"):
        return Unit.objects.bulk_create(
            [Unit(name=f"测试单位{kind}{i:04d}", kind=kinds[kind], order=100 + i) for i in range(n)]
        )

    return make


def count_queries(fn):
    from django.db import connection

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)

"""Background jobs: the small scored 2011 year of the report tests, a media folder per test."""

import pytest

from tests.reports.conftest import fast_test_settings, scored  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def media_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT

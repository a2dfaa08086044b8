import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def login_post(client):
    """POST the real sign-in form (through django-axes), as a browser does."""
    from django.urls import reverse

    def post(username, password=PASSWORD, c=None, **extra):
        return (c or client).post(reverse("login"), {"username": username, "password": password}, **extra)

    return post


@pytest.fixture
def events():
    from audit.models import AuditEvent

    def query(**filters):
        return list(AuditEvent.objects.filter(**filters).order_by("id"))

    return query


@pytest.fixture(autouse=True)
def plain_static_and_media(settings, tmp_path):
    """Pages render without collectstatic; uploads go to a folder of this test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fast hasher: a dozen personas per test with PBKDF2 cost seconds on a shared 2-core box.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def reload_preset_after(django_db_blocker):
    """For transactional tests: request it before ``transactional_db`` so its teardown runs after
    the flush and puts the session's 2011 preset back for the tests that follow."""
    from django.core.management import call_command

    yield
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)

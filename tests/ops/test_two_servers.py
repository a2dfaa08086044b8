"""Past one machine: two app servers (gunicorn on two ports) share one database and one Redis, so a
person signed in on one is signed in on the other, and a file uploaded through one is downloaded
through the other (docs/deployment.md). PostgreSQL only: the processes need a database they can all open."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from publicity.models import Evidence, Piece
from tests.conftest import PASSWORD
from tests.web.conftest import piece_post, png_bytes

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.getenv("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_up() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError:
        return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies, used against any server."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def open(self, url, data=None, headers=None):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def post_form(self, url, fields, files=None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, content, ctype) in (files or {}).items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": url}
        return self.open(url, body, headers)


def csrf_from(html: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


@pytest.fixture
def two_servers(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("app servers in other processes need a shared database: the PostgreSQL run covers this")
    if not redis_up():
        from tests.conftest import skip_or_fail

        skip_or_fail(f"Redis is not reachable at {REDIS_URL}")
    db = connection.settings_dict
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "MEDIA_ROOT": str(tmp_path / "media"),  # one shared store (object storage in production)
        "DJANGO_ENV": "development",
        "DEBUG": "False",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    servers, urls = [], []
    for _ in range(2):
        port = free_port()
        servers.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            for _ in range(100):
                try:
                    urllib.request.urlopen(url + "/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError(f"{url} did not start")
        yield urls, prefix
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def test_a_session_and_an_upload_move_between_app_servers(users, two_servers):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # the servers check passwords with the production hashers, not the tests' fast one
    hasher = PBKDF2PasswordHasher()
    users["liaison_a"].password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    users["liaison_a"].save(update_fields=["password"])
    (a, b), prefix = two_servers
    person = Browser()
    # sign in on server A
    status, _, html = person.open(a + "/accounts/login/")
    assert status == 200
    status, headers, _ = person.post_form(
        a + "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_from(html), "username": "liaison_a", "password": PASSWORD},
    )
    assert status == 302, "sign-in on A failed"
    assert person.cookie("sessionid")
    import redis

    assert redis.Redis.from_url(REDIS_URL).keys(f"{prefix}:*session*"), "the session is not cached in Redis"

    # server B knows the session (Redis cache in front of the shared session table)
    status, _, html = person.open(b + "/p/pieces/new/")
    assert status == 200 and "liaison_a" in html.decode()

    # upload evidence through B …
    fields = piece_post(title="两台服务器之间的稿件", **{"pub-0-evidence": ""})
    fields.pop("pub-0-evidence")
    fields["csrfmiddlewaretoken"] = csrf_from(html)
    status, headers, _ = person.post_form(
        b + "/p/pieces/new/", fields, files={"pub-0-evidence": ("clip.png", png_bytes(), "image/png")}
    )
    assert status == 302, "saving the piece on B failed"
    piece = Piece.objects.get(title="两台服务器之间的稿件")
    evidence = Evidence.objects.get(publication__piece=piece)

    # … and download it through A
    status, headers, content = person.open(a + f"/p/evidence/{evidence.pk}/")
    # the stored file is the re-encoded image (no metadata): A serves exactly what B stored
    import hashlib

    assert (
        status == 200 and hashlib.sha256(content).hexdigest() == evidence.sha256 and content[:8] == b"\x89PNG\r\n\x1a\n"
    )

    # signing out on A ends the session on B as well
    status, _, html = person.open(a + "/p/pieces/")
    person.post_form(a + "/accounts/logout/", {"csrfmiddlewaretoken": csrf_from(html)})
    status, headers, _ = person.open(b + "/p/pieces/")
    assert status == 302 and "/accounts/login/" in headers["Location"]

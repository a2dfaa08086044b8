"""Production settings pass Django's deployment checklist; no SECRET_KEY, no start; /healthz."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_ENV", "DEBUG", "ALLOWED_HOSTS")}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def _production(**extra):
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "xuanchuan.example.gov.cn",
        **extra,
    }


def test_check_deploy_has_no_warning_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_behind_a_tls_proxy():
    env = _production(SECURE_PROXY_SSL_HEADER="True", SECURE_SSL_REDIRECT="False")
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    # Django warns (W008) when it does not redirect itself: the proxy does. Everything else is clean.
    output = result.stdout + result.stderr
    assert "security.W008" in output and output.count("security.W") == 1


def test_production_settings_values():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({k: getattr(s, k) for k in ["
        "'DEBUG','SECURE_SSL_REDIRECT','SESSION_COOKIE_SECURE','CSRF_COOKIE_SECURE','SECURE_HSTS_SECONDS',"
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS','X_FRAME_OPTIONS','SECURE_CONTENT_TYPE_NOSNIFF','SECURE_REFERRER_POLICY',"
        "'SESSION_COOKIE_HTTPONLY','SESSION_COOKIE_AGE']}, default=str))"
    )
    env = {**os.environ, **_production(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    values = json.loads(out.stdout)
    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_AGE": 43200,  # the stored session; the 30-minute idle timeout is the middleware's
    }


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="x.example")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_healthz_is_public_json_without_secrets(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "sessionid" not in response.cookies
    assert reverse("healthz") == "/healthz"


@pytest.mark.django_db
def test_healthz_reports_a_database_failure_without_details(client, monkeypatch):
    from django.db import OperationalError, connection

    def broken():
        raise OperationalError("could not connect to server at 10.0.0.5 password=secret")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert b"10.0.0.5" not in response.content and b"secret" not in response.content


@pytest.mark.django_db
def test_healthz_accepts_only_get(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_security_headers_on_pages(client, users):
    client.force_login(users["reviewer"])
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "default-src 'self'" in csp

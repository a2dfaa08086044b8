"""Issue 11 item 13: ``Cache-Control: no-store`` on everything a signed-in user is shown (pages, exports,
evidence), over every persona × every URL without arguments plus the object pages of unit A; a
Content-Security-Policy from django-csp without 'unsafe-inline' for scripts, and no inline script or
``on*`` handler in any template or rendered page. (Browser scenarios assert no CSP violation in the
console: tests/browser_kit.py Session.shot and tests/web/test_browser.py.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from publicity.models import PieceStatus
from publicity.services import evidence_attach
from tests.security.test_role_url_matrix import routes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PERSONAS = ["liaison_a", "head_a", "reviewer", "bureau_admin", "leader", "auditor", "sysadmin", "secadmin"]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\s on[a-z]+\s*=", re.I | re.X)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (9, 9, 9)).save(out, "PNG")
    return out.getvalue()


def _urls_without_arguments():
    found = []
    for route in routes():
        if not route.name or route.pattern.startswith("admin/") or "<" in route.pattern:
            continue
        try:
            found.append(reverse(route.name))
        except NoReverseMatch:
            continue
    return sorted(set(found))


def test_the_policy_comes_from_django_csp_without_unsafe_inline_scripts():
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE
    assert not any("ContentSecurityPolicyMiddleware" in m for m in settings.MIDDLEWARE)
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives.get("default-src", [])


def test_templates_hold_no_inline_script_or_handler():
    offenders = []
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    for folder in folders:
        for path in folder.rglob("*.html"):
            text = path.read_text("utf-8")
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
                for match in pattern.finditer(text):
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]}")
    assert not offenders, offenders


@pytest.fixture
def objects(users, units, make_piece):
    piece = make_piece(units["a"], "汉滨稿件", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    evidence = evidence_attach(
        actor=users["liaison_a"], publication=piece.publications.get(), upload=SimpleUploadedFile("a.png", _png())
    )
    piece.status = PieceStatus.SUBMITTED
    piece.save()
    return {
        reverse("publicity:piece-detail", args=[piece.pk]),
        reverse("publicity:evidence", args=[evidence.pk]),
        reverse("publicity:evidence-preview", args=[evidence.pk]),
        "/admin/",
        "/admin/publicity/piece/",
        f"/admin/publicity/piece/{piece.pk}/change/",
        "/admin/audit/auditevent/",
        "/admin/units/user/",
    }


def test_every_signed_in_response_is_no_store_and_every_page_script_free(client, users, objects):
    urls = _urls_without_arguments() + sorted(objects)
    assert len(urls) > 20
    checked = pages = 0
    problems = []
    for persona in PERSONAS:
        client.force_login(users[persona])
        for url in urls:
            response = client.get(url)
            if response.status_code in (404, 405):
                continue
            checked += 1
            cache = response.get("Cache-Control", "")
            if "no-store" not in cache or "private" not in cache:
                problems.append(f"{persona} {url} {response.status_code}: Cache-Control {cache!r}")
            csp = response.get("Content-Security-Policy", "")
            if not csp or "'unsafe-inline'" in re.search(r"script-src[^;]*|default-src[^;]*", csp).group(0):
                problems.append(f"{persona} {url}: CSP {csp!r}")
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                pages += 1
                html = b"".join(response.streaming_content) if response.streaming else response.content
                html = html.decode("utf-8", "replace")
                for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
                    match = pattern.search(html)
                    if match:
                        problems.append(f"{persona} {url}: {match.group(0)[:80]}")
        client.logout()
    assert not problems, problems[:20]
    assert checked > 100 and pages > 40, (checked, pages)


def test_evidence_keeps_its_own_sandbox_policy(client, users, objects):
    client.force_login(users["reviewer"])
    url = next(u for u in objects if "/evidence/" in u and not u.endswith(".png"))
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"


def test_the_anonymous_sign_in_page_is_not_marked_no_store_by_us(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("script-src")[1].split(";")[0]


def test_a_signed_out_user_gets_nothing_from_the_back_button(client, users):
    """What the header is for: the page a user saw is not kept; after sign-out it is a redirect."""
    client.force_login(users["liaison_a"])
    url = reverse("publicity:piece-list")
    assert "no-store" in client.get(url)["Cache-Control"]
    client.post(reverse("logout"))
    assert client.get(url).status_code == 302

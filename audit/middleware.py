"""Request-level security controls (等保2.0 身份鉴别 / 访问控制 / 安全审计).

Order in settings.MIDDLEWARE, after AuthenticationMiddleware:
AuditContextMiddleware → SessionSecurityMiddleware → ForcePasswordChangeMiddleware → NoStoreMiddleware
(after MessageMiddleware) … csp.middleware.CSPMiddleware, AxesMiddleware (last).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .context import LAST_SEEN, mark_activity, reset_request, set_request
from .models import AuditAction, Outcome
from .recorder import keeping_refusals, record


class AuditContextMiddleware:
    """Makes the request (user, IP) known to the audit recorder; records refused requests (403) and
    the refusals (uploads, imports) noted while the request ran."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request(request)
        try:
            with keeping_refusals():  # refused uploads and imports, written once their transaction is over
                response = self.get_response(request)
            if response.status_code == 403 and getattr(request, "user", None) and request.user.is_authenticated:
                record(
                    AuditAction.ACCESS_DENIED,
                    request=request,
                    outcome=Outcome.DENIED,
                    message=f"{request.method} {request.get_full_path()[:400]}",
                )
            return response
        finally:
            reset_request(token)


class SessionSecurityMiddleware:
    """Ends sessions that must not go on.

    - The session names a user who can no longer sign in (disabled or deleted): Django already
      treats the request as anonymous; the session row is deleted here as well.
    - Idle for longer than SESSION_IDLE_TIMEOUT seconds: logged out. The last activity is
      refreshed at most once a minute (SESSION_TOUCH_SECONDS) so ordinary pages do not write the
      session on every request. The stored session lives longer (SESSION_COOKIE_AGE, 12 hours)
      so that the idle user's next request finds it here and the sign-out is recorded (会话超时).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            if not request.user.is_authenticated:
                session.flush()
            else:
                now = int(time.time())
                last = session.get(LAST_SEEN)
                if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                    request.audit_logout_reason = "idle"
                    logout(request)
                    messages.info(request, _("您已超过30分钟未操作,系统已自动退出,请重新登录。"))
                elif last is None or now - int(last) >= settings.SESSION_TOUCH_SECONDS:
                    mark_activity(request)
        return self.get_response(request)


def _exempt_prefixes() -> tuple[str, ...]:
    prefixes = [settings.STATIC_URL, "/healthz"]
    for name in ("audit:password-change", "logout", "login"):
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(p for p in prefixes if p)


class ForcePasswordChangeMiddleware:
    """A user whose password was set by someone else (an administrator, an import) must choose
    their own before doing anything else (等保: 初始口令首次登录须修改)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            if not request.path.startswith(_exempt_prefixes()):
                url = reverse("audit:password-change")
                return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing shown to a signed-in user is kept by the browser or a proxy: pages, exports and
    evidence files answer with ``Cache-Control: no-store`` (and ``private``, ``max-age=0``), so the
    back button or a shared office computer shows nothing once the user has signed out. Static
    files (whitenoise answers them before this) and the anonymous sign-in page are not concerned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response

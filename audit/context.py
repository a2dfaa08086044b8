"""Who is acting and from where, for the audit recorder.

The request is put in a ContextVar by ``audit.middleware.AuditContextMiddleware`` so the recorder (fed by model
signals, far from any view) can name the user and the IP. Outside a request (management
commands, imports run from the shell, background threads) there is no request: the event is
recorded as done by 系统 (the system) unless ``acting_as`` names a user.
"""

from __future__ import annotations

import contextlib
import ipaddress
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

_request: ContextVar = ContextVar("audit_request", default=None)
_actor: ContextVar = ContextVar("audit_actor", default=None)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display: str
    unit_id: int | None
    unit_name: str
    ip: str | None


SYSTEM = Actor(None, "", "系统", None, "", None)


def client_ip(request) -> str | None:
    """The client's address. Behind a reverse proxy, X-Forwarded-For is trusted only when
    settings.AUDIT_TRUST_X_FORWARDED_FOR is on (the proxy overwrites the header); otherwise
    anyone could write any IP into the audit trail."""
    candidates = []
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidates.append(forwarded.split(",")[0].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None


def actor_from_user(user, ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "", "匿名" if ip else "系统", None, "", ip)
    unit = user.unit if user.unit_id else None
    return Actor(
        user.pk,
        user.get_username(),
        str(user.display_name or user.get_username()),
        user.unit_id,
        unit.name if unit else "",
        ip,
    )


def current_actor() -> Actor:
    explicit = _actor.get()
    if explicit is not None:
        return explicit
    request = _request.get()
    if request is None:
        return SYSTEM
    return actor_from_user(getattr(request, "user", None), client_ip(request))


def current_request():
    return _request.get()


def set_request(request):
    return _request.set(request)


def reset_request(token) -> None:
    _request.reset(token)


@contextlib.contextmanager
def acting_as(user, ip: str | None = None):
    """Attribute events to ``user`` outside a request (e.g. a command run for someone)."""
    token = _actor.set(actor_from_user(user, ip))
    try:
        yield
    finally:
        _actor.reset(token)


# The session's last activity (idle timeout). Written at sign-in (recorder) and on requests (middleware):
# kept here so neither of those two modules has to import the other.
LAST_SEEN = "_audit_last_seen"


def mark_activity(request) -> None:
    request.session[LAST_SEEN] = int(time.time())

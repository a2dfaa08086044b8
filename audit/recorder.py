"""Writes the audit trail.

Two doors:
- ``record(...)``: called explicitly for security events (logins, lockouts, role changes,
  password changes, exports, backups).
- model signals on every business model (units, publicity, scoring): create / change / delete
  with the old and new values.

CONVENTIONS forbid business logic in signals. This recorder is not business logic: it decides
nothing, changes nothing and is not a rule of the domain; it only observes every write,
whichever door it came in by (views, admin, imports, shell), which is exactly what an audit
trail must do and what an explicit call in each service would miss. It runs inside the
writer's transaction, so a change and its audit row commit or roll back together.

Bulk writes (``bulk_create``, ``QuerySet.update``) send no signals: code that uses them for
audited models calls ``record_many`` itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from contextvars import ContextVar

from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.db.models import signals as model_signals
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .context import Actor, actor_from_user, client_ip, current_actor, mark_activity
from .models import AuditAction, AuditEvent, Outcome

log = logging.getLogger(__name__)

# Every model of these apps is audited (pieces, publications, targets, rules, policies, years,
# results and whatever the apps add later).
AUDITED_APPS = ("units", "publicity", "website", "campaigns", "figures", "scoring")
# Fields whose change is noise (timestamps) or a secret (the password hash: its change is
# recorded as “已修改” without the value).
IGNORED_FIELDS = {"updated_at", "last_login"}
SECRET_FIELDS = {"password"}

MAX_REPR = 300
MAX_VALUE = 2000


def _plain(value):
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):  # a compressed snapshot: its size and digest
        data = bytes(value)
        return f"<{len(data)}字节, SHA-256 {hashlib.sha256(data).hexdigest()}>"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _bounded(value):
    """Big values (a year snapshot's whole result JSON) are kept as their size and SHA-256:
    enough to prove what was stored without copying megabytes into every audit row."""
    if isinstance(value, str | list | dict):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
        if len(text) > MAX_VALUE:
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            return f"<{len(text)}字符, SHA-256 {digest}>"
    return value


def _concrete_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS and not f.primary_key]


def snapshot(instance) -> dict:
    return {f.attname: _bounded(_plain(f.value_from_object(instance))) for f in _concrete_fields(type(instance))}


def _diff(old: dict, new: dict) -> dict:
    changes = {}
    for key, value in new.items():
        before = old.get(key)
        if before != value:
            changes[key] = ["***", "***(已修改)"] if key in SECRET_FIELDS else [before, value]
    return changes


def _hide_secrets(values: dict) -> dict:
    return {k: ("***" if k in SECRET_FIELDS and v else v) for k, v in values.items()}


def _label(model) -> tuple[str, str]:
    return model._meta.label_lower, str(model._meta.verbose_name)


def record(
    action: str,
    *,
    obj=None,
    model=None,
    object_id="",
    object_repr: str = "",
    changes: dict | None = None,
    outcome: str = Outcome.SUCCESS,
    message: str = "",
    actor: Actor | None = None,
    user=None,
    request=None,
) -> AuditEvent:
    """Append one event. ``user``/``request`` override the actor taken from the current request."""
    if actor is None:
        if user is not None or request is not None:
            ip = client_ip(request) if request is not None else None
            actor = actor_from_user(user if user is not None else getattr(request, "user", None), ip)
        else:
            actor = current_actor()
    label = model_name = ""
    if obj is not None:
        model = obj._meta.model  # not type(obj): request.user is a lazy proxy
        object_id = obj.pk
        object_repr = object_repr or str(obj)
    if model is not None:
        label, model_name = _label(model)
    return AuditEvent.objects.create(
        user_id=actor.user_id,
        username=actor.username,
        user_display=actor.display[:100],
        unit_id=actor.unit_id,
        unit_name=actor.unit_name[:100],
        ip=actor.ip,
        action=action,
        model=label,
        model_name=model_name,
        object_id="" if object_id in (None, "") else str(object_id),
        object_repr=(object_repr or "")[:MAX_REPR],
        changes=changes or {},
        outcome=outcome,
        message=message[:500],
    )


def record_many(action: str, objs: Iterable, *, message: str = "") -> int:
    """One event per object for bulk writes that send no signals (bulk_create in imports).

    The rows go in with a plain multi-row INSERT: a table import records tens of thousands of events,
    and building an AuditEvent model instance for each cost more than the import's own writes."""
    from django.db import connection

    actor = current_actor()
    labels: dict[type, tuple[str, str]] = {}  # a bulk write is thousands of objects of one or two models
    head = (actor.user_id, actor.username, actor.display[:100], actor.unit_id, actor.unit_name[:100])
    at = AuditEvent._meta.get_field("at").get_db_prep_value(timezone.now(), connection)
    rows = []
    for obj in objs:
        model = type(obj)
        if model not in labels:
            labels[model] = _label(model)
        label, model_name = labels[model]
        changes = (
            {k: [None, v] for k, v in _hide_secrets(snapshot(obj)).items()} if action == AuditAction.CREATE else {}
        )
        rows.append(
            (
                at,
                *head,
                action,
                label,
                model_name,
                str(obj.pk or ""),
                str(obj)[:MAX_REPR],
                json.dumps(changes, ensure_ascii=False),
                actor.ip,
                Outcome.SUCCESS,
                message[:500],
            )
        )
    columns = [
        "at",
        "user_id",
        "username",
        "user_display",
        "unit_id",
        "unit_name",
        "action",
        "model",
        "model_name",
        "object_id",
        "object_repr",
        "changes",
        "ip",
        "outcome",
        "message",
    ]
    qn = connection.ops.quote_name
    into = f"INSERT INTO {qn(AuditEvent._meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 500):
            batch = rows[i : i + 500]
            cursor.execute(into + ", ".join([one] * len(batch)), [v for row in batch for v in row])
    return len(rows)


# ---- refusals: kept although the refusing transaction rolls back ---------------------------

_pending: ContextVar[list | None] = ContextVar("audit_pending_refusals", default=None)


def record_refusal(action: str, *, message: str = "", **kwargs) -> None:
    """A refused upload or import (``outcome`` denied). A service refuses by raising inside its
    transaction, which rolls back with any row written there; so inside a transaction the event
    waits for the enclosing ``keeping_refusals()`` (every request has one: AuditContextMiddleware;
    import commands open their own) and is written after it, outside the transaction."""
    from django.db import DatabaseError, connection, transaction

    kwargs.setdefault("actor", current_actor())
    pending = _pending.get()
    if pending is not None and connection.in_atomic_block:
        pending.append((action, message, kwargs))
        return
    try:
        with transaction.atomic():  # a savepoint: a failed audit write leaves the caller's transaction usable
            record(action, outcome=Outcome.DENIED, message=message, **kwargs)
    except (DatabaseError, RuntimeError) as exc:
        # The refusal itself must still reach the user, even where there is no database to record it
        # in (a reader run on its own; pytest's blocker raises RuntimeError).
        log.warning("audit: could not record a refusal (%s): %s", action, exc)


@contextlib.contextmanager
def keeping_refusals():
    token = _pending.set([])
    try:
        yield
    finally:
        pending = _pending.get() or []
        _pending.reset(token)
        for action, message, kwargs in pending:
            try:
                record(action, outcome=Outcome.DENIED, message=message, **kwargs)
            except Exception:  # a failed audit write must not turn the user's page into a 500
                log.exception("audit: could not record a refusal")


# ---- model signals -------------------------------------------------------------------------


_suspended: ContextVar[bool] = ContextVar("audit_suspended", default=False)


@contextlib.contextmanager
def suspended():
    """Record nothing inside (``restore`` reloads rows and their audit trail verbatim; the
    restore itself is recorded once afterwards)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _is_audited(sender) -> bool:
    if _suspended.get():
        return False
    return sender._meta.app_label in AUDITED_APPS and not sender._meta.auto_created


def _skip(instance) -> bool:
    # Set by a service that records its own, more meaningful event (role change, password reset).
    return bool(getattr(instance, "_audit_skip", False))


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or not _is_audited(sender) or _skip(instance) or instance._state.adding or instance.pk is None:
        return
    fields = [f.attname for f in _concrete_fields(sender)]
    instance._audit_old = sender._base_manager.filter(pk=instance.pk).values(*fields).first()


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_audited(sender):
        return
    if _skip(instance):
        instance._audit_skip = False
        return
    new = snapshot(instance)
    if created:
        changes = {k: [None, v] for k, v in _hide_secrets(new).items() if v not in (None, "", [], {})}
        record(AuditAction.CREATE, obj=instance, changes=changes)
        return
    old = getattr(instance, "_audit_old", None)
    instance._audit_old = None
    if old is None:
        record(AuditAction.UPDATE, obj=instance, changes={k: [None, v] for k, v in _hide_secrets(new).items()})
        return
    changes = _diff({k: _bounded(_plain(v)) for k, v in old.items()}, new)
    if changes:
        record(AuditAction.UPDATE, obj=instance, changes=changes)


def _post_delete(sender, instance, **kwargs):
    if not _is_audited(sender):
        return
    old = _hide_secrets(snapshot(instance))
    record(AuditAction.DELETE, obj=instance, changes={k: [v, None] for k, v in old.items() if v not in (None, "")})


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    if not _is_audited(type(instance)):
        return
    field = next(
        (f.name for f in type(instance)._meta.many_to_many if f.remote_field.through is sender),
        sender._meta.model_name,
    )
    if action == "post_clear":
        change = {"cleared": True}
    else:
        names = [str(o) for o in model._base_manager.filter(pk__in=pk_set or ())]
        if not names:
            return
        change = {"added" if action == "post_add" else "removed": sorted(names)}
    record(AuditAction.UPDATE, obj=instance, changes={field: change})


# ---- authentication signals ----------------------------------------------------------------


def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_activity(request)
    record(
        AuditAction.LOGIN,
        user=user,
        request=request,
        object_repr=user.get_username(),
        model=user._meta.model,
        object_id=user.pk,
    )


def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "audit_logout_reason", "")
    action = AuditAction.SESSION_EXPIRED if reason == "idle" else AuditAction.LOGOUT
    record(
        action,
        user=user,
        request=request,
        model=user._meta.model,
        object_id=user.pk,
        object_repr=user.get_username(),
        message=reason,
    )


def _login_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    locked = bool(request is not None and getattr(request, "axes_locked_out", False))
    target = User._default_manager.filter(**{User.USERNAME_FIELD: username}).only("pk").first() if username else None
    actor = Actor(None, username, "匿名", None, "", client_ip(request) if request is not None else None)
    record(
        AuditAction.LOGIN_FAILED,
        actor=actor,
        model=User,
        object_id=target.pk if target else "",
        object_repr=username,
        outcome=Outcome.DENIED if locked else Outcome.FAILURE,
        message="账号已锁定,拒绝登录" if locked else ("用户名或密码错误" if target else "账号不存在"),
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    from django.conf import settings
    from django.contrib.auth import get_user_model

    User = get_user_model()
    target = User._default_manager.filter(**{User.USERNAME_FIELD: username}).only("pk").first() if username else None
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else 0
    record(
        AuditAction.LOCKOUT,
        actor=Actor(None, username or "", "匿名", None, "", ip_address),
        model=User,
        object_id=target.pk if target else "",
        object_repr=username or "",
        outcome=Outcome.DENIED,
        message=f"连续{settings.AXES_FAILURE_LIMIT}次登录失败,账号锁定{minutes}分钟",
    )


_connected = False


def connect() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    # Connected per audited model, not globally: a receiver on every model would stop Django's
    # fast (single-query) cascade deletes everywhere, sessions and login records included.
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in AUDITED_APPS:
            continue
        uid = model._meta.label
        if model._meta.auto_created:
            model_signals.m2m_changed.connect(_m2m_changed, sender=model, dispatch_uid=f"audit_m2m_{uid}")
            continue
        model_signals.pre_save.connect(_pre_save, sender=model, dispatch_uid=f"audit_pre_save_{uid}")
        model_signals.post_save.connect(_post_save, sender=model, dispatch_uid=f"audit_post_save_{uid}")
        model_signals.post_delete.connect(_post_delete, sender=model, dispatch_uid=f"audit_post_delete_{uid}")
    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="audit_logged_in")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="audit_logged_out")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    from sheets import tabular  # a floor below: it tells its listeners of every refused file

    if _import_file_refused not in tabular.refusal_listeners:
        tabular.refusal_listeners.append(_import_file_refused)
    try:
        from axes.signals import user_locked_out
    except ImportError:  # pragma: no cover - axes is a dependency
        return
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")


def _import_file_refused(name: str, message: str) -> None:
    record_refusal(AuditAction.IMPORT_REFUSED, object_repr=_file_label(name), message=message)


def _file_label(name: str) -> str:
    """An uploader's file name fit for an audit row (no path, no control characters)."""
    import unicodedata

    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if unicodedata.category(c)[0] != "C")[:MAX_REPR]

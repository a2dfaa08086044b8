"""Reports read from a PostgreSQL read replica when one is configured (``DATABASE_REPLICA_URL``).

Only code that asks for it reads from the replica: report pages and report jobs wrap their reading in
``reading_from_replica()``. Everything else (and every write, and anything inside a transaction on the
primary) stays on ``default``, so a page never reads its own write from a replica that lags behind.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("use_replica", default=False)


def replica_enabled() -> bool:
    return settings.READ_REPLICA_ENABLED and REPLICA in settings.DATABASES


@contextlib.contextmanager
def reading_from_replica():
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


def _in_transaction() -> bool:
    # A test's own wrapping transaction (Django marks it ``_from_testcase``) is not the code's transaction.
    return any(not getattr(block, "_from_testcase", False) for block in connections["default"].atomic_blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not (_use_replica.get() and replica_enabled()):
            return None
        if _in_transaction():  # a transaction on the primary reads its own writes there
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def replica_reads(view):
    """View decorator: the view's queries read from the replica (when there is one)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with reading_from_replica():
            return view(*args, **kwargs)

    return wrapper

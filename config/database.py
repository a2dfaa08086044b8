"""The database settings from a URL (dj-database-url), with what SQLite needs to take concurrent writers.

SQLite serialises writers. Out of the box Django starts its transactions DEFERRED: two requests
both read, then both try to write, and the second fails at once with "database is locked" (the
busy timeout cannot help a reader that must upgrade to a writer). So on SQLite:

- ``transaction_mode: IMMEDIATE``: every ``transaction.atomic()`` takes the write lock when it
  begins, so the later of two writers waits for the first to commit and then reads what it wrote:
  the services' own checks (version, status) give the loser their Chinese message;
- ``timeout``: how long a writer waits for the lock (the busy timeout), 20 s;
- WAL journal (``PRAGMA journal_mode=WAL``): readers never wait for a writer, nor a writer for
  readers; ``synchronous=NORMAL`` is safe with WAL and spares an fsync per commit.

A wait longer than the timeout still raises "database is locked": config.middleware answers that
with a Chinese "busy, nothing was saved" page (503) instead of a 500.
"""

from __future__ import annotations

import dj_database_url

SQLITE_TIMEOUT_SECONDS = 20
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_TIMEOUT_SECONDS,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_settings(url: str, *, conn_max_age: int = 0) -> dict:
    settings = dj_database_url.parse(url, conn_max_age=conn_max_age)
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        settings["OPTIONS"] = {**SQLITE_OPTIONS, **settings.get("OPTIONS", {})}
    return settings

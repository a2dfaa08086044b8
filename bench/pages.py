"""Benchmark: every page under 20 concurrent users for 60 s, beside /healthz, on gunicorn with production
settings and PostgreSQL (issue 13).

    createdb bench_city && export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py gen_synthetic --year 2030 --units 50 --pieces 3200 --seed 1
    .venv/bin/python bench/pages.py --year 2030                    # every page, 60 s each
    .venv/bin/python bench/pages.py --year 2030 --seconds 10 --pages dashboard,review

For each page: one request alone (its time), then ``--users`` threads requesting it back to back for
``--seconds`` while one more thread requests ``/healthz`` (the baseline, same run): requests/s, p50/p95/p99
and errors (a status other than 200, or no answer within 60 s) of both. gunicorn runs with ``--workers``
(2) workers, DJANGO_ENV=production (collected static files, DEBUG off), on 127.0.0.1 only.
The load comes from this process's threads on the same 2 cores, as a user's browser would not: the
figures are a floor, and the same for every page and for /healthz.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-only-secret-key-" + "x" * 40
TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="False",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=static_root,
        LOG_LEVEL="ERROR",
    )
    return env


def setup_django(static_root: str) -> None:
    os.environ.update(server_env(static_root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sessions_and_urls(year: int) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Bench users (one per role), a session cookie each, and the URL of every page."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from audit.context import LAST_SEEN
    from publicity.models import AssessmentYear, Piece, PieceStatus
    from units.models import Unit, User

    assessment_year = AssessmentYear.objects.get(year=year)
    # the unit with the most approved pieces: its pages are the heaviest a liaison sees
    from django.db.models import Count, Q

    unit = (
        Unit.objects.annotate(n=Count("pieces", filter=Q(pieces__year=assessment_year, pieces__status="approved")))
        .order_by("-n")
        .first()
    )
    roles = {
        "admin": {"is_bureau_admin": True},
        "reviewer": {"is_reviewer": True},
        "leader": {"is_leader": True},
        "liaison": {"is_liaison": True, "unit": unit},
    }
    cookies = {}
    for name, flags in roles.items():
        user, _ = User.objects.update_or_create(
            username=f"bench_{name}", defaults={"must_change_password": False, **flags}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "audit.backends.RoleBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[LAST_SEEN] = int(time.time()) + 24 * 3600  # no idle sign-out during the run
        session.create()
        cookies[name] = f"sessionid={session.session_key}"
    piece = Piece.objects.filter(year=assessment_year, unit=unit, status=PieceStatus.APPROVED).first()
    urls = {
        "review": ("reviewer", "/p/review/"),
        "unit_score": ("leader", f"/s/{year}/units/{unit.pk}/"),
        "dashboard": ("leader", f"/p/dashboard/?year={year}"),
        "liaison_home": ("liaison", f"/p/unit/?year={year}"),
        "piece_list": ("liaison", f"/p/pieces/?year={year}"),
        "piece_form": ("liaison", "/p/pieces/new/"),
        "piece_reward": ("leader", f"/s/pieces/{piece.pk}/") if piece else None,
        "reports_year": ("leader", f"/r/{year}/"),
        "circular": ("leader", f"/r/{year}/circular/?month=6"),
    }
    return cookies, {k: v for k, v in urls.items() if v}


class Load(threading.Thread):
    def __init__(self, port, path, cookie, until):
        super().__init__(daemon=True)
        self.port, self.path, self.cookie, self.until = port, path, cookie, until
        self.latencies: list[float] = []
        self.errors = 0
        self.statuses: dict[int, int] = {}

    def run(self):
        conn = None
        while time.perf_counter() < self.until:
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
                conn.request("GET", self.path, headers={"Cookie": self.cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                status = 0
                if conn is not None:
                    conn.close()
                conn = None
            self.latencies.append(time.perf_counter() - started)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status != 200:
                self.errors += 1


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(threads: list[Load], seconds: float) -> dict:
    lat = [x for t in threads for x in t.latencies]
    return {
        "requests": len(lat),
        "rps": len(lat) / seconds,
        "p50": pct(lat, 50) * 1000,
        "p95": pct(lat, 95) * 1000,
        "p99": pct(lat, 99) * 1000,
        "errors": sum(t.errors for t in threads),
    }


def one_request(port: int, path: str, cookie: str) -> tuple[float, int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return time.perf_counter() - started, response.status, len(body)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    args = parser.parse_args()
    if not os.getenv("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to the PostgreSQL database that holds the generated year")

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    setup_django(static_root)
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)
    cookies, urls = sessions_and_urls(args.year)
    wanted = [p for p in args.pages.split(",") if p] or list(urls)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(static_root),
    )
    try:
        for _ in range(200):
            try:
                one_request(port, "/healthz", "")
                break
            except OSError:
                time.sleep(0.1)
        print(f"gunicorn {args.workers} workers, {args.users} users × {args.seconds:.0f} s per page, year {args.year}")
        print("| page | one request | req/s | p50 | p95 | p99 | errors | /healthz req/s | /healthz p95 |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name in wanted:
            role, path = urls[name]
            alone, status, size = one_request(port, path, cookies[role])
            if status != 200:
                print(f"| {name} | status {status} | | | | | | | |", flush=True)
                continue
            until = time.perf_counter() + args.seconds
            page_threads = [Load(port, path, cookies[role], until) for _ in range(args.users)]
            health = [Load(port, "/healthz", "", until)]
            started = time.perf_counter()
            for t in page_threads + health:
                t.start()
            for t in page_threads + health:
                t.join(timeout=args.seconds + TIMEOUT + 10)
            elapsed = time.perf_counter() - started
            s, h = summary(page_threads, elapsed), summary(health, elapsed)
            print(
                f"| {name} | {alone * 1000:.0f} ms ({size // 1024} KB) | {s['rps']:.1f} | {s['p50']:.0f} ms | "
                f"{s['p95']:.0f} ms | {s['p99']:.0f} ms | {s['errors']} | {h['rps']:.1f} | {h['p95']:.0f} ms |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(static_root, ignore_errors=True)


if __name__ == "__main__":
    main()

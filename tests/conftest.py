"""Shared personas and helpers (CONVENTIONS §9).

Personas on the 2011 preset: liaison_a (汉滨区人社局, a county), liaison_b (旬阳县人社局),
head_a, liaison_dept (办公室), liaison_aff (市技工学校), reviewer, bureau_admin, leader,
auditor, sysadmin, secadmin, outsider (no role).
"""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

REQUIRE_OPTIONAL = os.getenv("REQUIRE_OPTIONAL") == "1"
PASSWORD = "Demo#2011pass"


def skip_or_fail(why: str):
    """Skip a test that needs an optional part, except in CI (REQUIRE_OPTIONAL=1), where it fails."""
    if REQUIRE_OPTIONAL:
        pytest.fail(f"required part missing in CI: {why}")
    pytest.skip(why)


def chromium_path() -> str:
    path = os.getenv("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        skip_or_fail("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    return path


def pytest_configure(config):
    from django.conf import settings

    # PBKDF2 with a million rounds per user makes fixtures slow; tests don't measure hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background jobs run on the spot in tests; tests/jobs/test_worker.py runs the real database worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.signals import setting_changed

    # django-tasks caches its backends; a plain assignment would not reach a handler already set up.
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
    # A second alias on the same database, as a read replica would be (units.routers); only tests that
    # turn READ_REPLICA_ENABLED on and allow the alias read through it.
    from django.db import connections

    if "replica" not in connections.settings:
        default = connections.settings["default"]
        replica = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
        if "transaction_mode" in default.get("OPTIONS", {}):
            # SQLite (config.database): a reader's transactions must not take the write lock that the
            # default alias holds on the same in-memory database.
            replica["OPTIONS"] = {**default["OPTIONS"], "transaction_mode": "DEFERRED"}
        connections.settings["replica"] = replica
        settings.DATABASES["replica"] = connections.settings["replica"]

    # Tests run without collectstatic, but pytest-django forces DEBUG off, which puts whitenoise in
    # production mode: it scans the missing STATIC_ROOT and warns for every test client. Serve static
    # files the development way instead (from the finders, looked up per request), as `make demo` does.
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True

    # A warning attributed to one of our packages (raised there, or a deprecated call made from there)
    # fails the run; other libraries' warnings are only reported. The packages are the project's
    # top-level folders, so a new app is covered without a list to keep up to date.
    ours = sorted(p.parent.name for p in Path(settings.BASE_DIR).glob("*/__init__.py"))
    config.addinivalue_line("filterwarnings", f"error:::({'|'.join(ours)})(\\.|$)")


# Debian's chromium on a closed network: without the background-networking flags it keeps trying
# (and failing) to reach outside hosts.
BROWSER_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]


BROWSER_EXPECT_TIMEOUT_MS = 20_000


@pytest.fixture
def browser(monkeypatch):
    """Headless Debian chromium through Playwright (never `playwright install`)."""
    # Playwright's sync API keeps an event loop in this thread; Django would refuse ORM calls.
    # Set per test: process-wide it leaks into `manage.py check --deploy` run by other tests.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright (pip) is not installed")
    from playwright.sync_api import expect

    # expect() retries for 5 s by default; a CI machine under load (or a live server doing two requests
    # in a row, as the quota grid's save-then-reset) can take longer than that to reach the awaited state.
    expect.set_options(timeout=BROWSER_EXPECT_TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=BROWSER_ARGS)
        yield b
        b.close()
        # While Playwright's loop runs in this thread, asgiref files Django's connections under a
        # context-local store, so the test's ORM calls got a connection of their own that nothing
        # closes once the loop stops: on PostgreSQL it kept the test database from being dropped.
        # Close it while it is still visible.
        from django.db import connections

        connections.close_all()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_keepdb):
    """A PostgreSQL test database of this run's own (test_<name>_<pid>): two runs against one server
    (CI beside an engineer, two worktrees) would otherwise create and drop the same test_<name>.
    SQLite tests run in memory; --reuse-db keeps the fixed name so it can be found again."""
    from django.conf import settings

    if django_db_keepdb:
        return
    for db in settings.DATABASES.values():
        test = db.setdefault("TEST", {})
        if db["ENGINE"] != "django.db.backends.sqlite3" and not test.get("MIRROR"):  # a mirror has no database
            test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{os.getpid()}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the 2011 preset once per test database; each test's transaction rolls back on top of it."""
    with django_db_blocker.unblock():
        call_command("loaddata", "ankang_2011", verbosity=0)


@pytest.fixture(autouse=True)
def _preset_present(request, django_db_blocker):
    """A transactional test (transaction=True, live_server) flushes the database when it ends, taking
    the session's preset with it; put it back before the next database test, whatever its fixtures.
    Tests without a database (scoring/rules.py) ask for none, so they also run on their own."""
    uses_db = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in ("db", "transactional_db", "live_server")
    )
    if uses_db:
        request.getfixturevalue("django_db_setup")
        from publicity.models import AssessmentYear

        with django_db_blocker.unblock():
            if not AssessmentYear.objects.filter(year=2011).exists():
                call_command("loaddata", "ankang_2011", verbosity=0)
    yield


@pytest.fixture
def preset(db):
    from publicity.models import AssessmentYear

    # A transactional test (transaction=True) flushes the database afterwards: load again if so.
    if not AssessmentYear.objects.filter(year=2011).exists():
        call_command("loaddata", "ankang_2011", verbosity=0)
    return AssessmentYear.objects.get(year=2011)


@pytest.fixture
def year(preset):
    return preset


@pytest.fixture
def kinds(preset):
    from units.models import UnitKind

    return {k.code: k for k in UnitKind.objects.all()}


@pytest.fixture
def units(kinds):
    from units.models import Unit

    def make(name, kind, order):
        return Unit.objects.create(name=name, kind=kinds[kind], order=order)

    return {
        "a": make("汉滨区人社局", "county", 1),
        "b": make("旬阳县人社局", "county", 2),
        "dept": make("办公室", "dept", 1),
        "aff": make("市技工学校", "affiliated", 1),
    }


@pytest.fixture
def users(units):
    from units.models import User

    def make(username, unit=None, **roles):
        return User.objects.create_user(
            username=username, password=PASSWORD, unit=unit, display_name=username, **{f"is_{r}": True for r in roles}
        )

    return {
        "liaison_a": make("liaison_a", units["a"], liaison=True),
        "liaison_b": make("liaison_b", units["b"], liaison=True),
        "head_a": make("head_a", units["a"], unit_head=True),
        "liaison_dept": make("liaison_dept", units["dept"], liaison=True),
        "liaison_aff": make("liaison_aff", units["aff"], liaison=True),
        "reviewer": make("reviewer", reviewer=True),
        "bureau_admin": make("bureau_admin", bureau_admin=True),
        "leader": make("leader", leader=True),
        "auditor": make("auditor", auditor=True),
        "sysadmin": make("sysadmin", sysadmin=True),
        "secadmin": make("secadmin", secadmin=True),
        "outsider": make("outsider"),
    }


@pytest.fixture
def outlets(preset):
    from publicity.models import Outlet

    return {o.name: o for o in Outlet.objects.all()}


@pytest.fixture
def make_piece(preset, outlets):
    """make_piece(unit, title, [("安康日报", "2011-03-05", "headline")], kind=…, status=…, authors=…)"""
    from publicity.models import PieceKind, PieceStatus, Topic
    from publicity.services import PublicationInput, piece_create

    def make(
        unit,
        title,
        pubs=(),
        *,
        kind=PieceKind.NEWS,
        status=PieceStatus.APPROVED,
        authors=("张三",),
        characters=500,
        topics=(),
        report_date=None,
    ):
        publications = [
            PublicationInput(outlets[name], dt.date.fromisoformat(day), placement or "other")
            for name, day, placement in [(p + (None,))[:3] for p in pubs]
        ]
        if not publications and report_date is None:
            report_date = dt.date(2011, 6, 1)
        piece = piece_create(
            actor=None,
            unit=unit,
            year=preset,
            title=title,
            kind=kind,
            characters=characters,
            authors=list(authors),
            topics=list(Topic.objects.filter(name__in=topics)),
            report_date=report_date if not publications else None,
            publications=publications,
            submit=status != PieceStatus.DRAFT,
            approve=status == PieceStatus.APPROVED,
            check_proof=False,  # like a table import: no files; the review queue flags missing proof
        )
        if status == PieceStatus.REJECTED:
            piece.status, piece.reject_reason = PieceStatus.REJECTED, "证据不清晰"
            piece.save()
        return piece

    return make


def login(client, user):
    client.force_login(user)
    return client

"""The real queue: jobs stored by the database backend and run by django-tasks-db's worker, both in
this process (every database) and as `manage.py db_worker` in a subprocess (PostgreSQL, like production)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from jobs.models import Job, JobStatus
from jobs.runner import job_start

from .tasks_for_tests import broken_job, counting_job

ROOT = Path(__file__).resolve().parents[2]
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def users_committed(django_user_model):
    return django_user_model.objects.create_user(username="reviewer", password="x", is_reviewer=True)


@override_settings(TASKS=DB_QUEUE)
def test_the_database_worker_runs_queued_jobs(users_committed):
    ok = job_start(owner=users_committed, kind="count", title="数一数", task=counting_job, upto=4)
    bad = job_start(owner=users_committed, kind="x", title="坏任务", task=broken_job)
    # enqueued, not run: the page says so until a worker picks it up
    assert Job.objects.get(pk=ok.pk).status == JobStatus.QUEUED
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    ok.refresh_from_db()
    bad.refresh_from_db()
    assert (ok.status, ok.done, ok.total, ok.result.read()) == (JobStatus.DONE, 4, 4, b"0 1 2 3")
    assert bad.status == JobStatus.FAILED and f"任务编号 {bad.pk}" in bad.error
    assert DBTaskResult.objects.filter(status="READY").count() == 0


@override_settings(TASKS=DB_QUEUE)
def test_db_worker_process_against_postgresql(users_committed, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a second process cannot see the in-memory SQLite test database; the PostgreSQL run covers it")
    job = job_start(owner=users_committed, kind="count", title="数一数", task=counting_job, upto=3)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(settings.MEDIA_ROOT), "DJANGO_ENV": "development"}
    env.pop("TASKS_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result.read() == b"0 1 2"

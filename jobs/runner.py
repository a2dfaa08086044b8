"""Run a function as a visible background job (the API other apps use).

    from jobs.runner import job_task, job_start

    @job_task
    def year_workbook_job(progress, *, year_id):          # module level, importable by the worker
        progress.step(0, 5, "正在计分")
        ...
        progress.attach("2011年度….xlsx", XLSX, lambda fh: write(fh))

    job = job_start(owner=request.user, kind="year_workbook", title="…", task=year_workbook_job, year_id=7)
    return redirect(job)                                  # the page polls until the file is there

``job_start`` writes the Job row and enqueues the task in the caller's transaction (with the database
backend the queue row commits or rolls back with the job). The worker (``manage.py db_worker``) then
calls the function with a ``Progress`` bound to the job; in tests the immediate backend runs it on the
spot. What the function raises decides the ending: ``ValidationError``/``PermissionDenied``/``JobError``
are people's mistakes and their (Chinese) text is shown as is; anything else is logged with its
traceback and shown as a generic error naming the job number.

``run_inline`` runs the same function in the current process (management commands), reporting progress
to a callback instead of a Job row.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import time
from collections.abc import Callable
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Job, JobStatus

logger = logging.getLogger(__name__)

# Progress writes are cheap but not free: at most one every PROGRESS_EVERY seconds (plus the last one).
PROGRESS_EVERY = 0.5


class JobError(Exception):
    """A failure to show to the person as it is (Chinese, names what to fix)."""


class Progress:
    """Handed to a job function: report how far it is, attach the result file."""

    def __init__(self, job: Job | None = None, *, echo: Callable[[str], None] | None = None):
        self.job = job
        self.echo = echo
        self._last = 0.0
        self.result_path: str | None = None

    @property
    def owner(self):
        return self.job.owner if self.job else None

    def step(self, done: int, total: int | None = None, message: str = "", *, force: bool = False) -> None:
        """Record ``done`` of ``total`` (None: unknown) with a message; throttled unless forced or complete."""
        now = time.monotonic()
        complete = total is not None and done >= total
        if not (force or complete or message or now - self._last >= PROGRESS_EVERY):
            return
        self._last = now
        if self.echo and message:
            self.echo(message if total is None else f"{message}({done}/{total})")
        if self.job is None:
            return
        fields = {"done": min(done, total) if total is not None else done, "total": total}
        if message:
            fields["message"] = message[:300]
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for name, value in fields.items():
            setattr(self.job, name, value)

    def attach(self, filename: str, content_type: str, write: Callable[[BinaryIO], Any]) -> None:
        """Write the result through a temporary file (never whole in memory) into private storage."""
        with tempfile.TemporaryFile() as fh:
            write(fh)
            fh.seek(0)
            if self.job is None:
                return
            self.job.result_name = filename
            self.job.result_type = content_type
            self.job.result.save(filename, File(fh), save=False)
        Job.objects.filter(pk=self.job.pk).update(
            result=self.job.result.name, result_name=filename, result_type=content_type
        )


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return ";".join(exc.messages)
    return str(exc) or _("无权执行该任务。")


def _run(fn: Callable, job_id: int, kwargs: dict) -> str:
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s vanished before it ran", job_id)
        return "missing"
    # A task is delivered once, but a worker killed mid-run may leave a job "running": never run it twice.
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return job.status
    job.status = JobStatus.RUNNING
    progress = Progress(job)
    try:
        fn(progress, **kwargs)
    except (ValidationError, PermissionDenied, JobError) as exc:
        _finish(job, JobStatus.FAILED, error=_error_text(exc))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, error=_("任务执行出错(任务编号 %(id)s),请联系系统管理员。") % {"id": job.pk})
    else:
        _finish(job, JobStatus.DONE)
    return job.status


def _finish(job: Job, status: str, *, error: str = "") -> None:
    fields = {"status": status, "error": error, "finished_at": timezone.now()}
    if status == JobStatus.DONE and job.total is not None:
        fields["done"] = job.total
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def job_task(fn: Callable) -> Any:
    """Make ``fn(progress, **kwargs)`` a queue task taking ``job_id`` plus the same keyword arguments.

    The returned object must be bound to the same module-level name as ``fn`` (the worker imports the
    task by ``module.qualname``); ``run_inline`` reaches ``fn`` again through ``task.func.__wrapped__``."""

    @functools.wraps(fn)
    def run(job_id: int, **kwargs):
        return _run(fn, job_id, kwargs)

    return task()(run)


def job_start(*, owner, kind: str, title: str, task, **kwargs) -> Job:
    """Create the job and enqueue its task (in one transaction with the database backend)."""
    with transaction.atomic():
        job = Job.objects.create(owner=owner, kind=kind, title=title, params=kwargs)
        result = task.enqueue(job_id=job.pk, **kwargs)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def run_inline(task, *, echo: Callable[[str], None] | None = None, **kwargs) -> Progress:
    """Run a job's function here and now (a management command), progress printed through ``echo``."""
    progress = Progress(echo=echo)
    task.func.__wrapped__(progress, **kwargs)
    return progress

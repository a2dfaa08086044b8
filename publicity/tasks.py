"""Background tasks of the publicity app (django-tasks; the worker is ``manage.py db_worker``).

- ``read_evidence_file``: read one stored proof (OCR or PDF text).
- ``import_pieces_job``: a big statistics table is written by the worker, with progress. The admin's
  confirm step starts it when a file has more than ``IMPORT_INLINE_MAX_ROWS`` rows (a province's
  year-end table); the command line (``manage.py import_pieces``) keeps working in the foreground. The
  job runs the very import the preview ran (``publicity.imports.import_pieces``) and refuses, like the
  inline confirm, a plan that differs from the preview's digest.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks import task

from jobs.runner import JobError, Progress, job_task
from sheets.tabular import ImportAborted, read_workbook, report_lines

TEXT = "text/plain; charset=utf-8"


def stash_upload(data: bytes) -> str:
    """Keep the uploaded table where the worker can read it (private storage, a generated name)."""
    return default_storage.save(f"imports/{uuid.uuid4().hex}", ContentFile(data))


@job_task
def import_pieces_job(
    progress: Progress,
    *,
    upload: str,
    file_name: str,
    year_id: int,
    approve: bool,
    aliases: list,
    fingerprint: str,
) -> None:
    from .imports import import_pieces
    from .models import AssessmentYear

    year = AssessmentYear.objects.filter(pk=year_id).first()
    if year is None:
        raise JobError("该考核年度已不存在。")
    try:
        progress.step(0, 4, "正在读取表格")
        with default_storage.open(upload, "rb") as fh:
            sheets = read_workbook(fh.read(), name=file_name)
        report = import_pieces(
            sheets,
            year=year,
            approve=approve,
            actor=progress.owner,
            add_aliases=[tuple(a) for a in aliases],
            expected_fingerprint=fingerprint,
            progress=progress.step,
        )
    except ImportAborted as exc:
        raise JobError(str(exc)) from exc
    finally:
        default_storage.delete(upload)
    if report.errors:
        shown = [str(e) for e in report.errors[:20]]
        raise JobError(";".join(shown) + ("……" if len(report.errors) > 20 else "") + " " + report.summary())
    text = "\n".join(report_lines(report, verbose=True)) + "\n"
    progress.attach(f"{year.year}年度稿件导入结果.txt", TEXT, lambda fh: fh.write(text.encode("utf-8")))
    progress.step(4, 4, report.summary())


@task()
def read_evidence_file(*, sha256: str, file_name: str) -> str:
    """Read one stored proof (OCR or PDF text) and keep the text and the fields found; idempotent."""
    from .proofs import read_stored

    return read_stored(sha256=sha256, file_name=file_name)

"""Background tasks of the publicity app (django-tasks; the worker is ``manage.py db_worker``)."""

from django_tasks import task


@task()
def read_evidence_file(*, sha256: str, file_name: str) -> str:
    """Read one stored proof (OCR or PDF text) and keep the text and the fields found; idempotent."""
    from .proofs import read_stored

    return read_stored(sha256=sha256, file_name=file_name)

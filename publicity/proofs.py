"""The bridge between the pure reader (``proof``) and the database: the outlet catalogue as plain data,
queueing a stored file for reading, and the reading itself (run by the worker, ``publicity.tasks``).

A file is read once: readings are keyed by the file's SHA-256, and a reading that is done (or failed
on a file the engine cannot read) is not repeated. A missing engine leaves the reading "unavailable";
it is tried again when the file is queued again (``manage.py read_evidence --stored``). Whatever
happens here, the upload itself has already been saved and works as before.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from proof import engine, similar
from proof.fields import OutletEntry, extract

from .models import EvidenceReading, Outlet, ReadingStatus

logger = logging.getLogger(__name__)

FINAL = (ReadingStatus.DONE, ReadingStatus.FAILED)


def outlet_catalogue() -> list[OutletEntry]:
    """Every outlet (active or not: an old clipping may name one retired since) as plain data, one query."""
    return [
        OutletEntry(o.name, tuple(o.alias_list), tuple(o.domain_list))
        for o in Outlet.objects.only("name", "aliases", "domains").order_by("-is_active", "id")
    ]


def request_reading(*, sha256: str, file_name: str) -> None:
    """Make sure a reading row exists and, unless the file was read already, queue the task. Called
    after the upload commits; a queue that refuses is logged and the upload stays as it is."""
    from .tasks import read_evidence_file

    try:
        reading, _ = EvidenceReading.objects.get_or_create(sha256=sha256)
        if reading.status in FINAL:
            return
        read_evidence_file.enqueue(sha256=sha256, file_name=file_name)
    except Exception:
        logger.exception("could not queue the reading of %s", file_name)


def read_stored(*, sha256: str, file_name: str, force: bool = False) -> str:
    """Read a stored file and keep what it says; returns the reading's status. Idempotent."""
    with transaction.atomic():
        reading, _ = EvidenceReading.objects.select_for_update().get_or_create(sha256=sha256)
        if reading.status in FINAL and not force:
            return reading.status
    try:
        with default_storage.open(file_name, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError) as exc:
        return _finish(sha256, ReadingStatus.FAILED, error=f"文件无法打开:{exc}")
    if hashlib.sha256(data).hexdigest() != sha256:
        return _finish(sha256, ReadingStatus.FAILED, error="文件内容与记录的 SHA-256 不符")
    try:
        result = engine.read_bytes(data)
    except engine.EngineUnavailable as exc:
        return _finish(sha256, ReadingStatus.UNAVAILABLE, error=str(exc))
    except engine.UnreadableFile as exc:
        return _finish(sha256, ReadingStatus.FAILED, error=str(exc))
    except Exception as exc:  # the engine crashed on this file: keep the upload, say so, log the trace
        logger.exception("reading %s failed", file_name)
        return _finish(sha256, ReadingStatus.FAILED, error=f"识别出错:{type(exc).__name__}")
    fields = extract(result.lines, outlet_catalogue())
    text = result.text
    return _finish(
        sha256,
        ReadingStatus.DONE,
        engine=result.engine[:100],
        source=result.source,
        text=text,
        lines=[line.to_dict() for line in result.lines],
        fields=fields.to_dict(),
        signature=similar.signature(text),
        seconds=round(result.seconds, 3),
        error="",
    )


def _finish(sha256: str, status: str, **values) -> str:
    values.setdefault("error", "")
    values["error"] = values["error"][:500]
    EvidenceReading.objects.filter(sha256=sha256).update(status=status, read_at=timezone.now(), **values)
    return status


def readings_for(sha256s) -> dict[str, EvidenceReading]:
    """{sha256: reading} for many files in one query."""
    wanted = {s for s in sha256s if s}
    if not wanted:
        return {}
    return {r.sha256: r for r in EvidenceReading.objects.filter(sha256__in=wanted)}

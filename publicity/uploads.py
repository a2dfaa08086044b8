"""Evidence upload checks: the file's content decides its type, never its name or the browser's claim.

Accepted: JPEG, PNG, WebP images and PDF, up to ``settings.EVIDENCE_MAX_BYTES``. Images are stored
re-encoded (publicity.upload_guard); callers store ``info.stored or upload``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ALLOWED_LABEL = gettext_lazy("JPEG、PNG、WebP 图片或 PDF 文件")


@dataclass(frozen=True)
class EvidenceInfo:
    content_type: str
    size: int
    sha256: str
    # What to store instead of the upload (a re-encoded image); None: the upload itself.
    stored: object | None = None


def sniff_type(head: bytes) -> str | None:
    """The content type named by a file's first bytes (magic numbers), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def validate_evidence(upload, *, label: str | None = None) -> EvidenceInfo:
    """Check an uploaded file and return its type, size and SHA-256; raise a Chinese ValidationError.
    A refusal is recorded in the audit trail (kept although the caller's transaction rolls back)."""
    try:
        return _validate_evidence(upload, label=label)
    except ValidationError as exc:
        from audit.models import AuditAction
        from audit.recorder import record_refusal

        from .upload_guard import display_name

        record_refusal(
            AuditAction.UPLOAD_REFUSED,
            object_repr=display_name(getattr(upload, "name", "")),
            message=f"{exc.messages[0]}({getattr(upload, 'size', 0) or 0}字节)",
        )
        raise


def _validate_evidence(upload, *, label: str | None = None) -> EvidenceInfo:
    size = upload.size or 0
    limit = settings.EVIDENCE_MAX_BYTES
    label = label or _("佐证材料")
    if size == 0:
        raise ValidationError(_("%(label)s:文件是空的,请重新选择。") % {"label": label})
    if size > limit:
        raise ValidationError(
            _("%(label)s:文件大小 %(size)s MB,超过上限 %(limit)s MB,请压缩后再上传。")
            % {"label": label, "size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.1f}"}
        )
    upload.seek(0)
    head = upload.read(16)
    content_type = sniff_type(head)
    if content_type is None:
        raise ValidationError(
            _("%(label)s:文件内容不是%(allowed)s(按文件内容识别,与扩展名无关)。")
            % {"label": label, "allowed": ALLOWED_LABEL}
        )
    # Beyond the magic bytes: images re-encoded without metadata, PDFs without active content (security).
    from django.core.files.base import ContentFile

    from .upload_guard import inspect_content

    cleaned = inspect_content(upload, content_type, label=label)
    if cleaned is not None:
        # The stored file is the re-encoded image: its size and SHA-256 are the ones recorded.
        stored = ContentFile(cleaned, name=getattr(upload, "name", "") or "upload")
        return EvidenceInfo(
            content_type=content_type,
            size=len(cleaned),
            sha256=hashlib.sha256(cleaned).hexdigest(),
            stored=stored,
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return EvidenceInfo(content_type=content_type, size=size, sha256=digest.hexdigest())

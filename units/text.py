"""Typed text as a service receives it: trimmed, checked for control characters (the shared check of
``units.validators``), and required when the field must be filled; errors are keyed by the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .validators import reject_control_chars


def clean_text(value: str | None, *, field: str, label: str, multiline: bool = False, required: bool = False) -> str:
    """``value`` trimmed; raise ``ValidationError({field: …})`` on a control character, a line break in a
    one-line field, or an empty required field."""
    text = (value or "").strip()
    try:
        reject_control_chars(text, label=label)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    if not multiline and ("\n" in text or "\r" in text):
        raise ValidationError({field: _("%(label)s不能换行。") % {"label": label}})
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    return text

"""Typed text as people send it: trimmed, and without control characters.

A control character (NUL breaks PostgreSQL; others hide text in documents and break openpyxl) in a
title or reason is refused with a Chinese error naming the field, rather than silently dropped.
Line breaks and tabs are allowed only in multi-line fields (a body, a summary).
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MULTILINE_OK = {"\n", "\r", "\t"}


def clean_text(value: str | None, *, field: str, label: str, multiline: bool = False, required: bool = False) -> str:
    """``value`` trimmed; raise ``ValidationError({field: …})`` on a control character (or when empty and required)."""
    text = (value or "").strip()
    for ch in text:
        if multiline and ch in MULTILINE_OK:
            continue
        # Cc: control characters; Cf: format characters such as bidi overrides (U+202E) that disguise text.
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in ("\u200d",):
            raise ValidationError(
                {
                    field: _("%(label)s含有不可见的控制字符(U+%(code)s),请删除后重新填写。")
                    % {"label": label, "code": f"{ord(ch):04X}"}
                }
            )
    if required and not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    return text

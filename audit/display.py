"""Readable rendering of an audit row's changes: "字段中文名:旧值 → 新值".

Display only: the stored JSON (internal field names, raw values) is never rewritten. Labels come
from the model's own field definitions (verbose_name, choice labels), so no query is made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.utils.translation import gettext as _

ARROW = " → "


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}:{self.old}{ARROW}{self.new}"


@lru_cache(maxsize=256)
def _fields(model_label: str) -> dict:
    """attname / name -> field for a model label such as "publicity.assessmentyear" ({} if unknown)."""
    if not model_label:
        return {}
    try:
        model = apps.get_model(model_label)
    except (LookupError, ValueError):
        return {}
    found = {}
    for field in model._meta.get_fields():
        if getattr(field, "auto_created", False) and not getattr(field, "concrete", False):
            continue  # reverse relations
        found[field.name] = field
        attname = getattr(field, "attname", None)
        if attname:
            found[attname] = field
    return found


def model_verbose_name(model_label: str) -> str:
    try:
        return str(apps.get_model(model_label)._meta.verbose_name)
    except (LookupError, ValueError):
        return model_label


def _field_for(fields: dict, key: str):
    field = fields.get(key)
    if field is None and key.endswith("_id"):
        field = fields.get(key[: -len("_id")])
    return field


def _choice_label(field, value):
    if not getattr(field, "choices", None):
        return None  # never field.get_choices(): on a relation that would query the database
    for choice, label in field.flatchoices:
        if choice == value or str(choice) == str(value):
            return str(label)
    return None


def format_value(value, field=None) -> str:
    if value is None or value == "":
        return _("(空)")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple):
        if not value:
            return _("(空)")
        return "、".join(format_value(v, field) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if field is not None:
        label = _choice_label(field, value)
        if label is not None:
            return label
    return str(value)


def readable_changes(model_label: str, changes) -> list[ChangeLine]:
    """One line per changed field, labelled with the field's verbose_name and choice labels."""
    if not isinstance(changes, dict):
        return [ChangeLine(_("变更"), "", format_value(changes))] if changes else []
    fields = _fields(model_label or "")
    lines = []
    for key, change in changes.items():
        field = _field_for(fields, key)
        label = str(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else key
        if isinstance(change, list | tuple) and len(change) == 2:
            old, new = change
        else:
            old, new = None, change
        lines.append(ChangeLine(label, format_value(old, field), format_value(new, field)))
    return lines


def readable_changes_text(model_label: str, changes) -> str:
    return ";".join(str(line) for line in readable_changes(model_label, changes))

"""Password rules (等保2.0 身份鉴别: 口令具有复杂度要求).

Used through settings.AUTH_PASSWORD_VALIDATORS together with Django's own validators
(minimum length, common passwords, similarity to the user's attributes).
"""

import re
import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

CLASSES = (
    ("大写字母", lambda c: c.isascii() and c.isupper()),
    ("小写字母", lambda c: c.isascii() and c.islower()),
    ("数字", lambda c: c.isdigit()),
    ("符号", lambda c: c in string.punctuation or c == " " or not (c.isascii() and c.isalnum())),
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CLASSES if any(test(c) for c in password)}


class ComplexityValidator:
    """At least ``min_length`` characters from at least ``min_classes`` of the four classes
    (upper case, lower case, digits, symbols; a non-ASCII character such as a Chinese one counts
    as a symbol)."""

    def __init__(self, min_length: int = 8, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    f"密码太短:至少需要{self.min_length}个字符,当前只有{len(password)}个。", code="password_too_short"
                )
            )
        found = character_classes(password)
        if len(found) < self.min_classes:
            missing = [name for name, _ in CLASSES if name not in found]
            errors.append(
                ValidationError(
                    f"密码太简单:须包含大写字母、小写字母、数字、符号四类中的至少{self.min_classes}类,"
                    f"当前只有{len(found)}类(缺少:{'、'.join(missing)})。",
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return f"密码至少{self.min_length}位,须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。"


# --- Control characters (issue 11 item 8) -------------------------------------------------------
# C0 control characters other than tab, line feed and carriage return (a browser sends a textarea's
# line breaks as CR LF). Typed or imported into a title or a name they break every Excel writer
# (openpyxl refuses them: the same set as openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE) and hide text in
# the audit trail. Every input door refuses them with reject_control_chars; every writer strips what
# still arrives with strip_control_chars.
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def find_control_char(value) -> str | None:
    """The first forbidden control character in ``value`` (a string; anything else has none)."""
    if not isinstance(value, str):
        return None
    match = CONTROL_CHARS_RE.search(value)
    return match.group() if match else None


def reject_control_chars(value, *, label: str = "") -> None:
    """Raise a field error when ``value`` holds a control character. Usable as a form or model
    field validator (``validators=[reject_control_chars]``) and called by services and imports,
    which pass ``label`` to name the field or cell."""
    char = find_control_char(value)
    if char is None:
        return
    raise ValidationError(
        gettext("%(label)s含有不可见的控制字符(U+%(code)s),请删除后重新输入(常见于从其他软件复制粘贴的文字)。")
        % {"label": label, "code": f"{ord(char):04X}"},
        code="control_characters",
    )


def strip_control_chars(value):
    """``value`` without the forbidden control characters; non-strings pass through unchanged."""
    if isinstance(value, str):
        return CONTROL_CHARS_RE.sub("", value)
    return value


def reject_control_chars_in(data: dict, *, labels: dict | None = None) -> None:
    """Check every string in ``data`` (field name → value, lists of strings too); one error per field."""
    errors: dict[str, list] = {}
    for field, value in data.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            try:
                reject_control_chars(item, label=(labels or {}).get(field, ""))
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
                break
    if errors:
        raise ValidationError(errors)

"""Password rules (等保2.0 身份鉴别: 口令具有复杂度要求).

Used through settings.AUTH_PASSWORD_VALIDATORS together with Django's own validators
(minimum length, common passwords, similarity to the user's attributes).
"""

import string

from django.core.exceptions import ValidationError

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

"""Password rules (等保 口令复杂度): ≥ 8 characters, 3 of 4 classes, not common, not like the account."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from units.validators import ComplexityValidator, character_classes


@pytest.mark.parametrize(
    "password, classes",
    [
        ("abcdefgh", {"小写字母"}),
        ("Abcdefgh", {"大写字母", "小写字母"}),
        ("Abcdefg1", {"大写字母", "小写字母", "数字"}),
        ("abc#1234", {"小写字母", "数字", "符号"}),
        ("宣传abc123", {"小写字母", "数字", "符号"}),  # a Chinese character counts as a symbol
    ],
)
def test_character_classes(password, classes):
    assert character_classes(password) == classes


@pytest.mark.parametrize("password", ["Ab1#xyz", "abcdefgh", "ABCD1234", "abcd1234", "Abcdefgh", "12345678!"])
def test_complexity_rejects_short_or_simple(password):
    with pytest.raises(ValidationError) as exc:
        ComplexityValidator().validate(password)
    text = " ".join(exc.value.messages)
    assert "密码太" in text


def test_complexity_message_names_what_is_missing():
    with pytest.raises(ValidationError) as exc:
        ComplexityValidator().validate("abcdefgh")
    assert exc.value.messages == [
        "密码太简单:须包含大写字母、小写字母、数字、符号四类中的至少3类,当前只有1类(缺少:大写字母、数字、符号)。"
    ]


def test_too_short_message_in_chinese():
    with pytest.raises(ValidationError) as exc:
        ComplexityValidator().validate("Ab1#")
    assert "至少需要8个字符,当前只有4个" in exc.value.messages[0]


@pytest.mark.parametrize("password", ["Abcdefg1", "abc#1234", "Xuanchuan#2011", "宣传Ab12345"])
def test_complexity_accepts_three_classes(password):
    ComplexityValidator().validate(password)


def test_settings_reject_common_password_even_if_complex():
    # "Password1" has three classes but is on Django's common-password list.
    with pytest.raises(ValidationError) as exc:
        validate_password("Password1")
    assert any(e.code == "password_too_common" for e in exc.value.error_list)


@pytest.mark.django_db
def test_settings_reject_password_like_the_username(users):
    user = users["liaison_a"]
    with pytest.raises(ValidationError) as exc:
        validate_password("Liaison_a1", user)
    assert any(e.code == "password_too_similar" for e in exc.value.error_list)


def test_settings_accept_the_demo_password():
    from tests.conftest import PASSWORD

    validate_password(PASSWORD)


def test_help_text_is_chinese():
    assert "至少8位" in ComplexityValidator().get_help_text()

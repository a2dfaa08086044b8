"""Item 13: a character count out of range gets a clear Chinese message, not Django's generic one."""

import pytest
from django.urls import reverse

from publicity.models import Piece
from tests.web.conftest import piece_post


@pytest.mark.parametrize("value", ["1000001", "-5"])
def test_out_of_range_character_count(as_user, users, units, value):
    response = as_user(users["liaison_a"]).post(reverse("publicity:piece-create"), piece_post(characters=value))
    html = response.content.decode()
    assert response.status_code == 400
    assert "1到1000000之间的整数" in html  # a positive count: rewards depend on length (issue 12)
    assert "确保该值" not in html
    assert not Piece.objects.exists()

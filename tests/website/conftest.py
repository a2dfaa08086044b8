"""Personas of the website workflow on top of the shared ones: the website editor and two deputy directors."""

import pytest

from tests.browser_kit import reload_preset_after  # noqa: F401
from tests.conftest import PASSWORD
from tests.web.conftest import PDF_BYTES, as_user, media_tmp, png_bytes, png_upload  # noqa: F401


@pytest.fixture
def staff(users, units):
    from units.models import User

    def make(username, **roles):
        return User.objects.create_user(
            username=username, password=PASSWORD, display_name=username, **{f"is_{r}": True for r in roles}
        )

    users["editor"] = make("editor", website_editor=True)
    users["deputy"] = make("deputy", deputy_director=True)
    users["deputy2"] = make("deputy2", deputy_director=True)
    return users


@pytest.fixture
def item_input():
    from website.services import ItemInput

    def make(**over):
        data = {
            "title": "汉滨区启动春风行动",
            "body": "汉滨区人社局3月1日启动2011年春风行动,\n组织专场招聘会12场。",
            "authors": "李晓梅、王强",
            "kind": "news",
            "is_major": False,
            "signoff_mode": "in_app",
            "source_url": "",
        }
        data.update(over)
        return ItemInput(**data)

    return make


@pytest.fixture
def draft(staff, units, year, item_input):
    from website.services import item_save

    def make(unit=None, actor=None, submit=False, **over):
        return item_save(
            actor=actor or staff["liaison_a"],
            unit=unit or units["a"],
            year=year,
            data=item_input(**over),
            submit=submit,
        )

    return make

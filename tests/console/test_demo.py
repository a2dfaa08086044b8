"""The demo shows the bureau console: the quota grid with a few units' own targets, 2011 ready to roll over
into 2012, and a reminder e-mail (printed by the console backend under `make demo`)."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_demo_shows_the_console(client):
    from publicity.models import AssessmentYear, Reminder, UnitTarget
    from units.models import User

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert UnitTarget.objects.filter(unit__name="汉滨区人社局", indicator__code="C1").get().target == 45
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bangongshi@example.cn"]
    assert "催报" in mail.outbox[0].subject and "办公室" in mail.outbox[0].body
    assert Reminder.objects.exists() and "催报邮件1封" in out.getvalue()
    client.force_login(User.objects.get(username="admin"))
    grid = client.get(reverse("console:quota-grid", args=[2011])).content.decode()
    assert "汉滨区人社局" in grid and 'value="45"' in grid
    year_page = client.get(reverse("console:year", args=[2011])).content.decode()
    assert "结转生成2012年度…" in year_page and not AssessmentYear.objects.filter(year=2012).exists()
    # Run again: nothing is e-mailed twice.
    call_command("load_demo", stdout=StringIO())
    assert len(mail.outbox) == 1

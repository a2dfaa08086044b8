"""`make demo` shows a subscription task (some units reported, one waiting for review) and a unit with its
own reward schedule, both on their pages."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_demo_has_a_subscription_task_and_an_own_schedule(client):
    from figures.models import FigureReport, ReportStatus
    from scoring.models import RewardSchedule
    from scoring.own_schedule import own_rewards
    from units.models import Unit, User

    call_command("load_demo", stdout=StringIO())
    statuses = dict(FigureReport.objects.values_list("unit__name", "status"))
    assert statuses["旬阳县人社局"] == ReportStatus.SUBMITTED and statuses["汉滨区人社局"] == ReportStatus.APPROVED
    assert ReportStatus.REJECTED in statuses.values() and "平利县人社局" not in statuses
    hanbin = Unit.objects.get(name="汉滨区人社局")
    schedule = RewardSchedule.objects.get(owner_unit=hanbin)
    assert schedule.rules.count() == 7
    from publicity.models import AssessmentYear

    assert own_rewards(AssessmentYear.objects.get(year=2011), hanbin).total > Decimal("0")
    client.force_login(User.objects.get(username="hanbin"))
    home = client.get(reverse("publicity:unit-home")).content.decode()
    assert "安康日报征订" in home and "已通过 68 / 任务 60 份" in home
    assert 'id="own-total"' in client.get("/o/").content.decode()
    client.force_login(User.objects.get(username="reviewer"))
    dashboard = client.get(reverse("publicity:dashboard")).content.decode()
    assert 'id="figure-tasks"' in dashboard and "待审核 1" in dashboard
    # hanbin: 68 against 60 → 1 + min(8 × 0.02, 0.30) = 1.16 in its score
    page = client.get(reverse("scoring:unit-score", args=[2011, hanbin.pk])).content.decode()
    assert 'id="figure-points">1.16<' in page
    call_command("load_demo", stdout=StringIO())  # idempotent
    assert FigureReport.objects.count() == 4 and RewardSchedule.objects.filter(owner_unit__isnull=False).count() == 1

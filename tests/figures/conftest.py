"""A subscription task (发行征订) of 2011 on top of the shared personas."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.browser_kit import reload_preset_after  # noqa: F401
from tests.web.conftest import PDF_BYTES, media_tmp, png_bytes, png_upload  # noqa: F401


@pytest.fixture
def task(year, kinds):
    """安康日报征订: 50 份 per county bureau, scored: full 1, +0.02 per copy over (cap 0.3), −0.05 per copy short."""
    from figures.models import FigureTask

    t = FigureTask.objects.create(
        year=year,
        name="安康日报征订",
        unit_label="份",
        default_target=50,
        is_scored=True,
        full_score=Decimal("1.00"),
        bonus_per_unit=Decimal("0.02"),
        bonus_cap=Decimal("0.30"),
        penalty_per_unit=Decimal("0.05"),
    )
    t.unit_kinds.set([kinds["county"]])
    return t


@pytest.fixture
def upload():
    def make(name="征订单.png"):
        return SimpleUploadedFile(name, png_bytes(), content_type="image/png")

    return make


@pytest.fixture
def reported(task, users, units, upload):
    """report(unit_key, value) by that unit's liaison; approve=True has the reviewer approve it."""
    from figures import services

    def make(key="a", value=47, approve=False):
        report = services.report_submit(
            actor=users[f"liaison_{key}"], task=task, unit=units[key], value=value, evidence=upload()
        )
        if approve:
            report = services.report_review(actor=users["reviewer"], report=report, approve=True)
        return report

    return make

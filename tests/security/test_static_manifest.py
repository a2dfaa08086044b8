"""Issue 11 item 9: production serves pages with the manifest storage really on. collectstatic must succeed
on every vendored file (Chart.js shipped a //# sourceMappingURL to a map that is not vendored), and pages
must render with hashed static names afterwards."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_settings_use_the_manifest_storage():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("STATICFILES_BACKEND", None)
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == MANIFEST


def test_no_vendored_file_points_at_a_missing_source_map():
    for path in (ROOT / "static").rglob("*.js"):
        text = path.read_text("utf-8", errors="replace")
        for line in text.splitlines()[-3:]:
            if "sourceMappingURL=" in line:
                target = path.parent / line.split("sourceMappingURL=", 1)[1].strip()
                assert target.exists(), f"{path.relative_to(ROOT)} points at {target.name}, which is not shipped"


@pytest.mark.django_db
def test_collectstatic_then_pages_render_with_hashed_names(settings, tmp_path, client, users, units):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    settings.DEBUG = False
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (settings.STATIC_ROOT / "staticfiles.json").exists()
    assert not client.get(reverse("login")).status_code >= 500
    page = client.get(reverse("login")).content.decode()
    assert "/static/css/app." in page and "/static/css/app.css" not in page  # the hashed name
    client.force_login(users["leader"])
    page = client.get(reverse("publicity:dashboard")).content.decode()
    assert "/static/vendor/chartjs/chart.umd.min." in page and 'chart.umd.min.js"' not in page
    client.force_login(users["liaison_a"])
    assert client.get(reverse("publicity:piece-create")).status_code == 200

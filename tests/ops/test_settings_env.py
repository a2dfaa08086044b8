"""Past one machine is configured by environment only: Redis, object storage, a read replica."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'cache': s.CACHES['default']['BACKEND'], 'session': s.SESSION_ENGINE, "
    "'storage': s.STORAGES['default'], 'replica': s.DATABASES.get('replica', {}).get('NAME'), "
    "'replica_on': s.READ_REPLICA_ENABLED}))"
)


def settings_with(**env) -> tuple[int, dict | str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MEDIA_STORAGE", "DATABASE_REPLICA_URL")}
    done = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout) if done.returncode == 0 else done.stderr


def test_defaults_need_no_service():
    code, s = settings_with()
    assert code == 0
    assert s["cache"].endswith("LocMemCache") and s["session"] == "django.contrib.sessions.backends.db"
    assert s["storage"]["BACKEND"].endswith("FileSystemStorage") and s["replica"] is None and not s["replica_on"]


def test_redis_object_storage_and_replica_from_the_environment():
    code, s = settings_with(
        REDIS_URL="redis://127.0.0.1:6379/3",
        MEDIA_STORAGE="s3",
        S3_BUCKET="evidence",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
        DATABASE_REPLICA_URL="postgres://reader@db2:5432/publicity",
    )
    assert code == 0, s
    assert s["cache"].endswith("RedisCache") and s["session"].endswith("cached_db")
    assert s["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s["storage"]["OPTIONS"]["bucket_name"] == "evidence" and s["storage"]["OPTIONS"]["default_acl"] == "private"
    assert s["replica"] == "publicity" and s["replica_on"]


def test_object_storage_without_a_bucket_refuses_to_start():
    code, err = settings_with(MEDIA_STORAGE="s3")
    assert code != 0 and "MEDIA_STORAGE=s3 needs S3_BUCKET" in err

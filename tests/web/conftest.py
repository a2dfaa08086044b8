"""Web app fixtures: tiny but real evidence files, a media folder per test, and client helpers."""

import datetime as dt
import hashlib
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.pdfs import build as build_pdf


def png_bytes(width: int = 4, height: int = 3, rgb=(200, 30, 30)) -> bytes:
    """A valid PNG (so that a browser can render the thumbnail)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


PDF_BYTES = build_pdf(packed=False)


@pytest.fixture(autouse=True)
def media_tmp(settings, tmp_path):
    # A fast hasher: a dozen personas per test with PBKDF2 cost seconds on a shared 2-core box.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def png_upload():
    def make(name="clip.png"):
        return SimpleUploadedFile(name, png_bytes(), content_type="image/png")

    return make


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def piece_post(**overrides) -> dict:
    """POST data for the piece form: one publication in 安康日报 unless overridden."""
    data = {
        "title": "汉滨区举办春风行动招聘会",
        "kind": "news",
        "authors": "张三、李四",
        "characters": "900",
        "report_date": "",
        "action": "submit",
        "version": "",
        "pub-TOTAL_FORMS": "1",
        "pub-INITIAL_FORMS": "0",
        "pub-MIN_NUM_FORMS": "0",
        "pub-MAX_NUM_FORMS": "20",
        "pub-0-outlet": "安康日报",
        "pub-0-date": "2011-03-05",
        "pub-0-placement": "other",
        "pub-0-page": "2版",
        "pub-0-url": "",
    }
    data.update(overrides)
    if "pub-0-url" not in overrides and data.get("pub-0-outlet"):
        # Proof by link (the 2011 preset asks each publication for a file or a link); one page per title, so
        # two different pieces never share a link (which would be a duplicate warning).
        digest = hashlib.md5(data["title"].encode()).hexdigest()[:12]
        data["pub-0-url"] = f"https://akxw.cn/news/{digest}.html"
    return data


def add_pub(data: dict, index: int, outlet: str, date: str, url: str = "", placement: str = "other") -> dict:
    data = dict(data)
    data.update(
        {
            f"pub-{index}-outlet": outlet,
            f"pub-{index}-date": date,
            f"pub-{index}-placement": placement,
            f"pub-{index}-page": "",
            f"pub-{index}-url": url,
        }
    )
    data["pub-TOTAL_FORMS"] = str(max(int(data["pub-TOTAL_FORMS"]), index + 1))
    return data


def make_many(make_piece, unit, n, *, status="approved", prefix="稿件", outlet="安康日报"):
    """n approved pieces with distinct titles, spread over the year."""
    start = dt.date(2011, 1, 3)
    return [
        make_piece(
            unit,
            f"{prefix}{hashlib.md5(f'{unit.pk}-{prefix}-{i}'.encode()).hexdigest()[:14]}",
            [(outlet, (start + dt.timedelta(days=(i * 7) % 350)).isoformat())],
            status=status,
        )
        for i in range(n)
    ]


__all__ = ["PDF_BYTES", "add_pub", "io", "make_many", "piece_post", "png_bytes"]

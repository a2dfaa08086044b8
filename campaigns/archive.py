"""Everything a unit sent for a campaign, as one zip written while it is sent (bounded memory).

The zip is written into a sink that keeps only what was written since the last chunk was handed out, so a
unit's 200 MB video passes through in 64 KB pieces and the server never holds the whole archive. Without a
seekable output ``zipfile`` writes each member's sizes after its data (a data descriptor), which every
unzip tool reads. Photos and videos are already compressed: members are stored, not deflated.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CampaignFile, DeliverableKind

CHUNK = 64 * 1024


class _Sink(io.RawIOBase):
    """A write-only, non-seekable stream that hands out what was written since the last ``take``."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._pos = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self._pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self._pos

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def member_names(files: Iterable[CampaignFile]) -> list[str]:
    """``照片/01-现场.jpg``: a folder per kind, a number per file (two files of one name both survive), the
    uploader's name without any path (display_name already stripped it)."""
    seen: dict[str, int] = {}
    names = []
    for f in files:
        folder = DeliverableKind(f.kind).label
        seen[folder] = seen.get(folder, 0) + 1
        base = _("总结正文.txt") if f.is_text else (f.name or "file").replace("/", "_").replace("\\", "_")
        names.append(f"{folder}/{seen[folder]:02d}-{base}")
    return names


def stream_zip(files: list[CampaignFile]) -> Iterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as zf:
        for f, name in zip(files, member_names(files), strict=True):
            info = zipfile.ZipInfo(name, date_time=timezone.localtime(f.uploaded_at).timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=True) as member:
                if f.is_text:
                    member.write(("\ufeff" + f.text).encode("utf-8"))  # with a BOM, so Notepad reads it as UTF-8
                else:
                    with f.file.open("rb") as src:
                        while chunk := src.read(CHUNK):
                            member.write(chunk)
                            yield sink.take()
            yield sink.take()
    yield sink.take()

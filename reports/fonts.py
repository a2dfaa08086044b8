"""A Chinese font for reportlab that is embedded in the PDF, so it renders on a bare machine too.

Order: ``settings.PDF_CJK_FONT`` (a .ttf/.ttc path), then common TrueType CJK locations (Debian's
fonts-wqy-zenhei first), then reportlab's built-in ``STSong-Light`` CID font as a last resort. The CID
font needs no file but is NOT embedded: it shows only where the reader has a CJK font of its own.
Noto CJK is OpenType/CFF, which reportlab cannot embed, so it is not on the list.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

logger = logging.getLogger(__name__)

FONT_NAME = "CJK"
FALLBACK_CID = "STSong-Light"
CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",  # Fedora / RHEL
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",  # Arch
    "/System/Library/Fonts/Supplemental/Songti.ttc",  # macOS
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/simhei.ttf",
]


@dataclass(frozen=True)
class CJKFont:
    name: str  # the name to use in reportlab styles
    path: str | None  # None for the CID fallback
    embedded: bool


def _register_ttf(path: str) -> bool:
    try:
        kwargs = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, **kwargs))
        return True
    except (TTFError, OSError) as exc:
        logger.warning("PDF font %s could not be loaded: %s", path, exc)
        return False


@cache
def cjk_font() -> CJKFont:
    """Register (once) and return the font every PDF of this app uses."""
    configured = getattr(settings, "PDF_CJK_FONT", "") or ""
    paths = ([configured] if configured else []) + CANDIDATES
    for path in paths:
        if os.path.isfile(path) and _register_ttf(path):
            return CJKFont(FONT_NAME, path, embedded=True)
        if path == configured:
            logger.warning("settings.PDF_CJK_FONT=%s is not a usable TrueType font; searching elsewhere", path)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID))
    logger.warning("No TrueType CJK font found; PDFs use %s, which is not embedded", FALLBACK_CID)
    return CJKFont(FALLBACK_CID, None, embedded=False)

"""A PDF proof's first page as a PNG, so the reviewer sees it in the page instead of downloading it
(issue 11 item 6). Rendered server-side with pypdfium2 (PDFium in a wheel, no external program),
at a bounded size whatever the page's declared dimensions, and kept in a small per-process cache
keyed by the file's SHA-256 (the same file is never rendered twice by one worker)."""

from __future__ import annotations

import io
from collections import OrderedDict
from threading import Lock

MAX_EDGE = 1400  # pixels on the long side: a clipping stays readable on a desktop screen
MAX_SCALE = 2.0
CACHE_SIZE = 64

_cache: OrderedDict[str, bytes] = OrderedDict()
_lock = Lock()


class PreviewError(Exception):
    pass


def render_first_page(data: bytes) -> bytes:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PreviewError(str(exc)) from exc
    try:
        if len(pdf) == 0:
            raise PreviewError("PDF 没有页面")
        page = pdf[0]
        width, height = page.get_size()
        longest = max(width, height, 1.0)
        scale = min(MAX_SCALE, MAX_EDGE / longest)
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def first_page_png(data: bytes, *, key: str) -> bytes:
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    png = render_first_page(data)
    with _lock:
        _cache[key] = png
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return png

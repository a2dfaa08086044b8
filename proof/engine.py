"""The one door to the OCR engine and the PDF readers, so either can be swapped.

OCR: ``rapidocr_onnxruntime`` (Apache-2.0; the PP-OCR detection, direction and Chinese recognition
models ship inside the wheel and run on the CPU through onnxruntime: nothing is downloaded at run
time, which matters on closed government networks). PDFs: the text layer through pypdf when the
first pages have one, else the first page is rendered with pypdfium2 (a wheel with PDFium inside,
no system packages) and read by OCR.

Everything returns a :class:`Reading`: lines of text with their boxes (pixels for images, points for
PDF text) in reading order, the engine's name and version, and the seconds spent.
"""

from __future__ import annotations

import io
import math
import os
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Protocol

MAX_SIDE = 2400  # phone photos are downscaled to this before OCR: finer adds time, not accuracy
PDF_TEXT_PAGES = 3  # the text layer of the first pages; a clipping PDF is one or two pages
PDF_MIN_TEXT = 20  # fewer characters than this in the text layer: a scan, so render and OCR
PDF_RENDER_SCALE = 2.0  # 144 dpi: small newspaper type stays legible


class EngineUnavailable(RuntimeError):
    """No OCR engine is installed (or it cannot load): the upload still works, unread."""


class UnreadableFile(ValueError):
    """The file is not an image or PDF this module can open."""


@dataclass(frozen=True)
class Line:
    text: str
    left: float = 0.0
    top: float = 0.0
    width: float = 0.0
    height: float = 0.0
    confidence: float = 1.0

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "left": round(self.left, 1),
            "top": round(self.top, 1),
            "width": round(self.width, 1),
            "height": round(self.height, 1),
            "confidence": round(self.confidence, 3),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Line:
        return cls(
            text=str(data.get("text", "")),
            left=float(data.get("left", 0)),
            top=float(data.get("top", 0)),
            width=float(data.get("width", 0)),
            height=float(data.get("height", 0)),
            confidence=float(data.get("confidence", 1)),
        )


@dataclass(frozen=True)
class Reading:
    lines: tuple[Line, ...]
    source: str  # "ocr" or "pdf-text"
    engine: str  # e.g. "rapidocr_onnxruntime 1.4.4" or "pypdf 7.1.1"
    seconds: float = 0.0
    page_size: tuple[float, float] = (0.0, 0.0)
    notes: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class OcrEngine(Protocol):
    name: str

    def read_image(self, image) -> list[Line]:
        """Lines read from a PIL image (RGB)."""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


class RapidOcrEngine:
    """rapidocr_onnxruntime: ~0.3 s to load, ~1–3 s per clipping on one core."""

    def __init__(self, threads: int | None = None):
        try:
            from rapidocr_onnxruntime import RapidOCR
        except Exception as exc:  # ImportError, or a broken onnxruntime/opencv shared library
            raise EngineUnavailable(f"rapidocr_onnxruntime 无法加载:{exc}") from exc
        self.name = f"rapidocr_onnxruntime {_version('rapidocr_onnxruntime')}"
        threads = threads or int(os.getenv("PROOF_OCR_THREADS", "0") or 0)
        # onnxruntime's default is one thread per core; a worker beside the web server may want fewer.
        options = {"intra_op_num_threads": threads, "inter_op_num_threads": 1} if threads > 0 else {}
        try:
            self._ocr = RapidOCR(**options)
        except Exception as exc:  # a model file missing or unreadable
            raise EngineUnavailable(f"rapidocr_onnxruntime 模型无法加载:{exc}") from exc

    def read_image(self, image) -> list[Line]:
        result, _elapsed = self._ocr(image)
        lines = []
        for box, text, score in result or []:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = ((float(x), float(y)) for x, y in box[:4])
            # Sides of the (possibly tilted) box, not its upright bounding box: on a photo taken
            # at an angle a long body line must not look as tall as a headline.
            height = (math.hypot(x3 - x0, y3 - y0) + math.hypot(x2 - x1, y2 - y1)) / 2
            width = (math.hypot(x1 - x0, y1 - y0) + math.hypot(x2 - x3, y2 - y3)) / 2
            lines.append(
                Line(
                    text=str(text),
                    left=min(x0, x3),
                    top=min(y0, y1),
                    width=width,
                    height=height,
                    confidence=float(score),
                )
            )
        return lines


_engine: OcrEngine | None = None
_engine_error: str | None = None
_lock = threading.Lock()


def get_engine() -> OcrEngine:
    """The process's OCR engine, loaded once. ``PROOF_OCR=off`` in the environment disables it."""
    global _engine, _engine_error
    if _engine is not None:
        return _engine
    with _lock:
        if _engine is None:
            if os.getenv("PROOF_OCR", "").lower() in ("off", "0", "false", "no"):
                raise EngineUnavailable("识别引擎已关闭(PROOF_OCR=off)")
            if _engine_error is not None:
                raise EngineUnavailable(_engine_error)
            try:
                _engine = RapidOcrEngine()
            except EngineUnavailable as exc:
                _engine_error = str(exc)
                raise
    return _engine


def set_engine(engine: OcrEngine | None) -> None:
    """Swap the engine (another OCR library, or a stand-in in tests); ``None`` reloads the default."""
    global _engine, _engine_error
    with _lock:
        _engine, _engine_error = engine, None


def engine_status() -> tuple[bool, str]:
    """(available, the engine's name or why it is missing), loading it if needed."""
    try:
        return True, get_engine().name
    except EngineUnavailable as exc:
        return False, str(exc)


# --- images ----------------------------------------------------------------------------------


def _open_image(data: bytes):
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnreadableFile(f"图片无法打开:{exc}") from exc
    # A phone photo taken sideways is stored unrotated with an EXIF orientation tag.
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def read_image(data: bytes, *, engine: OcrEngine | None = None) -> Reading:
    engine = engine or get_engine()
    image = _open_image(data)
    started = time.perf_counter()
    lines = engine.read_image(image)
    return Reading(
        lines=tuple(lines),
        source="ocr",
        engine=engine.name,
        seconds=time.perf_counter() - started,
        page_size=(float(image.width), float(image.height)),
    )


# --- PDFs ------------------------------------------------------------------------------------


def _pdf_text_lines(data: bytes) -> tuple[list[Line], tuple[float, float]]:
    """Text-layer lines of the first pages with their font size as the line height, top to bottom
    (PDF y grows upwards; pages are stacked so later pages come below)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages[:PDF_TEXT_PAGES])
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise UnreadableFile(f"PDF 无法打开:{exc}") from exc
    lines: list[Line] = []
    offset = 0.0
    size = (0.0, 0.0)
    for page in pages:
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        if size == (0.0, 0.0):
            size = (width, height)
        fragments: list[tuple[float, float, float, str]] = []

        def visit(text, cm, tm, font_dict, font_size, fragments=fragments):
            if not text or not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = (abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0) if font_size else 1.0
            fragments.append((y, x, float(font_size or 0) * scale, text))

        try:
            page.extract_text(visitor_text=visit)
        except Exception as exc:  # pypdf raises a zoo of errors on odd fonts; fall back to rendering
            raise UnreadableFile(f"PDF 文字层无法读取:{exc}") from exc
        rows: list[list[tuple[float, float, float, str]]] = []
        for frag in sorted(fragments, key=lambda f: (-f[0], f[1])):
            tolerance = max(frag[2] * 0.4, 2.0)
            if rows and abs(rows[-1][0][0] - frag[0]) <= tolerance:
                rows[-1].append(frag)
            else:
                rows.append([frag])
        for row in rows:
            row.sort(key=lambda f: f[1])
            text = "".join(f[3] for f in row).replace("\n", " ").strip()
            if not text:
                continue
            y = row[0][0]
            font = max(f[2] for f in row)
            lines.append(Line(text=text, left=row[0][1], top=offset + (height - y) - font, width=0.0, height=font))
        offset += height
    return lines, size


def _render_first_page(data: bytes):
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:
        raise EngineUnavailable("pypdfium2 未安装,扫描件 PDF 无法转成图片识别") from exc
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[0]
            image = page.render(scale=PDF_RENDER_SCALE).to_pil().convert("RGB")
        finally:
            pdf.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(f"PDF 无法打开:{exc}") from exc
    return image


def read_pdf(data: bytes, *, engine: OcrEngine | None = None) -> Reading:
    started = time.perf_counter()
    try:
        lines, size = _pdf_text_lines(data)
    except UnreadableFile:
        lines, size = [], (0.0, 0.0)
    if sum(len(line.text.strip()) for line in lines) >= PDF_MIN_TEXT:
        return Reading(
            lines=tuple(lines),
            source="pdf-text",
            engine=f"pypdf {_version('pypdf')}",
            seconds=time.perf_counter() - started,
            page_size=size,
        )
    engine = engine or get_engine()
    image = _render_first_page(data)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    ocr_lines = engine.read_image(image)
    return Reading(
        lines=tuple(ocr_lines),
        source="ocr",
        engine=f"{engine.name} + pypdfium2 {_version('pypdfium2')}",
        seconds=time.perf_counter() - started,
        page_size=(float(image.width), float(image.height)),
        notes=("PDF 无文字层,已将第1页转成图片识别",),
    )


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_bytes(data: bytes, *, engine: OcrEngine | None = None) -> Reading:
    """Read an image or PDF given as bytes; its type is decided by its content."""
    kind = sniff(data)
    if kind == "application/pdf":
        return read_pdf(data, engine=engine)
    if kind is None:
        raise UnreadableFile("文件内容不是 JPEG、PNG、WebP 图片或 PDF")
    return read_image(data, engine=engine)


def read_file(path: str | Path, *, engine: OcrEngine | None = None) -> Reading:
    return read_bytes(Path(path).read_bytes(), engine=engine)

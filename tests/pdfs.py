"""Hand-built PDFs for upload tests: a valid file (cross-reference table or stream, ``startxref``),
with chosen objects either written plainly or packed into a zlib-compressed object stream, where
no byte scan of the file can see them (pypdf writes no object streams, so they are built here)."""

from __future__ import annotations

import zlib

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def build(catalog_extra: bytes = b"", page_extra: bytes = b"", extra: tuple[bytes, ...] = (), packed=True) -> bytes:
    """A one-page PDF. Objects: 1 catalog (+ ``catalog_extra``), 2 pages, 3 page (+ ``page_extra``),
    then ``extra`` as objects 4, 5, … (refer to them as ``4 0 R``). ``packed``: objects 1… live in a
    compressed object stream with a cross-reference stream; else a classic file, all in plain text."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE[:-2] + page_extra + b" >>",
        *extra,
    ]
    return _packed(bodies) if packed else _plain(bodies)


def _plain(bodies: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def _packed(bodies: list[bytes]) -> bytes:
    n = len(bodies)
    stm_number, xref_number = n + 1, n + 2
    header, objects = bytearray(), bytearray()
    for number, body in enumerate(bodies, start=1):
        header += b"%d %d " % (number, len(objects))
        objects += body + b"\n"
    payload = zlib.compress(bytes(header) + bytes(objects))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    stm_offset = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (stm_number, n, len(header), len(payload))
        + payload
        + b"\nendstream\nendobj\n"
    )
    xref_offset = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    rows += [b"\x02" + stm_number.to_bytes(4, "big") + i.to_bytes(2, "big") for i in range(n)]
    rows += [b"\x01" + stm_offset.to_bytes(4, "big") + b"\x00\x00"]
    rows += [b"\x01" + xref_offset.to_bytes(4, "big") + b"\x00\x00"]
    table = zlib.compress(b"".join(rows))
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\nstream\n"
        % (xref_number, n + 3, len(table))
        + table
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)

"""Evidence files: content-checked uploads, served only through the access-checked view."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from publicity import services
from publicity.models import PieceStatus
from publicity.uploads import sniff_type, validate_evidence

from .conftest import PDF_BYTES, png_bytes


@pytest.mark.parametrize(
    "head,expected",
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"GIF89a", None),
        (b"<html><script>", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"PK\x03\x04", None),
    ],
)
def test_sniff_type(head, expected):
    assert sniff_type(head) == expected


def test_validate_records_sha256_and_size(settings):
    import hashlib

    data = png_bytes()
    info = validate_evidence(SimpleUploadedFile("a.exe", data))  # the name does not matter
    # An image is stored re-encoded: size and SHA-256 are those of the bytes stored.
    stored = info.stored.read()
    assert info.content_type == "image/png" and info.size == len(stored)
    assert info.sha256 == hashlib.sha256(stored).hexdigest()
    settings.EVIDENCE_MAX_BYTES = len(data) - 1
    with pytest.raises(ValidationError, match="超过上限"):
        validate_evidence(SimpleUploadedFile("a.png", data))


@pytest.fixture
def evidence(units, make_piece):
    def make(unit, content=None, status=PieceStatus.SUBMITTED, title="带佐证的稿件"):
        piece = make_piece(unit, title, [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
        pub = piece.publications.get()
        ev = services.evidence_attach(
            actor=None, publication=pub, upload=SimpleUploadedFile("x", content or png_bytes())
        )
        piece.status = status
        piece.save()
        return ev

    return make


def test_image_served_inline_with_nosniff(client, users, units, evidence):
    ev = evidence(units["a"])
    client.force_login(users["liaison_a"])
    response = client.get(reverse("publicity:evidence", args=[ev.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert b"".join(response.streaming_content) == ev.file.open("rb").read()


def test_pdf_served_as_attachment(client, users, units, evidence):
    ev = evidence(units["a"], content=PDF_BYTES)
    client.force_login(users["reviewer"])
    response = client.get(reverse("publicity:evidence", args=[ev.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_other_unit_gets_404_and_other_roles_403(client, users, units, evidence):
    ev = evidence(units["a"])
    url = reverse("publicity:evidence", args=[ev.pk])
    client.force_login(users["liaison_b"])
    assert client.get(url).status_code == 404
    for persona in ("auditor", "sysadmin", "outsider"):
        client.force_login(users[persona])
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_approved_evidence_cannot_be_replaced(units, users, evidence):
    ev = evidence(units["a"], status=PieceStatus.APPROVED)
    with pytest.raises(ValidationError, match="佐证材料不能再更换"):
        services.evidence_attach(
            actor=users["liaison_a"], publication=ev.publication, upload=SimpleUploadedFile("y.png", png_bytes())
        )
    assert ev.publication.evidence.get().pk == ev.pk


def test_replacing_evidence_of_a_draft(units, users, evidence):
    ev = evidence(units["a"], status=PieceStatus.DRAFT)
    new = services.evidence_attach(
        actor=users["liaison_a"],
        publication=ev.publication,
        upload=SimpleUploadedFile("y.pdf", PDF_BYTES),
    )
    assert list(ev.publication.evidence.all()) == [new]
    assert new.content_type == "application/pdf"


def test_liaison_of_other_unit_cannot_attach(units, users, evidence):
    from django.core.exceptions import PermissionDenied

    ev = evidence(units["a"], status=PieceStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        services.evidence_attach(actor=users["liaison_b"], publication=ev.publication, upload=io.BytesIO(png_bytes()))


def test_detail_query_count_does_not_grow_with_publications(client, users, units, make_piece):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def piece_with(n, title):
        names = ["安康日报", "人民网", "新华网", "陕西日报", "安康电视台", "搜狐"][:n]
        piece = make_piece(units["a"], title, [(o, "2011-03-05") for o in names], status=PieceStatus.DRAFT)
        for pub in piece.publications.all():
            services.evidence_attach(actor=None, publication=pub, upload=SimpleUploadedFile("a", png_bytes()))
        return piece

    one, six = piece_with(1, "一家媒体的稿件"), piece_with(6, "六家媒体的稿件")
    client.force_login(users["reviewer"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("publicity:piece-detail", args=[one.pk]))
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("publicity:piece-detail", args=[six.pk])).content.decode()
    assert page.count("<img ") == 6
    assert len(many) == len(few)

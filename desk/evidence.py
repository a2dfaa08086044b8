"""Evidence files (access-checked, never a public URL) and the outlet lookup of the piece form."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from publicity.outlets import OutletIndex
from publicity.previews import PreviewError, first_page_png

from .access import (
    BUREAU_READERS,
    PIECE_WRITERS,
    REVIEWERS,
    UNIT_READERS,
    get_evidence_for_user,
    require_roles,
)

# --- evidence and outlet lookup --------------------------------------------------------------


def _harden(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    # Proof is personal data behind a permission check: no copy in any cache (browser or proxy).
    response["Cache-Control"] = "no-store"
    return response


@require_roles(*UNIT_READERS, *BUREAU_READERS)
def evidence_file(request, pk):
    """Serve an uploaded file to those who may read its piece; never from a public URL."""
    evidence = get_evidence_for_user(request.user, pk)
    is_pdf = evidence.content_type == "application/pdf"
    name = f"evidence-{evidence.pk}.{ {'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp'}.get(evidence.content_type, 'pdf') }"
    response = FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=is_pdf, filename=name
    )
    return _harden(response)


@require_roles(*UNIT_READERS, *BUREAU_READERS)
def evidence_preview(request, pk):
    """A PDF's first page as a PNG (an image is itself), shown in the page beside the download link."""
    evidence = get_evidence_for_user(request.user, pk)
    if evidence.content_type != "application/pdf":
        return evidence_file(request, pk)
    with evidence.file.open("rb") as fh:
        data = fh.read()
    try:
        png = first_page_png(data, key=evidence.sha256)
    except PreviewError as exc:
        raise Http404(_("该 PDF 无法预览,请下载原件查看。")) from exc
    return _harden(HttpResponse(png, content_type="image/png"))


@require_roles(*PIECE_WRITERS, *REVIEWERS)
def outlet_search(request):
    """JSON for the outlet autocomplete: ``?q=`` text typed, or ``?url=`` to suggest by web domain."""
    index = OutletIndex.load()
    if request.GET.get("url"):
        found = index.by_domain(request.GET["url"])
        outlets = [found] if found else []
    else:
        outlets = index.search(request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {
                    "id": o.pk,
                    "name": o.name,
                    "level": o.level.name,
                    "category": o.category.name,
                    "aliases": o.alias_list,
                    "domains": o.domain_list,
                }
                for o in outlets
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )

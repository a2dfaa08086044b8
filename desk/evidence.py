"""Evidence files (access-checked, never a public URL) and the outlet lookup of the piece form."""

from __future__ import annotations

from django.http import FileResponse, JsonResponse

from publicity.outlets import OutletIndex

from .access import (
    BUREAU_READERS,
    PIECE_WRITERS,
    REVIEWERS,
    UNIT_READERS,
    get_evidence_for_user,
    require_roles,
)

# --- evidence and outlet lookup --------------------------------------------------------------


@require_roles(*UNIT_READERS, *BUREAU_READERS)
def evidence_file(request, pk):
    """Serve an uploaded file to those who may read its piece; never from a public URL."""
    evidence = get_evidence_for_user(request.user, pk)
    is_pdf = evidence.content_type == "application/pdf"
    name = f"evidence-{evidence.pk}.{ {'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp'}.get(evidence.content_type, 'pdf') }"
    response = FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=is_pdf, filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


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

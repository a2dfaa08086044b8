"""Project-wide response middleware (above every app floor)."""

from __future__ import annotations

from django.db import OperationalError
from django.template.loader import render_to_string


def _database_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


class DatabaseBusyMiddleware:
    """SQLite still busy after its timeout (config.database): the request's transaction was rolled
    back, so say so in Chinese with a 503 and a Retry-After, instead of a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _database_busy(exception):
            return None
        from django.http import HttpResponse

        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response

"""The bridge between the pure reader (``proof``) and the database: the outlet catalogue as plain data."""

from __future__ import annotations

from proof.fields import OutletEntry

from .models import Outlet


def outlet_catalogue() -> list[OutletEntry]:
    """Every outlet (active or not: an old clipping may name one retired since) as plain data, one query."""
    return [
        OutletEntry(o.name, tuple(o.alias_list), tuple(o.domain_list))
        for o in Outlet.objects.only("name", "aliases", "domains").order_by("-is_active", "id")
    ]

"""Finding an outlet from what a liaison types: its name, an alias, or a web address/domain.

The catalogue is small (dozens of outlets), so it is loaded in one query and matched in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .models import Outlet


def host_of(text: str) -> str:
    text = (text or "").strip().lower()
    if not text:
        return ""
    if "//" not in text:
        text = "//" + text
    try:
        return (urlsplit(text).hostname or "").rstrip(".")
    except ValueError:
        return ""


@dataclass
class OutletIndex:
    outlets: list[Outlet]

    @classmethod
    def load(cls) -> OutletIndex:
        return cls(list(Outlet.objects.filter(is_active=True).select_related("level", "category")))

    def by_pk(self, pk) -> Outlet | None:
        return next((o for o in self.outlets if str(o.pk) == str(pk)), None)

    def by_domain(self, url_or_host: str) -> Outlet | None:
        """The outlet whose domain is the host or a parent of it; the longest domain wins
        (rst.shaanxi.gov.cn → 陕西省人社厅网站, not 陕西省政府网站)."""
        host = host_of(url_or_host)
        if not host:
            return None
        best, best_len = None, 0
        for outlet in self.outlets:
            for domain in outlet.domain_list:
                if (host == domain or host.endswith("." + domain)) and len(domain) > best_len:
                    best, best_len = outlet, len(domain)
        return best

    def resolve(self, text: str) -> Outlet | None:
        """Exact name or alias (ignoring spaces and 《》), else a domain/URL."""
        key = _key(text)
        if not key:
            return None
        for outlet in self.outlets:
            if key == _key(outlet.name) or key in {_key(a) for a in outlet.alias_list}:
                return outlet
        if "." in text:
            return self.by_domain(text)
        return None

    def search(self, text: str, limit: int = 10) -> list[Outlet]:
        """Outlets whose name, alias or domain contains the typed text (autocomplete)."""
        key = _key(text)
        if not key:
            return []
        exact = self.resolve(text)
        found = [exact] if exact else []
        for outlet in self.outlets:
            haystack = [_key(outlet.name), *(_key(a) for a in outlet.alias_list), *outlet.domain_list]
            if outlet not in found and any(key in h for h in haystack):
                found.append(outlet)
        return found[:limit]


def _key(text: str) -> str:
    return "".join((text or "").split()).strip("《》").lower()

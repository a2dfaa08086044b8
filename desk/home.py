"""The front door: each role lands on its own page; pages for roles without business pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from units.models import Role

from .access import (
    UNIT_READERS,
    require_roles,
)

# --- home: each role lands on its own page ---------------------------------------------------


def home_url(user) -> str:
    if user.has_role(Role.BUREAU_ADMIN, Role.LEADER):
        return reverse("publicity:dashboard")
    if user.is_reviewer:
        return reverse("publicity:review-queue")
    if user.unit_id and user.has_role(*UNIT_READERS):
        return reverse("publicity:unit-home")
    if user.has_role(Role.WEBSITE_EDITOR, Role.DEPUTY_DIRECTOR):
        return reverse("website:list")
    if user.is_auditor:
        try:
            return reverse("audit:log")
        except NoReverseMatch:
            return reverse("publicity:audit-pending")
    if user.has_role(Role.SYSADMIN, Role.SECADMIN):
        return reverse("publicity:system-home")
    return reverse("publicity:no-role")


@login_required
def home(request):
    return redirect(home_url(request.user))


@login_required
def no_role(request):
    return render(request, "publicity/no_role.html", status=403)


@require_roles(Role.AUDITOR)
def audit_pending(request):
    return render(request, "publicity/audit_pending.html")


@require_roles(Role.SYSADMIN, Role.SECADMIN)
def system_home(request):
    return render(request, "publicity/system_home.html")

"""Who may open which page and which object (DOMAIN §1).

Another unit's object is a 404 (its existence is not revealed); a page the user's roles do not
open is a 403. Every view goes through these helpers, never through ad-hoc checks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from audit.context import current_request
from publicity.models import Evidence, Piece
from units.models import Role, Unit, User

# Role groups used by the views; a user needs any one of the roles of a group.
UNIT_READERS = (Role.LIAISON, Role.UNIT_HEAD)
PIECE_WRITERS = (Role.LIAISON,)
REVIEWERS = (Role.REVIEWER, Role.BUREAU_ADMIN)
DASHBOARD_READERS = (Role.BUREAU_ADMIN, Role.LEADER, Role.REVIEWER)
BUREAU_READERS = (Role.BUREAU_ADMIN, Role.REVIEWER, Role.LEADER)
REMINDER_SENDERS = (Role.BUREAU_ADMIN, Role.REVIEWER)


def require_roles(*roles: str) -> Callable:
    """Decorator: sign-in required (redirect to login), then 403 unless the user holds one of ``roles``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied(_("您的角色无权访问此页面。"))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def is_business_user(user: User) -> bool:
    return user.has_role(Role.LIAISON, Role.UNIT_HEAD, Role.REVIEWER, Role.BUREAU_ADMIN, Role.LEADER)


def user_unit(user: User) -> Unit:
    """The unit of a liaison or unit head; a user without one has no unit pages."""
    if not (user.unit_id and user.has_role(*UNIT_READERS)):
        raise PermissionDenied(_("您的账号未关联单位。"))
    return user.unit


def unit_for_user(user: User, unit_id: int | str | None) -> Unit:
    """The unit a page is about: unit people their own (asking for another is a 404), bureau readers any."""
    if user.has_role(*BUREAU_READERS):
        if unit_id in (None, ""):
            if user.unit_id:
                return user.unit
            raise Http404(_("请选择单位。"))
        return get_object_or_404(Unit, pk=_int_or_404(unit_id))
    own = user_unit(user)
    if unit_id not in (None, "") and _int_or_404(unit_id) != own.pk:
        scoped_or_404(user, Unit.objects.filter(pk=own.pk), pk=_int_or_404(unit_id))  # records the probe
    return own


def scoped_or_404(user: User, queryset, **lookup):
    """``queryset.get(**lookup)`` where ``queryset`` is what the user may see; otherwise a 404, and
    when the object exists but lies outside the user's scope the probe is recorded in the audit
    trail (越权查看(404)): the user is not told it exists, the auditor is."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        model = queryset.model
        target = model._base_manager.filter(**lookup).first()
        if target is not None:
            from audit.models import AuditAction, Outcome
            from audit.recorder import record

            request = current_request()
            path = f"{request.method} {request.get_full_path()[:400]}" if request is not None else ""
            record(AuditAction.NOT_FOUND, obj=target, outcome=Outcome.DENIED, message=f"不在本人可见范围:{path}")
        raise Http404(_("没有找到该对象。")) from None


def get_piece_for_user(user: User, pk: int, *, for_write: bool = False) -> Piece:
    """A piece the user may read (404 otherwise). ``for_write``: also the right to edit it (403)."""
    piece = scoped_or_404(user, Piece.objects.visible_to(user).select_related("unit", "unit__kind", "year"), pk=pk)
    if for_write and not (user.is_liaison and user.unit_id == piece.unit_id):
        raise PermissionDenied(_("您无权修改该稿件。"))
    return piece


def get_evidence_for_user(user: User, pk: int) -> Evidence:
    visible = Piece.objects.visible_to(user)
    try:
        return Evidence.objects.select_related("publication__piece").get(pk=pk, publication__piece__in=visible)
    except Evidence.DoesNotExist:
        return scoped_or_404(user, Evidence.objects.none(), pk=pk)


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404(_("参数无效。")) from exc


# --- bureau-website items (website app) ---------------------------------------------------------
WEBSITE_STAFF = (Role.WEBSITE_EDITOR, Role.DEPUTY_DIRECTOR)
WEBSITE_READERS = (*UNIT_READERS, *BUREAU_READERS, *WEBSITE_STAFF)


def get_website_item_for_user(user: User, pk: int):
    """A website item the user may read: another unit's is a 404."""
    from website.models import WebsiteItem

    return scoped_or_404(user, WebsiteItem.objects.visible_to(user).select_related("unit", "year"), pk=pk)


# --- campaign tasks (campaigns app) -------------------------------------------------------------
CAMPAIGN_READERS = (*UNIT_READERS, *BUREAU_READERS)
CAMPAIGN_MANAGERS = (Role.BUREAU_ADMIN,)


def get_campaign_for_user(user: User, pk: int):
    """A campaign the user may read: a campaign the user's unit does not take part in is a 404."""
    from campaigns.models import Campaign

    return scoped_or_404(
        user,
        Campaign.objects.visible_to(user).select_related("year").prefetch_related("deliverables").distinct(),
        pk=pk,
    )


def campaign_unit_for_user(user: User, campaign, unit_id) -> Unit:
    """The taking-part unit whose submission a page shows: bureau readers any, unit people their own (another
    unit's submission, or a unit not taking part, is a 404)."""
    if not user.has_role(*BUREAU_READERS):
        own = user_unit(user)
        if unit_id is not None and _int_or_404(unit_id) != own.pk:
            raise Http404(_("没有找到该单位的报送材料。"))
        unit_id = own.pk
    return get_object_or_404(campaign.units.select_related("kind"), pk=_int_or_404(unit_id))


def get_campaign_file_for_user(user: User, pk: int):
    from campaigns.models import CampaignFile

    item = get_object_or_404(CampaignFile.objects.select_related("campaign__year", "unit"), pk=pk)
    if not (user.has_role(*BUREAU_READERS) or (user.has_role(*UNIT_READERS) and user.unit_id == item.unit_id)):
        scoped_or_404(user, CampaignFile.objects.none(), pk=pk)  # a 404, the probe recorded
    return item

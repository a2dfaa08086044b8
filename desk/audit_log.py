from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from audit import export
from audit.display import readable_changes
from audit.models import AuditAction, AuditEvent
from audit.recorder import record
from audit.services import user_change_own_password

from .audit_forms import AuditSearchForm, OwnPasswordChangeForm

EXPORT_LIMIT = 100_000


def _ensure_auditor(user) -> None:
    # Separation of duties: only the audit admin reads the trail (not the bureau admin, not the other two admins).
    if not user.is_auditor:
        raise PermissionDenied(_("只有审计管理员可以查看审计日志。"))


@login_required
@never_cache
def audit_log(request):
    _ensure_auditor(request.user)
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    elif form.is_bound:
        events = events.none()
    fmt = request.GET.get("export", "")
    if fmt in ("csv", "xlsx"):
        selected = list(events[:EXPORT_LIMIT])
        record(
            AuditAction.EXPORT,
            request=request,
            message=f"导出{len(selected)}条审计日志({fmt}),条件:{request.GET.urlencode()[:300]}",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        if fmt == "csv":
            response = HttpResponse(export.to_csv(selected), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                export.to_xlsx(selected),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
        return response
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for event in page.object_list:
        event.readable_changes = readable_changes(event.model, event.changes)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


@sensitive_post_parameters()
@login_required
@never_cache
def password_change(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST":
        form = OwnPasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            user = user_change_own_password(
                user=request.user, password=form.cleaned_data["new_password1"], request=request
            )
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect(next_url or "home")
    else:
        form = OwnPasswordChangeForm(request.user)
    return render(
        request,
        "audit/password_change.html",
        {"form": form, "next": next_url, "forced": request.user.must_change_password},
    )


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE), in Chinese."""
    from django.conf import settings

    cooloff = settings.AXES_COOLOFF_TIME
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "username": username[:150],
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    return render(request, "audit/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)

"""Pages of the web app: thin function views (access helper → form → service → redirect).

Every object lookup goes through ``publicity.access``; every write through ``publicity.services``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Min, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce, ExtractMonth
from django.http import FileResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from scoring.services import score_year, year_results
from units.models import Role, Unit, UnitKind

from . import services
from .access import (
    BUREAU_READERS,
    DASHBOARD_READERS,
    PIECE_WRITERS,
    REMINDER_SENDERS,
    REVIEWERS,
    UNIT_READERS,
    _int_or_404,
    get_evidence_for_user,
    get_piece_for_user,
    require_roles,
    unit_for_user,
    user_unit,
)
from .duplicates import duplicates_for_many, find_duplicates
from .forms import (
    MONTH_CHOICES,
    PieceForm,
    PublicationFormSet,
    QueueFilterForm,
    RejectForm,
    ReminderForm,
    ReportForm,
)
from .models import (
    AssessmentYear,
    Evidence,
    Piece,
    PieceStatus,
    Publication,
    Reminder,
    ReportingRule,
    YearStatus,
)
from .outlets import OutletIndex
from .progress import policy_from_params, project, year_pace
from .reporting import Rule, month_states, next_deadline

PAGE_SIZE = 50
PIECE_PAGE_SIZE = 30  # the unit's piece list: one screenful on a phone


# --- shared helpers --------------------------------------------------------------------------


def current_year(request) -> AssessmentYear:
    """``?year=`` if given, else the latest open year, else the latest year (one query)."""
    years = list(AssessmentYear.objects.order_by("-year"))
    wanted = request.GET.get("year")
    if wanted:
        for y in years:
            if str(y.year) == wanted:
                return y
    for y in years:
        if y.status == YearStatus.OPEN:
            return y
    if not years:
        raise PermissionDenied(_("尚未设立考核年度,请联系市局管理员。"))
    return years[0]


def as_of_date(request, year: AssessmentYear) -> dt.date:
    """The day the page is "as of": ``?as_of=`` (to replay a past year), else today, clamped to the year."""
    wanted = parse_date(request.GET.get("as_of") or "") if request.GET.get("as_of") else None
    day = wanted or timezone.localdate()
    return min(max(day, dt.date(year.year, 1, 1)), dt.date(year.year, 12, 31))


def deadline_day(request, year: AssessmentYear) -> dt.date:
    """Deadlines are judged on the real day, or on ``?as_of=`` when a past year is replayed."""
    return as_of_date(request, year) if request.GET.get("as_of") else timezone.localdate()


def frozen_notice(year: AssessmentYear) -> str:
    """The banner of liaison pages once a year is closed or published ("" while it is open)."""
    if not year.is_frozen:
        return ""
    return _("%(year)s年度%(status)s,不能再登记或修改稿件。") % {"year": year.year, "status": year.get_status_display()}


def reporting_rule(year: AssessmentYear, kind_id: int) -> Rule | None:
    row = ReportingRule.objects.filter(year=year, unit_kind_id=kind_id).first()
    return Rule(row.cadence, row.day, row.month) if row else None


def unit_score_url(year: int, unit_id: int) -> str:
    """The scoring app's per-unit page (drill-down from the dashboard and the liaison home)."""
    return reverse("scoring:unit-score", kwargs={"year": year, "unit_id": unit_id})


def _error_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# --- home: each role lands on its own page ---------------------------------------------------


def home_url(user) -> str:
    if user.has_role(Role.BUREAU_ADMIN, Role.LEADER):
        return reverse("publicity:dashboard")
    if user.is_reviewer:
        return reverse("publicity:review-queue")
    if user.unit_id and user.has_role(*UNIT_READERS):
        return reverse("publicity:unit-home")
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


# --- liaison / unit head home ----------------------------------------------------------------


@require_roles(*UNIT_READERS)
def unit_home(request):
    unit = user_unit(request.user)
    year = current_year(request)
    as_of = as_of_date(request, year)
    score = score_year(year, unit_ids=[unit.pk], as_of=as_of)
    try:
        unit_score = score.unit(unit.pk)
    except LookupError:
        unit_score = None
    projection = None
    policy = policy_from_params(score.policy)
    elapsed, total = year_pace(year.year, as_of)
    if unit_score is not None and policy is not None:
        projection = project(unit_score, policy, elapsed, total)
    indicators = []
    if unit_score:
        for i, ind in enumerate(unit_score.indicators):
            pct = min(100, int(ind.achieved * 100 / ind.target)) if ind.target else 100
            indicators.append(
                {"ind": ind, "pct": pct, "projected": projection.lines[i].projected if projection else None}
            )
    waiting = list(
        Piece.objects.filter(unit=unit, year=year, status__in=[PieceStatus.SUBMITTED, PieceStatus.REJECTED])
        .order_by("status", "-updated_at")
        .only("pk", "title", "status", "reject_reason", "submitted_at", "reviewed_at")[:30]
    )
    counts = dict(Piece.objects.filter(unit=unit, year=year).values_list("status").annotate(n=Count("id")).order_by())
    reminders = list(Reminder.objects.filter(unit=unit, year=year, read_at__isnull=True)[:10])
    rule = reporting_rule(year, unit.kind_id)
    filed = {
        month: timezone.localtime(when).date()
        for month, when in year.reports.filter(unit=unit).values_list("month", "filed_at")
    }
    today = deadline_day(request, year)
    states = month_states(rule, year.year, today, filed) if rule else []
    context = {
        "unit": unit,
        "year": year,
        "as_of": as_of,
        "score": unit_score,
        "indicators": indicators,
        "projection": projection,
        "elapsed": elapsed,
        "total": total,
        "waiting": waiting,
        "counts": {PieceStatus(k).label: v for k, v in counts.items()},
        "drafts": counts.get(PieceStatus.DRAFT, 0),
        "reminders": reminders,
        "rule": rule,
        "next_due": next_deadline(rule, year.year, today, filed),
        "late_months": [s for s in states if s.late],
        "can_write": request.user.has_role(*PIECE_WRITERS) and not year.is_frozen,
        "frozen_notice": frozen_notice(year),
        "score_url": unit_score_url(year.year, unit.pk),
    }
    return render(request, "publicity/unit_home.html", context)


@require_POST
@require_roles(*UNIT_READERS)
def reminder_read(request, pk):
    unit = user_unit(request.user)
    reminder = get_object_or_404(Reminder, pk=pk, unit=unit)
    services.reminder_mark_read(actor=request.user, reminder=reminder)
    return redirect("publicity:unit-home")


# --- pieces: list, detail, form, state changes -----------------------------------------------


def _piece_list_qs(user, year):
    return (
        Piece.objects.visible_to(user)
        .filter(year=year)
        .select_related("unit")
        .prefetch_related(
            "authors",
            Prefetch("publications", queryset=Publication.objects.select_related("outlet", "outlet__level")),
        )
    )


@require_roles(*UNIT_READERS, *BUREAU_READERS)
def piece_list(request):
    year = current_year(request)
    user = request.user
    if user.has_role(*BUREAU_READERS) and not request.GET.get("unit") and not user.unit_id:
        unit = None  # bureau staff without a unit filter: every unit's pieces
        qs = _piece_list_qs(user, year)
    else:
        unit = unit_for_user(user, request.GET.get("unit"))
        qs = _piece_list_qs(user, year).filter(unit=unit)
    status = request.GET.get("status", "")
    if status in PieceStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-id"), PIECE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "publicity/piece_list.html",
        {
            "year": year,
            "unit": unit,
            "page": page,
            "query": query.urlencode(),
            "status": status,
            "statuses": PieceStatus.choices,
            "can_write": unit is not None and user.is_liaison and user.unit_id == unit.pk and not year.is_frozen,
            "frozen_notice": frozen_notice(year) if unit is not None else "",
            "score_url": unit_score_url(year.year, unit.pk) if unit else None,
        },
    )


@require_roles(*UNIT_READERS, *BUREAU_READERS)
def piece_detail(request, pk):
    piece = get_piece_for_user(request.user, pk)
    publications = list(
        piece.publications.select_related("outlet", "outlet__level", "outlet__category").prefetch_related("evidence")
    )
    authors = [a.name for a in piece.authors.all()]
    dups = find_duplicates(
        year_id=piece.year_id, title=piece.title, urls=[p.url for p in publications], exclude_piece_id=piece.pk
    )
    user = request.user
    queue_url = None
    if request.GET.get("from") == "review" and user.has_role(*REVIEWERS):
        # Opened from the review queue: lead back to it, with its filters (only a queue address is accepted).
        queue_url = reverse("publicity:review-queue")
        wanted = request.GET.get("back") or ""
        if wanted.startswith(queue_url):
            queue_url = wanted
    return render(
        request,
        "publicity/piece_detail.html",
        {
            "piece": piece,
            "queue_url": queue_url,
            "publications": publications,
            "authors": authors,
            "topics": list(piece.topics.all()),
            "duplicates": dups,
            "can_edit": user.is_liaison
            and user.unit_id == piece.unit_id
            and piece.status in services.EDITABLE_STATUSES
            and not piece.year.is_frozen,
            "can_review": user.has_role(*REVIEWERS)
            and piece.status == PieceStatus.SUBMITTED
            and not piece.year.is_frozen,
            "reject_form": RejectForm(),
            "frozen_notice": frozen_notice(piece.year),
        },
    )


def _publication_initial(piece: Piece) -> list[dict]:
    return [
        {"outlet": p.outlet.name, "date": p.date, "placement": p.placement, "page": p.page, "url": p.url}
        for p in piece.publications.select_related("outlet")
    ]


def _apply_service_errors(exc: ValidationError, form: PieceForm, formset) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                formset._non_form_errors = formset.error_class(
                    list(formset.non_form_errors()) + errors, renderer=formset.renderer
                )
    else:
        form.add_error(None, exc.messages)


def _year_for(date: dt.date | None) -> AssessmentYear | None:
    """The assessment year a piece dated ``date`` belongs to (DOMAIN §4)."""
    if date is None:
        return None
    year = AssessmentYear.objects.filter(year=date.year).first()
    if year is None:
        raise ValidationError({"publications": _("%(year)s年度尚未设立,不能登记该年度的稿件。") % {"year": date.year}})
    return year


@require_roles(*PIECE_WRITERS)
def piece_form(request, pk=None):
    """Log a new piece or edit one (draft/submitted/rejected) in one form: piece + publications."""
    user = request.user
    unit = user_unit(user)
    piece = get_piece_for_user(user, pk, for_write=True) if pk else None
    if piece is not None and piece.status == PieceStatus.APPROVED:
        messages.info(request, _("该稿件已审核通过,不能再修改。"))
        return redirect("publicity:piece-detail", pk=piece.pk)
    if request.method != "POST":
        # A closed year takes no new or changed piece: say so instead of offering a form that cannot be saved.
        notice = frozen_notice(piece.year if piece is not None else current_year(request))
        if notice:
            messages.warning(request, notice)
            return redirect("publicity:piece-list")
    index = OutletIndex.load()
    duplicates = []
    if request.method == "POST":
        form = PieceForm(request.POST)
        formset = PublicationFormSet(request.POST, request.FILES, prefix="pub", outlet_index=index)
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            rows = formset.rows()
            pubs = [
                services.PublicationInput(
                    outlet=f.cleaned_data["outlet"],
                    date=f.cleaned_data["date"],
                    placement=f.cleaned_data["placement"],
                    page=f.cleaned_data.get("page", ""),
                    url=f.cleaned_data.get("url", ""),
                )
                for f in rows
            ]
            try:
                year = piece.year if piece else _year_for(services.piece_year_date(pubs, data["report_date"]))
                year = year or current_year(request)  # no date at all: the service names the missing field
                duplicates = find_duplicates(
                    year_id=year.pk,
                    title=data["title"],
                    urls=[p.url for p in pubs],
                    exclude_piece_id=piece.pk if piece else None,
                )
                if duplicates and not data["confirm_duplicate"]:
                    form.add_error(
                        "confirm_duplicate", _("发现疑似重复稿件(见上方),请核对;确认不是重复后勾选此项再保存。")
                    )
                    raise _Stop
                submit = request.POST.get("action") == "submit"
                with transaction.atomic():
                    fields = {
                        "title": data["title"],
                        "kind": data["kind"],
                        "characters": data["characters"],
                        "authors": data["authors"],
                        "topics": data["topics"],
                        "report_date": data["report_date"],
                        "publications": pubs,
                        "submit": submit,
                    }
                    if piece is None:
                        saved = services.piece_create(actor=user, unit=unit, year=year, **fields)
                    else:
                        version = parse_datetime(data.get("version") or "")
                        saved = services.piece_update(actor=user, piece=piece, expected_updated_at=version, **fields)
                    by_outlet = {p.outlet_id: p for p in saved.publications.select_related("piece__year", "outlet")}
                    for f in rows:
                        upload = f.cleaned_data.get("upload")
                        if upload:
                            services.evidence_attach(
                                actor=user, publication=by_outlet[f.cleaned_data["outlet"].pk], upload=upload
                            )
            except _Stop:
                pass
            except ValidationError as exc:
                _apply_service_errors(exc, form, formset)
            else:
                if submit:
                    done = _("稿件“%(title)s”已提交审核。") % {"title": saved.title}
                else:
                    done = _("稿件“%(title)s”已保存(当前状态:%(status)s)。") % {
                        "title": saved.title,
                        "status": saved.get_status_display(),
                    }
                messages.success(request, done)
                return redirect("publicity:piece-detail", pk=saved.pk)
    else:
        if piece is not None:
            form = PieceForm(
                initial={
                    "title": piece.title,
                    "kind": piece.kind,
                    "authors": "、".join(a.name for a in piece.authors.all()),
                    "topics": list(piece.topics.all()),
                    "characters": piece.characters,
                    "report_date": piece.report_date,
                    "version": piece.updated_at.isoformat(),
                }
            )
            initial = _publication_initial(piece)
        else:
            form = PieceForm()
            initial = []
        formset = PublicationFormSet(initial=initial, prefix="pub", outlet_index=index)
    evidence = {}
    if piece is not None:
        for ev in Evidence.objects.filter(publication__piece=piece).select_related("publication__outlet"):
            evidence.setdefault(ev.publication.outlet.name, []).append(ev)
    return render(
        request,
        "publicity/piece_form.html",
        {
            "form": form,
            "formset": formset,
            "piece": piece,
            "unit": unit,
            "duplicates": duplicates,
            "existing_evidence": evidence,
            "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


class _Stop(Exception):
    """Stop saving and show the form again (duplicate warning not yet confirmed)."""


def _state_change(request, pk, action, done: str):
    piece = get_piece_for_user(request.user, pk, for_write=True)
    try:
        action(actor=request.user, piece=piece)
    except ValidationError as exc:
        for msg in _error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(request, done % {"title": piece.title})
        if action is services.piece_delete:
            return redirect("publicity:piece-list")
    return redirect("publicity:piece-detail", pk=piece.pk)


@require_POST
@require_roles(*PIECE_WRITERS)
def piece_submit(request, pk):
    return _state_change(request, pk, services.piece_submit, _("稿件“%(title)s”已提交审核。"))


@require_POST
@require_roles(*PIECE_WRITERS)
def piece_withdraw(request, pk):
    return _state_change(request, pk, services.piece_withdraw, _("稿件“%(title)s”已撤回为草稿,可以继续修改。"))


@require_POST
@require_roles(*PIECE_WRITERS)
def piece_delete(request, pk):
    return _state_change(request, pk, services.piece_delete, _("稿件“%(title)s”已删除。"))


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


# --- reviewer queue --------------------------------------------------------------------------


def _first_date_subquery():
    return Subquery(
        Publication.objects.filter(piece=OuterRef("pk")).values("piece").annotate(d=Min("date")).values("d")
    )


@require_roles(*REVIEWERS)
def review_queue(request):
    year = current_year(request)
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = PieceStatus.SUBMITTED
    filters = QueueFilterForm(params)
    filters.is_valid()
    f = filters.cleaned_data if filters.is_valid() else {"status": PieceStatus.SUBMITTED}
    qs = (
        Piece.objects.filter(year=year)
        .annotate(first_date=Coalesce(_first_date_subquery(), "report_date"))
        .select_related("unit", "year")
        .prefetch_related(
            "authors",
            "topics",
            Prefetch(
                "publications",
                queryset=Publication.objects.select_related("outlet", "outlet__level").prefetch_related("evidence"),
            ),
        )
    )
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("unit"):
        qs = qs.filter(unit=f["unit"])
    if f.get("month"):
        qs = qs.filter(first_date__month=f["month"])
    if f.get("level"):
        qs = qs.filter(pk__in=Publication.objects.filter(outlet__level=f["level"]).values("piece"))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    qs = qs.order_by("submitted_at", "id")
    if f.get("dup"):
        # The duplicate filter needs every candidate's warning: two queries over the year, then
        # the page is cut from the flagged ids.
        items = list(qs.values_list("pk", "title"))
        urls = defaultdict(list)
        for pid, url in (
            Publication.objects.filter(piece__in=[pk for pk, _ in items]).exclude(url="").values_list("piece_id", "url")
        ):
            urls[pid].append(url)
        flagged = duplicates_for_many(year_id=year.pk, items=[(pk, t, urls[pk]) for pk, t in items])
        qs = qs.filter(pk__in=list(flagged))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    dups = duplicates_for_many(
        year_id=year.pk, items=[(p.pk, p.title, [x.url for x in p.publications.all() if x.url]) for p in rows]
    )
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "publicity/review_queue.html",
        {
            "year": year,
            "filters": filters,
            "page": page,
            "rows": [{"piece": p, "dups": dups.get(p.pk, [])} for p in rows],
            "query": query.urlencode(),
            "reject_form": RejectForm(),
        },
    )


def _back(request, default: str):
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(default)


@require_POST
@require_roles(*REVIEWERS)
def review_approve(request, pk):
    piece = get_piece_for_user(request.user, pk)
    try:
        services.piece_review(actor=request.user, piece=piece, approve=True)
    except ValidationError as exc:
        for msg in _error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(request, _("稿件“%(title)s”已审核通过。") % {"title": piece.title})
    return _back(request, reverse("publicity:review-queue"))


@require_POST
@require_roles(*REVIEWERS)
def review_reject(request, pk):
    piece = get_piece_for_user(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        for msg in form.errors.get("reason", []):
            messages.error(request, _("稿件“%(title)s”:%(error)s") % {"title": piece.title, "error": msg})
        return _back(request, reverse("publicity:review-queue"))
    try:
        services.piece_review(actor=request.user, piece=piece, approve=False, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        for msg in _error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(
            request,
            _("稿件“%(title)s”已退回:%(reason)s") % {"title": piece.title, "reason": form.cleaned_data["reason"]},
        )
    return _back(request, reverse("publicity:review-queue"))


@require_POST
@require_roles(*REVIEWERS)
def review_batch(request):
    ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
    if not ids:
        messages.error(request, _("请先勾选要批量通过的稿件。"))
        return _back(request, reverse("publicity:review-queue"))
    approved, failed = 0, []
    for piece in Piece.objects.visible_to(request.user).filter(pk__in=ids).order_by("id"):
        try:
            services.piece_review(actor=request.user, piece=piece, approve=True)
            approved += 1
        except ValidationError as exc:
            failed.extend(_error_messages(exc))
    if approved:
        messages.success(request, _("已批量通过 %(n)s 篇稿件。") % {"n": approved})
    for msg in failed:
        messages.warning(request, msg)
    return _back(request, reverse("publicity:review-queue"))


# --- dashboard -------------------------------------------------------------------------------


@require_roles(*DASHBOARD_READERS)
def dashboard(request):
    year = current_year(request)
    results = year_results(year)
    kind_order = {k.pk: k.order for k in UnitKind.objects.all()}
    groups: dict[str, dict] = {}
    units_by_kind = sorted(results.units, key=lambda u: (kind_order.get(u.kind_id, 0), u.kind_name, u.rank))
    for u in units_by_kind:
        group = groups.setdefault(u.kind_name, {"name": u.kind_name, "codes": [], "rows": []})
        for ind in u.indicators:
            if (ind.code, ind.name) not in group["codes"]:
                group["codes"].append((ind.code, ind.name))
        group["rows"].append(u)
    for group in groups.values():
        for u in group["rows"]:
            by_code = {i.code: i for i in u.indicators}
            u_cells = []
            for code, _name in group["codes"]:
                ind = by_code.get(code)
                pct = min(100, int(ind.achieved * 100 / ind.target)) if ind and ind.target else (100 if ind else 0)
                u_cells.append({"ind": ind, "pct": pct})
            group.setdefault("cells", {})[u.unit_id] = u_cells
        group["table"] = [
            {"u": u, "cells": group["cells"][u.unit_id], "score_url": unit_score_url(year.year, u.unit_id)}
            for u in group["rows"]
        ]
    monthly = (
        Piece.objects.filter(year=year)
        .exclude(status=PieceStatus.DRAFT)
        .annotate(m=ExtractMonth(Coalesce(_first_date_subquery(), "report_date")))
        .values("m", "status", "unit__kind_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    kinds = list(UnitKind.objects.order_by("order", "id"))
    approved = [0] * 12
    waiting = [0] * 12
    by_kind = {k.pk: [0] * 12 for k in kinds}
    for row in monthly:
        if not row["m"]:
            continue
        if row["status"] == PieceStatus.APPROVED:
            approved[row["m"] - 1] += row["n"]
            by_kind.setdefault(row["unit__kind_id"], [0] * 12)[row["m"] - 1] += row["n"]
        elif row["status"] == PieceStatus.SUBMITTED:
            waiting[row["m"] - 1] += row["n"]
    cumulative, running = [], 0
    for n in approved:
        running += n
        cumulative.append(running)
    chart = {
        "labels": [_("%(month)s月") % {"month": m} for m in range(1, 13)],
        "approved": approved,
        "waiting": waiting,
        "cumulative": cumulative,
        "kinds": [{"name": k.name, "data": by_kind[k.pk]} for k in kinds],
        "text": {
            "approved": pgettext("图表", "审核通过"),  # a legend ("Approved"), not the button ("Approve")
            "waiting": _("待审核"),
            "cumulative": _("累计通过"),
            "per_month": _("当月篇数"),
            "total": _("累计"),
            "approved_per_month": _("当月通过篇数"),
        },
    }
    totals = {
        "units": len(results.units),
        "points": sum((u.points for u in results.units), start=0),
        "reward": sum((u.reward for u in results.units), start=0),
        "approved": sum(approved),
        "waiting": Piece.objects.filter(year=year, status=PieceStatus.SUBMITTED).count(),
    }
    return render(
        request,
        "publicity/dashboard.html",
        {
            "year": year,
            "results": results,
            "groups": list(groups.values()),
            "chart": chart,
            "totals": totals,
            "years": AssessmentYear.objects.order_by("-year"),
        },
    )


# --- periodic reports ------------------------------------------------------------------------


@require_roles(*UNIT_READERS, Role.BUREAU_ADMIN)
def unit_reports(request):
    """A unit's months: deadline, filed or not, and the form to file a month or a zero report."""
    year = current_year(request)
    unit_id = request.GET.get("unit") or request.POST.get("unit")
    if not unit_id and not request.user.unit_id:
        return redirect(f"{reverse('publicity:reports-overview')}?year={year.year}")
    unit = unit_for_user(request.user, unit_id)
    can_file = request.user.is_bureau_admin or (request.user.is_liaison and request.user.unit_id == unit.pk)
    today = deadline_day(request, year)
    filed_months = set(year.reports.filter(unit=unit).values_list("month", flat=True))
    # Offer only the months that have begun and are not filed yet (a filed month is updated by 更新报送).
    open_months = [m for m in range(1, 13) if m not in filed_months and dt.date(year.year, m, 1) <= today]
    form = ReportForm(request.POST or None, initial={"month": _default_report_month(year)})
    form.fields["month"].choices = [(m, label) for m, label in MONTH_CHOICES if m in open_months]
    form.fields["month"].error_messages["invalid_choice"] = _(
        "请选择1到12月中已开始且未报送的月份(已报送的月份请用“更新报送”)。"
    )
    if request.method == "POST" and request.POST.get("action") == "refile":
        if not can_file:
            raise PermissionDenied(_("您无权为该单位报送。"))
        report = get_object_or_404(year.reports, unit=unit, month=_int_or_404(request.POST.get("month")))
        try:
            report = services.report_refile(actor=request.user, report=report)
        except ValidationError as exc:
            for text in _error_messages(exc):
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("已更新报送%(year)s年%(month)s月:%(n)s篇稿件。")
                % {"year": year.year, "month": report.month, "n": report.piece_count},
            )
        return redirect(request.get_full_path())
    if request.method == "POST":
        if not can_file:
            raise PermissionDenied(_("您无权为该单位报送。"))
        if form.is_valid():
            try:
                report = services.report_file(
                    actor=request.user,
                    unit=unit,
                    year=year,
                    month=form.cleaned_data["month"],
                    is_zero=form.cleaned_data["is_zero"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if report.is_zero:
                    done = _("已报送%(year)s年%(month)s月:零报告。")
                else:
                    done = _("已报送%(year)s年%(month)s月:%(n)s篇稿件。")
                messages.success(request, done % {"year": year.year, "month": report.month, "n": report.piece_count})
                return redirect(f"{reverse('publicity:unit-reports')}?year={year.year}")
    rule = reporting_rule(year, unit.kind_id)
    reports = {r.month: r for r in year.reports.filter(unit=unit).select_related("filed_by")}
    filed = {m: timezone.localtime(r.filed_at).date() for m, r in reports.items()}
    month_counts = _month_counts(year, unit_ids=[unit.pk]).get(unit.pk, {})
    rows = []
    for s in month_states(rule, year.year, today, filed):
        counts = month_counts.get(s.month, {})
        report = reports.get(s.month)
        current = counts.get(PieceStatus.SUBMITTED, 0) + counts.get(PieceStatus.APPROVED, 0)
        rows.append(
            {
                "state": s,
                "report": report,
                "counts": counts,
                "current": current,
                "outdated": report is not None and report.piece_count != current,
            }
        )
    return render(
        request,
        "publicity/unit_reports.html",
        {
            "year": year,
            "unit": unit,
            "rule": rule,
            "rows": rows,
            "form": form,
            "can_file": can_file and not year.is_frozen,
            "open_months": open_months,
            "frozen": year.is_frozen,
        },
        status=400 if request.method == "POST" else 200,
    )


def _default_report_month(year: AssessmentYear) -> int:
    today = timezone.localdate()
    if today.year != year.year:
        return 12
    return max(1, today.month - 1)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _month_counts(year: AssessmentYear, unit_ids=None) -> dict[int, dict[int, dict[str, int]]]:
    """{unit_id: {month: {status: n}}} in one query."""
    qs = Piece.objects.filter(year=year)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    rows = (
        qs.annotate(m=ExtractMonth(Coalesce(_first_date_subquery(), "report_date")))
        .values("unit_id", "m", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, dict[int, dict[str, int]]] = {}
    for row in rows:
        if row["m"]:
            out.setdefault(row["unit_id"], {}).setdefault(row["m"], {})[row["status"]] = row["n"]
    return out


@require_roles(*BUREAU_READERS)
def reports_overview(request):
    """The bureau's view: per unit and month, filed / late / not yet due; send a reminder."""
    year = current_year(request)
    today = deadline_day(request, year)
    units = list(Unit.objects.active().select_related("kind"))
    rules = {r.unit_kind_id: Rule(r.cadence, r.day, r.month) for r in ReportingRule.objects.filter(year=year)}
    filed: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for unit_id, month, when in year.reports.values_list("unit_id", "month", "filed_at"):
        filed[unit_id][month] = timezone.localtime(when).date()
    reminded: dict[tuple[int, int], int] = defaultdict(int)
    for unit_id, month in Reminder.objects.filter(year=year).values_list("unit_id", "month"):
        reminded[(unit_id, month)] += 1
    table = []
    for unit in units:
        rule = rules.get(unit.kind_id)
        states = month_states(rule, year.year, today, filed[unit.pk]) if rule else []
        table.append(
            {
                "unit": unit,
                "rule": rule,
                "cells": [{"s": s, "reminded": reminded[(unit.pk, s.month)]} for s in states],
                "late": sum(1 for s in states if s.late),
                "filed": sum(1 for s in states if s.filed),
            }
        )
    return render(
        request,
        "publicity/reports_overview.html",
        {
            "year": year,
            "table": table,
            "months": range(1, 13),
            "today": today,
            "can_remind": request.user.has_role(*REMINDER_SENDERS),
            "form": ReminderForm(),
        },
    )


@require_roles(*REMINDER_SENDERS)
def reminder_send(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    year = current_year(request)
    form = ReminderForm(request.POST)
    back = f"{reverse('publicity:reports-overview')}?year={year.year}"
    if not form.is_valid():
        for field, errors in form.errors.items():
            for msg in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, _("%(field)s:%(error)s") % {"field": label, "error": msg})
        return redirect(back)
    try:
        services.reminder_send(
            actor=request.user,
            unit=form.cleaned_data["unit"],
            year=year,
            month=form.cleaned_data["month"],
            message=form.cleaned_data["message"],
        )
    except ValidationError as exc:
        for msg in _error_messages(exc):
            messages.error(request, msg)
    else:
        messages.success(
            request,
            _("已向%(unit)s发送%(month)s月催报提醒。")
            % {"unit": form.cleaned_data["unit"], "month": form.cleaned_data["month"]},
        )
    return redirect(back)

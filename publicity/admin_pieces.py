"""The admin's pieces, publications, evidence, period reports and reminders: no back door (issue 11 item 3).

- Status, reviewer, review time, unit and year are read-only; a piece (its authors, topics and publications)
  is saved through ``publicity.services`` like the web form, so every rule holds here too. The service runs
  once while the form is checked (in a savepoint that is rolled back: its errors show on the form) and once
  for real when saving.
- An approved piece is read-only; review acts are actions (通过 / 退回 with a reason) that go through
  ``publicity.review`` with the version shown on the confirmation page (the same rules as the review pages).
- Publications are edited only inside their piece; evidence is deleted through the service.
- Period reports and reminders are frozen with their year; filed-by/sent-by are the signed-in user.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.validators import reject_control_chars

from . import review as review_services
from . import services
from .admin import CHECKBOX_M2M, LINKS_ASSUME_HTTPS, FrozenYearAdminMixin, piece_reward_link
from .models import Evidence, PeriodReport, Piece, PieceStatus, Publication, RejectionReason, Reminder
from .resources import PieceImportForm, PieceResource, YearImportExportMixin

REVIEW_STATE_FIELDS = [
    "status",
    "reject_reason",
    "version",
    "created_by",
    "created_at",
    "submitted_at",
    "first_submitted_at",
    "reviewed_by",
    "reviewed_at",
    "updated_at",
]


class _DryRun(Exception):
    """Roll back the savepoint of a service run made only to check the input."""


def _messages(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or _("无权操作。")]


class PieceAdminForm(forms.ModelForm):
    authors_text = forms.CharField(
        label=gettext_lazy("作者"),
        max_length=300,
        help_text=gettext_lazy("多位作者按署名顺序填写,用顿号、逗号或空格分隔"),
        validators=[reject_control_chars],
    )

    class Meta:
        model = Piece
        fields = ["year", "unit", "title", "kind", "topics", "characters", "report_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["authors_text"].initial = "、".join(a.name for a in self.instance.authors.all())

    def clean(self):
        data = super().clean()
        # Handed to the publications formset, which runs the service with the whole piece (see below).
        self.instance._admin_piece_fields = {
            "authors": data.get("authors_text", ""),
            "topics": list(data.get("topics") or []),
        }
        return data


def piece_fields(piece: Piece, publications) -> dict:
    extra = getattr(piece, "_admin_piece_fields", {})
    return {
        "title": piece.title,
        "kind": piece.kind,
        "characters": piece.characters or 0,
        "report_date": piece.report_date,
        "authors": extra.get("authors", ""),
        "topics": extra.get("topics", []),
        "publications": publications,
    }


def save_piece(actor, piece: Piece, publications) -> Piece:
    """Create or change ``piece`` (the admin form's unsaved instance) through the services. A submitted piece
    changed here is a new submission (a new version: a review opened before is refused)."""
    fields = piece_fields(piece, publications)
    if piece.pk is None:
        return services.piece_create(actor=actor, unit=piece.unit, year=piece.year, **fields)
    stored = Piece.objects.get(pk=piece.pk)
    # Like a table import, the admin door does not apply the year's proof rule; the queue flags missing proof.
    return services.piece_update(
        actor=actor, piece=stored, submit=stored.status == PieceStatus.SUBMITTED, check_proof=False, **fields
    )


class ServicePublicationFormSet(BaseInlineFormSet):
    """The piece's publications, checked by running the piece service in a savepoint that is rolled back."""

    actor = None

    def publication_inputs(self) -> list[services.PublicationInput]:
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("outlet"):
                continue
            rows.append(
                services.PublicationInput(
                    outlet=data["outlet"],
                    date=data["date"],
                    placement=data.get("placement") or "other",
                    page=data.get("page") or "",
                    url=data.get("url") or "",
                )
            )
        return rows

    def clean(self):
        super().clean()
        if any(self.errors) or not hasattr(self.instance, "_admin_piece_fields"):
            return
        try:
            with transaction.atomic():
                save_piece(self.actor, self.instance, self.publication_inputs())
                raise _DryRun
        except _DryRun:
            pass
        except (ValidationError, PermissionDenied) as exc:
            raise ValidationError(_messages(exc)) from exc


class PublicationInline(admin.TabularInline):
    model = Publication
    formset = ServicePublicationFormSet
    fields = ["outlet", "date", "placement", "page", "url", "pending_review"]
    readonly_fields = ["pending_review"]
    extra = 0
    autocomplete_fields = ["outlet"]
    formfield_overrides = LINKS_ASSUME_HTTPS

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.actor = request.user
        return formset


class ReviewActionForm(forms.Form):
    reason = forms.CharField(required=False, max_length=500, validators=[reject_control_chars])


@admin.register(Piece)
class PieceAdmin(FrozenYearAdminMixin, YearImportExportMixin, admin.ModelAdmin):
    # 导入/导出刊发新闻稿件统计表, same as manage.py import_pieces (all or nothing, via services)
    resource_classes = [PieceResource]
    import_form_class = PieceImportForm
    form = PieceAdminForm
    year_path = "year"
    list_display = ["title", "unit", "year", "kind", "characters", "status", "submitted_at", piece_reward_link]
    list_filter = ["year", "status", "kind", "unit__kind", "topics"]
    list_select_related = ["unit", "year"]
    search_fields = ["title", "unit__name", "authors__name"]
    autocomplete_fields = ["unit"]
    # Plain checkboxes: the two-box filter widget spoke English ("Choose 专题…") and hides what is chosen.
    formfield_overrides = {**CHECKBOX_M2M, **LINKS_ASSUME_HTTPS}
    fields = [
        "year",
        "unit",
        "title",
        "kind",
        "authors_text",
        "topics",
        "characters",
        "report_date",
        *REVIEW_STATE_FIELDS,
    ]
    inlines = [PublicationInline]
    list_per_page = 100
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected"]

    def get_readonly_fields(self, request, obj=None):
        # Unit and year are chosen once, on the add form; review state is only ever set by the review services.
        return [*REVIEW_STATE_FIELDS, *(["year", "unit"] if obj is not None else [])]

    def get_fields(self, request, obj=None):
        if obj is not None and not self.has_change_permission(request, obj):
            return ["year", "unit", "title", "kind", "topics", "characters", "report_date", *REVIEW_STATE_FIELDS]
        return super().get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == PieceStatus.APPROVED:
            return False  # approved is final; corrections go through 撤销通过 / 补登刊发
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == PieceStatus.APPROVED:
            return False
        return super().has_delete_permission(request, obj)

    def has_review_permission(self, request):
        return request.user.has_role("reviewer", "bureau_admin")

    def save_model(self, request, obj, form, change):
        """Nothing here: the piece is written with its publications in ``save_related``, through the service."""

    def save_related(self, request, form, formsets, change):
        publications = formsets[0].publication_inputs() if formsets else []
        saved = save_piece(request.user, form.instance, publications)
        form.instance.pk, form.instance._state.adding = saved.pk, False
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        services.piece_delete(actor=request.user, piece=obj)

    def delete_queryset(self, request, queryset):
        for piece in queryset:
            try:
                services.piece_delete(actor=request.user, piece=piece)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"“{piece.title}”:{';'.join(_messages(exc))}", messages.ERROR)

    # --- review actions: a confirmation page shows what is decided on (and its version) -------------------

    def _review(self, request, queryset, *, approve: bool):
        pieces = list(queryset.select_related("unit", "year").prefetch_related("publications__outlet"))
        title = _("审核通过所选稿件") if approve else _("退回所选稿件")
        form = ReviewActionForm(request.POST if request.POST.get("apply") else None)
        if request.POST.get("apply") and form.is_valid():
            reason = (form.cleaned_data["reason"] or "").strip()
            if not approve and not reason:
                form.add_error("reason", _("退回稿件必须填写退回原因。"))
            else:
                done = 0
                for piece in pieces:
                    raw = request.POST.get(f"version-{piece.pk}") or ""
                    version = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1
                    try:
                        review_services.piece_review(
                            actor=request.user, piece=piece, approve=approve, reason=reason, expected_version=version
                        )
                        done += 1
                    except (ValidationError, PermissionDenied) as exc:
                        self.message_user(request, f"“{piece.title}”:{';'.join(_messages(exc))}", messages.ERROR)
                if done:
                    self.message_user(request, _("已处理 %(n)s 篇稿件。") % {"n": done}, messages.SUCCESS)
                return None
        return TemplateResponse(
            request,
            "admin/publicity/piece/review_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "pieces": pieces,
                "approve": approve,
                "form": form,
                "action": "approve_selected" if approve else "reject_selected",
                "reasons": list(RejectionReason.objects.filter(is_active=True)),
                "opts": self.model._meta,
            },
        )

    @admin.action(description=gettext_lazy("审核通过所选稿件"), permissions=["review"])
    def approve_selected(self, request, queryset):
        return self._review(request, queryset, approve=True)

    @admin.action(description=gettext_lazy("退回所选稿件(须填原因)"), permissions=["review"])
    def reject_selected(self, request, queryset):
        return self._review(request, queryset, approve=False)


@admin.register(Publication)
class PublicationAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    """Read-only: publications are written with their piece (its admin page, the web form, 补登刊发)."""

    year_path = "piece__year"
    list_display = ["piece", "outlet", "date", "placement", "page", "pending_review"]
    list_filter = ["outlet__level", "outlet__category", "placement", "pending_review"]
    list_select_related = ["piece", "outlet"]
    search_fields = ["piece__title", "outlet__name", "url"]
    date_hierarchy = "date"
    formfield_overrides = LINKS_ASSUME_HTTPS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    year_path = "publication__piece__year"
    list_display = ["original_name", "publication", "content_type", "size", "sha256", "uploaded_at"]
    list_select_related = ["publication__piece", "publication__outlet"]
    # Files come in only through the upload service (content checks, generated names, SHA-256);
    # the admin shows them and may delete them (not an approved piece's), never swaps the stored file.
    readonly_fields = [
        "publication",
        "file",
        "original_name",
        "sha256",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        if (
            obj is not None
            and obj.publication.piece.status == PieceStatus.APPROVED
            and not obj.publication.pending_review
        ):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.evidence_delete(actor=request.user, evidence=obj)

    def delete_queryset(self, request, queryset):
        for evidence in queryset.select_related("publication__piece"):
            try:
                services.evidence_delete(actor=request.user, evidence=evidence)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, ";".join(_messages(exc)), messages.ERROR)


@admin.register(PeriodReport)
class PeriodReportAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    """Filed through the reporting service (the count is taken from the month's pieces; filed by the signed-in
    user); frozen with its year."""

    year_path = "year"
    list_display = ["unit", "year", "month", "is_zero", "piece_count", "filed_by", "filed_at"]
    list_filter = ["year", "month", "is_zero"]
    list_select_related = ["unit", "year", "filed_by"]
    readonly_fields = ["piece_count", "filed_by", "filed_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *(["year", "unit", "month", "is_zero"] if obj is not None else [])]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class ServiceForm(form_class):
            def clean(form):
                data = super().clean()
                if form.errors:
                    return data
                try:
                    with transaction.atomic():
                        _file_report(request.user, form.instance, data)
                        raise _DryRun
                except _DryRun:
                    pass
                except (ValidationError, PermissionDenied) as exc:
                    raise ValidationError(_messages(exc)) from exc
                return data

        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = _file_report(request.user, obj, form.cleaned_data)
        obj.pk, obj._state.adding = saved.pk, False


def _file_report(actor, report: PeriodReport, data: dict) -> PeriodReport:
    if report.pk is None:
        return services.report_file(
            actor=actor,
            unit=data["unit"],
            year=data["year"],
            month=data["month"],
            is_zero=data.get("is_zero", False),
            note=data.get("note", ""),
        )
    return services.report_refile(actor=actor, report=PeriodReport.objects.get(pk=report.pk), note=data.get("note", ""))


@admin.register(Reminder)
class ReminderAdmin(FrozenYearAdminMixin, admin.ModelAdmin):
    """Sent through the reminder service (sender = the signed-in user); frozen with its year."""

    year_path = "year"
    list_display = ["unit", "month", "message", "sent_by", "sent_at", "read_at"]
    list_select_related = ["unit", "sent_by"]
    readonly_fields = ["sent_by", "sent_at", "read_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *(["year", "unit", "month"] if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["message"])
            return
        saved = services.reminder_send(
            actor=request.user, unit=obj.unit, year=obj.year, month=obj.month, message=obj.message
        )
        obj.pk, obj._state.adding = saved.pk, False

from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [
    path("unit/", views.unit_home, name="unit-home"),
    path("pieces/", views.piece_list, name="piece-list"),
    path("pieces/new/", views.piece_form, name="piece-create"),
    path("pieces/<int:pk>/", views.piece_detail, name="piece-detail"),
    path("pieces/<int:pk>/edit/", views.piece_form, name="piece-edit"),
    path("pieces/<int:pk>/submit/", views.piece_submit, name="piece-submit"),
    path("pieces/<int:pk>/withdraw/", views.piece_withdraw, name="piece-withdraw"),
    path("pieces/<int:pk>/delete/", views.piece_delete, name="piece-delete"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("outlets/search.json", views.outlet_search, name="outlet-search"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/approve/", views.review_approve, name="review-approve"),
    path("review/<int:pk>/reject/", views.review_reject, name="review-reject"),
    path("review/batch/", views.review_batch, name="review-batch"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.unit_reports, name="unit-reports"),
    path("reports/overview/", views.reports_overview, name="reports-overview"),
    path("reports/remind/", views.reminder_send, name="reminder-send"),
    path("reminders/<int:pk>/read/", views.reminder_read, name="reminder-read"),
    path("audit-pending/", views.audit_pending, name="audit-pending"),
    path("system/", views.system_home, name="system-home"),
    path("no-role/", views.no_role, name="no-role"),
]

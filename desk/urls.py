"""Every page a person uses outside the admin, grouped by the namespaces the templates and the README
already use (``publicity:…``, ``scoring:…``, ``reports:…``, ``audit:…``); ``config/urls.py`` mounts them."""

from django.urls import path

from . import (
    audit_log,
    campaign_files,
    campaigns,
    corrections,
    dashboard,
    evidence,
    figures,
    home,
    jobs,
    own_rewards,
    pieces,
    proof,
    quotas,
    reporting,
    reports,
    review,
    scores,
    unit_home,
    website,
    years,
)

# /p/ — the liaison's, the reviewer's and the bureau's daily pages
publicity_patterns = (
    [
        path("unit/", unit_home.unit_home, name="unit-home"),
        path("pieces/", pieces.piece_list, name="piece-list"),
        path("pieces/new/", pieces.piece_form, name="piece-create"),
        path("pieces/<int:pk>/", pieces.piece_detail, name="piece-detail"),
        path("pieces/<int:pk>/edit/", pieces.piece_form, name="piece-edit"),
        path("pieces/<int:pk>/submit/", pieces.piece_submit, name="piece-submit"),
        path("pieces/<int:pk>/withdraw/", pieces.piece_withdraw, name="piece-withdraw"),
        path("pieces/<int:pk>/delete/", pieces.piece_delete, name="piece-delete"),
        path("evidence/<int:pk>/", evidence.evidence_file, name="evidence"),
        path("evidence/<int:pk>/preview.png", evidence.evidence_preview, name="evidence-preview"),
        path("outlets/search.json", evidence.outlet_search, name="outlet-search"),
        path("evidence/stage/", proof.evidence_stage, name="evidence-stage"),
        path("evidence/staged/<uuid:token>/reading.json", proof.staged_reading, name="staged-reading"),
        path("review/", review.review_queue, name="review-queue"),
        path("review/<int:pk>/approve/", review.review_approve, name="review-approve"),
        path("review/<int:pk>/reject/", review.review_reject, name="review-reject"),
        path("review/batch/", review.review_batch, name="review-batch"),
        path("review/<int:pk>/revoke/", corrections.review_revoke, name="review-revoke"),
        path("pieces/<int:pk>/correction/", corrections.piece_correction, name="piece-correction"),
        path("corrections/<int:pk>/review/", corrections.correction_review, name="correction-review"),
        path("dashboard/", dashboard.dashboard, name="dashboard"),
        path("dashboard/ranking.xlsx", dashboard.dashboard_xlsx, name="dashboard-xlsx"),
        path("reports/", reporting.unit_reports, name="unit-reports"),
        path("reports/overview/", reporting.reports_overview, name="reports-overview"),
        path("reports/remind/", reporting.reminder_send, name="reminder-send"),
        path("reports/remind-overdue/", reporting.reminders_overdue, name="reminders-overdue"),
        path("reminders/<int:pk>/read/", unit_home.reminder_read, name="reminder-read"),
        path("audit-pending/", home.audit_pending, name="audit-pending"),
        path("system/", home.system_home, name="system-home"),
        path("no-role/", home.no_role, name="no-role"),
    ],
    "publicity",
)

# /s/ — score explanations
scoring_patterns = (
    [
        path("<int:year>/units/<int:unit_id>/", scores.unit_score, name="unit-score"),
        path("units/<int:unit_id>/", scores.unit_score_current, name="unit-score-current"),
        path("pieces/<int:piece_id>/", scores.piece_reward, name="piece-reward"),
    ],
    "scoring",
)

# /r/ — documents to download
reports_patterns = (
    [
        path("", reports.index, name="index"),
        path("<int:year>/", reports.year_page, name="year"),
        path("<int:year>/workbook.xlsx", reports.year_workbook, name="year-workbook"),
        path("<int:year>/results.pdf", reports.year_pdf, name="year-pdf"),
        path("<int:year>/workbook/start/", reports.year_workbook_start, name="year-workbook-start"),
        path("<int:year>/results/start/", reports.year_pdf_start, name="year-pdf-start"),
        path("<int:year>/circular/", reports.circular_page, name="circular"),
        path("<int:year>/circular/<int:month>.xlsx", reports.circular_file, {"fmt": "xlsx"}, name="circular-xlsx"),
        path("<int:year>/circular/<int:month>.pdf", reports.circular_file, {"fmt": "pdf"}, name="circular-pdf"),
        path("<int:year>/certificates/", reports.certificates, name="certificates"),
    ],
    "reports",
)

# /audit/ — the audit log (auditor) and everyone's own password change
audit_patterns = (
    [
        path("", audit_log.audit_log, name="log"),
        path("password/", audit_log.password_change, name="password-change"),
    ],
    "audit",
)

# /jobs/ — background work: progress, then the file (owner and bureau admin only)
jobs_patterns = (
    [
        path("", jobs.job_list, name="list"),
        path("<int:pk>/", jobs.job_page, name="detail"),
        path("<int:pk>/status.json", jobs.job_status, name="status"),
        path("<int:pk>/file", jobs.job_file, name="file"),
    ],
    "jobs",
)

# /w/ — bureau-website submissions: draft, sign off, publish (局网站信息发布)
website_patterns = (
    [
        path("", website.item_list, name="list"),
        path("new/", website.item_form, name="create"),
        path("<int:pk>/", website.item_detail, name="detail"),
        path("<int:pk>/edit/", website.item_form, name="edit"),
        path("<int:pk>/submit/", website.item_submit, name="submit"),
        path("<int:pk>/withdraw/", website.item_withdraw, name="withdraw"),
        path("<int:pk>/delete/", website.item_delete, name="delete"),
        path("<int:pk>/sign/", website.item_sign, name="sign"),
        path("<int:pk>/return/", website.item_return, name="return"),
        path("<int:pk>/publish/", website.item_publish, name="publish"),
        path("<int:pk>/scan/", website.item_scan, name="scan"),
    ],
    "website",
)

# /c/ — campaign tasks: the bureau sets them up and follows completion, units upload (专题宣传活动)
campaign_patterns = (
    [
        path("", campaigns.campaign_list, name="list"),
        path("new/", campaigns.campaign_form, name="create"),
        path("<int:pk>/", campaigns.campaign_detail, name="detail"),
        path("<int:pk>/edit/", campaigns.campaign_form, name="edit"),
        path("<int:pk>/upload/", campaigns.campaign_upload, name="upload"),
        path("<int:pk>/units/<int:unit_id>/", campaigns.campaign_unit, name="unit"),
        path("<int:pk>/units/<int:unit_id>/files.zip", campaign_files.unit_zip, name="unit-zip"),
        path("<int:pk>/completion.xlsx", campaign_files.completion_xlsx, name="completion-xlsx"),
        path("files/<int:pk>/", campaign_files.file_download, name="file"),
        path("files/<int:pk>/delete/", campaigns.file_delete, name="file-delete"),
    ],
    "campaigns",
)

# /b/ — the bureau admin's console: the year's quotas (任务分解) and its life (close, publish, reopen, roll over)
console_patterns = (
    [
        path("", years.year_list, name="years"),
        path("<int:year>/", years.year_page, name="year"),
        path("<int:year>/open/", years.year_open_view, name="year-open"),
        path("<int:year>/close/", years.year_close, name="year-close"),
        path("<int:year>/publish/", years.year_publish_view, name="year-publish"),
        path("<int:year>/reopen/", years.year_reopen_view, name="year-reopen"),
        path("<int:year>/rollover/", years.year_rollover_view, name="year-rollover"),
        path("<int:year>/quotas/", quotas.quota_grid, name="quota-grid"),
        path("<int:year>/quotas/cell/", quotas.quota_cell, name="quota-cell"),
        path("<int:year>/quotas.xlsx", quotas.quota_download, name="quota-download"),
        path("<int:year>/quotas/upload/", quotas.quota_upload, name="quota-upload"),
    ],
    "console",
)

# /f/ — reported-figure tasks (发行征订 and the like): report with evidence, review
figures_patterns = (
    [
        path("", figures.figure_list, name="list"),
        path("tasks/<int:pk>/", figures.task_detail, name="task"),
        path("tasks/<int:pk>/report/", figures.report_form, name="report"),
        path("reports/<int:pk>/approve/", figures.report_approve, name="approve"),
        path("reports/<int:pk>/reject/", figures.report_reject, name="reject"),
        path("reports/<int:pk>/evidence/", figures.report_evidence, name="evidence"),
    ],
    "figures",
)

# /o/ — a unit's own reward schedule (奖励资金自筹): its head or liaison edits it; its own payout list
own_rewards_patterns = (
    [
        path("", own_rewards.own_schedule, name="schedule"),
        path("rules/new/", own_rewards.own_rule_form, name="rule-create"),
        path("rules/<int:pk>/", own_rewards.own_rule_form, name="rule-edit"),
        path("rules/<int:pk>/delete/", own_rewards.own_rule_delete, name="rule-delete"),
        path("<int:year>/payout.xlsx", own_rewards.own_payout, {"fmt": "xlsx"}, name="payout-xlsx"),
        path("<int:year>/payout.pdf", own_rewards.own_payout, {"fmt": "pdf"}, name="payout-pdf"),
    ],
    "own-rewards",
)

"""Background jobs for the year-end documents (a province's workbook takes minutes, not a request)."""

from __future__ import annotations

from django.utils import timezone

from jobs.runner import JobError, Progress, job_task
from publicity.models import AssessmentYear
from scoring.services import year_results
from units.routers import reading_from_replica

from .pdf import results_pdf
from .workbook import write_year_workbook

# Report jobs only read: they read from the replica when there is one (units.routers).

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def workbook_name(year: AssessmentYear) -> str:
    return f"{year.year}年度宣传工作考核汇总.xlsx"


def results_pdf_name(year: AssessmentYear) -> str:
    return f"{year.year}年度宣传工作考核结果.pdf"


def _year(year_id: int) -> AssessmentYear:
    year = AssessmentYear.objects.filter(pk=year_id).first()
    if year is None:
        raise JobError("该考核年度已不存在。")
    return year


@job_task
def year_workbook_job(progress: Progress, *, year_id: int) -> None:
    year = _year(year_id)
    today = timezone.localdate()
    with reading_from_replica():
        progress.attach(
            workbook_name(year), XLSX, lambda fh: write_year_workbook(year, fh, today=today, step=progress.step)
        )
    progress.step(8, 8, "已生成")


@job_task
def results_pdf_job(progress: Progress, *, year_id: int) -> None:
    year = _year(year_id)
    progress.step(0, 2, "正在计算考核结果")
    with reading_from_replica():
        results = year_results(year)
    progress.step(1, 2, "正在排版 PDF")
    progress.attach(results_pdf_name(year), PDF, lambda fh: results_pdf(year, results, fh, today=timezone.localdate()))
    progress.step(2, 2, "已生成")

"""Closing a year in the background: scoring a province's year and writing its snapshot takes minutes."""

from __future__ import annotations

from jobs.runner import JobError, Progress, job_task
from publicity.models import AssessmentYear

from .services import year_close


@job_task
def year_close_job(progress: Progress, *, year_id: int) -> None:
    year = AssessmentYear.objects.filter(pk=year_id).first()
    if year is None:
        raise JobError("该考核年度已不存在。")
    progress.step(0, 1, f"正在结账:计算{year.year}年度各单位和个人结果并存档")
    snapshot = year_close(actor=progress.owner, year=year)
    progress.step(1, 1, f"{year.year}年度已结账,{snapshot.unit_results.count()}个单位的结果已存档。")

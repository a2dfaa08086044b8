"""A job's page: progress (polled), then the file. Only the owner and the bureau admin see a job;
anyone else gets a 404 (its existence is not revealed).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from jobs.models import Job

from .access import scoped_or_404


def get_job_for_user(user, pk: int) -> Job:
    return scoped_or_404(user, Job.objects.visible_to(user).select_related("owner"), pk=pk)


def job_state(job: Job) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "error": job.error,
        "finished": job.is_finished,
        "file_url": reverse("jobs:file", args=[job.pk]) if job.has_file else "",
        "file_name": job.result_name if job.has_file else "",
    }


@login_required
def job_list(request):
    jobs = Job.objects.filter(owner=request.user).order_by("-created_at", "-id")[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
def job_page(request, pk: int):
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/job.html", {"job": job, "state": job_state(job)})


@never_cache
@login_required
def job_status(request, pk: int):
    return JsonResponse(job_state(get_job_for_user(request.user, pk)))


@login_required
def job_file(request, pk: int):
    job = get_job_for_user(request.user, pk)
    if not job.has_file:
        raise Http404("文件尚未生成。")
    return FileResponse(
        job.result.open("rb"), as_attachment=True, filename=job.result_name, content_type=job.result_type
    )

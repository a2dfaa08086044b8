"""The visible side of background work: a job's progress, its file, its errors and who may see it."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jobs.models import Job, JobStatus
from jobs.runner import Progress, job_start, run_inline
from publicity.models import AssessmentYear
from tests.conftest import login

from .tasks_for_tests import broken_job, counting_job, invalid_job, refused_job


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_job_runs_reports_progress_and_keeps_its_file(users):
    job = job_start(owner=users["reviewer"], kind="count", title="数一数", task=counting_job, upto=5)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.DONE, 5, 5, 100)
    assert job.message == "第5步" and job.error == "" and job.task_id
    assert job.started_at and job.finished_at and job.result_name == "数字.txt"
    assert job.result.name.startswith("jobs/") and "数字" not in job.result.name  # server-made name
    assert job.result.read() == b"0 1 2 3 4"


@pytest.mark.parametrize(
    ("task", "shown"),
    [
        (refused_job, "第3行「单位」列:“安康晚报”不是已登记的单位"),
        (invalid_job, "还有2篇稿件待审核,请审核完毕后再结账。"),
    ],
)
def test_a_refusal_is_shown_as_written(users, task, shown):
    job = job_start(owner=users["reviewer"], kind="x", title="x", task=task)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == shown and not job.has_file


def test_an_unexpected_error_names_the_job_not_the_internals(users, caplog):
    job = job_start(owner=users["reviewer"], kind="x", title="x", task=broken_job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == f"任务执行出错(任务编号 {job.pk}),请联系系统管理员。" and "secret" not in job.error
    assert "secret internals" in caplog.text  # the traceback goes to the log


def test_a_job_is_never_run_twice(users):
    job = job_start(owner=users["reviewer"], kind="count", title="x", task=counting_job, upto=2)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, message="worker died here")
    counting_job.call(job_id=job.pk, upto=2)  # a redelivery
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.message == "worker died here"


def test_progress_writes_are_throttled(users, django_assert_max_num_queries):
    job = Job.objects.create(owner=users["reviewer"], kind="x", title="x")
    progress = Progress(job)
    with django_assert_max_num_queries(2):
        for n in range(1000):
            progress.step(n, 1000)  # no message, quick succession: only the first and the last are written
        progress.step(1000, 1000)
    job.refresh_from_db()
    assert (job.done, job.total) == (1000, 1000)


def test_the_same_job_runs_from_the_command_line(users):
    lines = []
    progress = run_inline(counting_job, echo=lines.append, upto=3)
    assert lines[-1] == "第3步(3/3)" and progress.job is None and not Job.objects.exists()


# ----------------------------------------------------------------------------- pages


@pytest.fixture
def job(users):
    return job_start(owner=users["reviewer"], kind="count", title="数一数", task=counting_job, upto=3)


def test_owner_sees_progress_status_and_file(client, users, job):
    login(client, users["reviewer"])
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "数一数" in page and "已完成" in page and reverse("jobs:file", args=[job.pk]) in page
    state = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert state["status"] == "done" and state["percent"] == 100 and state["file_name"] == "数字.txt"
    response = client.get(reverse("jobs:file", args=[job.pk]))
    assert response.status_code == 200 and body(response) == b"0 1 2"
    assert "attachment" in response["Content-Disposition"]
    assert "数一数" in client.get(reverse("jobs:list")).content.decode()


def test_bureau_admin_sees_anyones_job(client, users, job):
    login(client, users["bureau_admin"])
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "发起人" in page and "reviewer" in page
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 200


@pytest.mark.parametrize("who", ["leader", "liaison_a", "auditor", "outsider"])
@pytest.mark.parametrize("name", ["jobs:detail", "jobs:status", "jobs:file"])
def test_someone_elses_job_is_404(client, users, job, who, name):
    login(client, users[who])
    assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert "数一数" not in client.get(reverse("jobs:list")).content.decode()


def test_anonymous_is_sent_to_login(client, job):
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_unfinished_job_has_no_file(client, users):
    job = Job.objects.create(owner=users["reviewer"], kind="x", title="慢任务", total=10, done=4, message="正在写")
    login(client, users["reviewer"])
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "排队中" in page and "4/10" in page and 'http-equiv="refresh"' in page
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["percent"] == 40
    assert client.get(reverse("jobs:file", args=[job.pk])).status_code == 404


# ----------------------------------------------------------------------------- the year's documents


@pytest.fixture
def big_year(settings):
    settings.REPORT_INLINE_MAX_PIECES = 0  # every year counts as a province's


def test_a_big_years_workbook_is_made_in_the_background(client, scored, users, big_year):
    login(client, users["leader"])
    year_url = reverse("reports:year", kwargs={"year": 2011})
    page = client.get(year_url).content.decode()
    assert reverse("reports:year-workbook-start", kwargs={"year": 2011}) in page
    # the direct download refuses to hold a web worker for minutes: back to the year page with a hint
    response = client.get(reverse("reports:year-workbook", kwargs={"year": 2011}), follow=True)
    assert response.redirect_chain[-1][0] == year_url and "后台生成" in response.content.decode()
    assert client.get(reverse("reports:year-workbook-start", kwargs={"year": 2011})).status_code == 405

    response = client.post(reverse("reports:year-workbook-start", kwargs={"year": 2011}))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.owner, job.kind, job.status) == (users["leader"], "year_workbook", JobStatus.DONE)
    assert job.result_name == "2011年度宣传工作考核汇总.xlsx" and job.done == job.total == 8
    wb = load_workbook(io.BytesIO(body(client.get(reverse("jobs:file", args=[job.pk])))))
    assert wb.sheetnames[0] == "单位得分汇总" and wb["单位得分汇总"]["B5"].value == "办公室"


def test_a_big_years_results_pdf_is_made_in_the_background(client, scored, users, big_year):
    from tests.reports.conftest import pdf_text

    login(client, users["reviewer"])
    client.post(reverse("reports:year-pdf-start", kwargs={"year": 2011}))
    job = Job.objects.get()
    assert job.status == JobStatus.DONE and job.result_type == "application/pdf"
    assert "汉滨区人社局" in pdf_text(body(client.get(reverse("jobs:file", args=[job.pk]))))


@pytest.mark.parametrize("who", ["liaison_a", "auditor", "outsider"])
def test_other_roles_cannot_start_report_jobs(client, scored, users, who):
    login(client, users[who])
    assert client.post(reverse("reports:year-workbook-start", kwargs={"year": 2011})).status_code == 403
    assert client.post(reverse("reports:year-pdf-start", kwargs={"year": 2011})).status_code == 403
    assert not Job.objects.exists()


def test_unknown_year_starts_nothing(client, users):
    login(client, users["bureau_admin"])
    assert client.post(reverse("reports:year-workbook-start", kwargs={"year": 2099})).status_code == 404
    assert not Job.objects.exists()


def test_year_close_runs_as_a_job_from_the_console(client, scored, users):
    login(client, users["bureau_admin"])
    year = AssessmentYear.objects.get(year=2011)
    response = client.post(reverse("console:year-close", kwargs={"year": 2011}), follow=True)
    assert "2011年度已结账" in response.content.decode()
    job = Job.objects.get(kind="year_close")
    assert job.status == JobStatus.DONE and job.owner == users["bureau_admin"] and "4个单位的结果已存档" in job.message
    year.refresh_from_db()
    assert year.status == "closed"

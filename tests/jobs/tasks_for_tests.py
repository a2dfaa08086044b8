"""Job functions used only by the tests (module level: the worker imports tasks by name)."""

from django.core.exceptions import ValidationError

from jobs.runner import JobError, job_task


@job_task
def counting_job(progress, *, upto: int):
    for n in range(upto + 1):
        progress.step(n, upto, f"第{n}步")
    progress.attach("数字.txt", "text/plain", lambda fh: fh.write(" ".join(map(str, range(upto))).encode()))


@job_task
def refused_job(progress):
    raise JobError("第3行「单位」列:“安康晚报”不是已登记的单位")


@job_task
def invalid_job(progress):
    raise ValidationError(["还有2篇稿件待审核,请审核完毕后再结账。"])


@job_task
def broken_job(progress):
    raise RuntimeError("secret internals")

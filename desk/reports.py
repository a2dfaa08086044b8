"""Download pages for the bureau: the year-end workbook, the results PDF, the monthly circular and
honour certificates. Thin views: access helper → build → file response.

Bureau readers (admin, reviewer, leader) may read and download; only the bureau admin picks whom to
commend. Other roles get a 403; an unknown year or month is a 404.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jobs.runner import job_start
from publicity.models import AssessmentYear, Piece, PieceStatus
from reports.certificates import DEFAULT_PERSON_HONOUR, DEFAULT_UNIT_HONOUR, person_key, pick
from reports.circular import build_circular
from reports.pdf import certificates_pdf, circular_pdf, results_pdf
from reports.tasks import results_pdf_job, results_pdf_name, workbook_name, year_workbook_job
from reports.workbook import write_circular_workbook, write_year_workbook
from scoring.models import StoredIndicatorScore, StoredYear
from scoring.services import year_results
from scoring.stored import ensure_stored, ranked
from units.models import Role
from units.routers import replica_reads

from .access import BUREAU_READERS, require_roles

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _year(year: int) -> AssessmentYear:
    return get_object_or_404(AssessmentYear, year=year)


def runs_inline(year: AssessmentYear) -> bool:
    """A small year's documents are written during the request; a big one's by the background worker
    (a province's workbook takes minutes and would hold a web worker that long)."""
    approved = Piece.objects.filter(year=year, status=PieceStatus.APPROVED).count()
    return approved <= settings.REPORT_INLINE_MAX_PIECES


def _to_background(request, year: AssessmentYear):
    messages.info(request, _("该年度稿件较多,请点“后台生成”,生成后在任务页下载。"))
    return redirect("reports:year", year=year.year)


def _month(month) -> int:
    try:
        month = int(month)
    except (TypeError, ValueError) as exc:
        raise Http404(_("月份无效。")) from exc
    if not 1 <= month <= 12:
        raise Http404(_("月份无效。"))
    return month


def _download(write, filename: str, content_type: str) -> FileResponse:
    """Write into a temporary file (a big workbook never sits in memory whole) and stream it back."""
    fh = tempfile.TemporaryFile()
    write(fh)
    fh.seek(0)
    return FileResponse(fh, as_attachment=True, filename=filename, content_type=content_type)


def default_month(year: AssessmentYear, today: dt.date) -> int:
    """The last finished month of the year (the month a circular is usually about)."""
    if today.year > year.year:
        return 12
    if today.year < year.year:
        return 1
    return max(1, today.month - 1)


@require_roles(*BUREAU_READERS)
def index(request):
    years = AssessmentYear.objects.order_by("-year")
    return render(request, "reports/index.html", {"years": years})


YEAR_PAGE_SIZE = 100


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _stored_results_page(year: AssessmentYear, number: int):
    """An open year: one page of the stored scores, ranked over the whole year, with the page's indicators
    (a fixed number of queries whatever the number of units or pieces)."""
    ensure_stored(year)
    rows = ranked(year).order_by("-points", "-reward", "kind__order", "order", "unit_id")
    page = Paginator(rows, YEAR_PAGE_SIZE).get_page(number)
    units = list(page.object_list)
    indicators: dict[int, list] = {}
    for ind in StoredIndicatorScore.objects.filter(unit_score__in=[u.pk for u in units]).order_by("position"):
        indicators.setdefault(ind.unit_score_id, []).append(ind)
    for u in units:
        u.indicator_list = indicators.get(u.pk, [])
    return page, units


@require_roles(*BUREAU_READERS)
@replica_reads
def year_page(request, year: int):
    """Every unit's result, ranked: an open year from the stored scores (``scoring.stored``, kept current
    with every approval), a closed one from its closing snapshot; 100 units a page."""
    assessment_year = _year(year)
    stale = False
    if assessment_year.is_frozen:
        results = year_results(assessment_year)
        page = Paginator(results.units, YEAR_PAGE_SIZE).get_page(_page_number(request))
        units = [_SnapshotRow(u) for u in page.object_list]
        source = "snapshot"
    else:
        page, units = _stored_results_page(assessment_year, _page_number(request))
        stale = StoredYear.objects.filter(year=assessment_year, stale=True).exists()
        source = "stored"
    return render(
        request,
        "reports/year.html",
        {
            "year": assessment_year,
            "units": units,
            "page": page,
            "source": source,
            "stale": stale,
            "month": default_month(assessment_year, timezone.localdate()),
            "can_commend": request.user.is_bureau_admin,
            "inline": runs_inline(assessment_year),
        },
    )


class _SnapshotRow:
    """A snapshot's unit in the shape of a stored row (the template reads one shape)."""

    def __init__(self, u):
        self.rank, self.unit_name, self.kind_name = u.rank, u.unit_name, u.kind_name
        self.missing, self.extra, self.points, self.reward = u.missing, u.extra, u.points, u.reward
        self.indicator_list = u.indicators


@require_roles(*BUREAU_READERS)
@replica_reads
def year_workbook(request, year: int):
    assessment_year = _year(year)
    if not runs_inline(assessment_year):
        return _to_background(request, assessment_year)
    today = timezone.localdate()
    return _download(
        lambda fh: write_year_workbook(assessment_year, fh, today=today), workbook_name(assessment_year), XLSX
    )


@require_roles(*BUREAU_READERS)
@replica_reads
def year_pdf(request, year: int):
    assessment_year = _year(year)
    if not runs_inline(assessment_year):
        return _to_background(request, assessment_year)
    results = year_results(assessment_year)
    today = timezone.localdate()
    return _download(
        lambda fh: results_pdf(assessment_year, results, fh, today=today), results_pdf_name(assessment_year), PDF
    )


@require_roles(*BUREAU_READERS)
@require_POST
def year_workbook_start(request, year: int):
    assessment_year = _year(year)
    job = job_start(
        owner=request.user,
        kind="year_workbook",
        title=_("生成%(name)s") % {"name": workbook_name(assessment_year)},
        task=year_workbook_job,
        year_id=assessment_year.pk,
    )
    return redirect(job)


@require_roles(*BUREAU_READERS)
@require_POST
def year_pdf_start(request, year: int):
    assessment_year = _year(year)
    job = job_start(
        owner=request.user,
        kind="results_pdf",
        title=_("生成%(name)s") % {"name": results_pdf_name(assessment_year)},
        task=results_pdf_job,
        year_id=assessment_year.pk,
    )
    return redirect(job)


class CircularForm(forms.Form):
    """The circular's issue number (文号) and date, typed by the bureau; both go into the PDF and workbook."""

    number = forms.CharField(
        label=gettext_lazy("文号"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("如 安人社办发〔2011〕15号"),
    )
    date = forms.DateField(
        label=gettext_lazy("印发日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("印发日期格式应为 年-月-日,如 2011-07-05。")},
    )


def _circular_options(request) -> tuple[CircularForm, dict]:
    form = CircularForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, {"number": form.cleaned_data["number"], "issued": form.cleaned_data["date"]}
    return form, {}


@require_roles(*BUREAU_READERS)
@replica_reads
def circular_page(request, year: int):
    assessment_year = _year(year)
    month = request.GET.get("month") or default_month(assessment_year, timezone.localdate())
    month = _month(month)
    form, options = _circular_options(request)
    circular = build_circular(assessment_year, month, **options)
    query = urlencode({k: v for k, v in request.GET.items() if k in ("number", "date") and v and not form.errors})
    fmt = request.GET.get("download")
    if fmt in ("xlsx", "pdf") and not form.errors:
        # The download buttons submit the form: what was typed (文号, 印发日期, month) is what is printed,
        # whether or not 查看 was pressed first.
        url = reverse(f"reports:circular-{fmt}", kwargs={"year": assessment_year.year, "month": month})
        return redirect(f"{url}?{query}" if query else url)
    return render(
        request,
        "reports/circular.html",
        {
            "year": assessment_year,
            "month": month,
            "months": range(1, 13),
            "circular": circular,
            "form": form,
            "query": query,
        },
        status=400 if form.errors else 200,
    )


@require_roles(*BUREAU_READERS)
@replica_reads
def circular_file(request, year: int, month: int, fmt: str):
    assessment_year = _year(year)
    month = _month(month)
    form, options = _circular_options(request)
    if form.errors:
        raise Http404(_("印发日期无效。"))
    circular = build_circular(assessment_year, month, **options)
    if circular.stale:
        # A document is not printed from figures known to be behind a rule change: a small year is
        # re-scored now, a big one waits for the background re-score (minutes).
        if not runs_inline(assessment_year):
            messages.info(request, _("计分规则或任务刚有变动,得分正在后台重新计算,请稍后再下载。"))
            return redirect(f"{reverse('reports:circular', kwargs={'year': year})}?month={month}")
        circular = build_circular(assessment_year, month, live=True, **options)
    today = timezone.localdate()
    filename = f"{assessment_year.year}年{month}月宣传工作情况通报.{fmt}"
    if fmt == "pdf":
        return _download(lambda fh: circular_pdf(circular, fh, today=today), filename, PDF)
    return _download(lambda fh: write_circular_workbook(circular, fh, today=today), filename, XLSX)


NOT_IN_RESULTS = {"invalid_choice": gettext_lazy("“%(value)s”不在本年度考核结果中。")}


class CertificateForm(forms.Form):
    units = forms.MultipleChoiceField(
        label=gettext_lazy("获奖单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=NOT_IN_RESULTS,
    )
    people = forms.MultipleChoiceField(
        label=gettext_lazy("获奖个人"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=NOT_IN_RESULTS,
    )
    unit_honour = forms.CharField(label=gettext_lazy("单位荣誉称号"), max_length=40, initial=DEFAULT_UNIT_HONOUR)
    person_honour = forms.CharField(label=gettext_lazy("个人荣誉称号"), max_length=40, initial=DEFAULT_PERSON_HONOUR)
    issued = forms.DateField(
        label=gettext_lazy("落款日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, results, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [
            (
                u.unit_name,
                _("第%(rank)s名 %(unit)s(%(points)s分)")
                % {"rank": u.rank, "unit": u.unit_name, "points": f"{u.points:.2f}"},
            )
            for u in results.units
        ]
        self.fields["people"].choices = [
            (
                person_key(p.name, p.unit_name),
                _("%(name)s(%(unit)s，%(n)s篇，%(reward)s元)")
                % {"name": p.name, "unit": p.unit_name, "n": p.piece_count, "reward": f"{p.reward:.2f}"},
            )
            for p in results.people
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("units") and not cleaned.get("people"):
            raise forms.ValidationError(_("请至少选择一个获奖单位或个人。"))
        return cleaned


@require_roles(Role.BUREAU_ADMIN)
def certificates(request, year: int):
    assessment_year = _year(year)
    results = year_results(assessment_year)
    if request.method == "POST":
        form = CertificateForm(request.POST, results=results)
        if form.is_valid():
            data = form.cleaned_data
            certs, unknown = pick(
                results,
                unit_names=data["units"],
                person_keys=data["people"],
                year=assessment_year.year,
                title=assessment_year.title,
                unit_honour=data["unit_honour"].strip(),
                person_honour=data["person_honour"].strip(),
            )
            if not unknown:
                office = assessment_year.issuing_office or ""
                return _download(
                    lambda fh: certificates_pdf(
                        certs, fh, year=assessment_year.year, office=office, issued=data["issued"]
                    ),
                    f"{assessment_year.year}年度荣誉证书.pdf",
                    PDF,
                )
            form.add_error(None, _("考核结果中没有：%(names)s。") % {"names": _("、").join(unknown)})
    else:
        form = CertificateForm(results=results, initial={"issued": timezone.localdate()})
    return render(request, "reports/certificates.html", {"year": assessment_year, "form": form})

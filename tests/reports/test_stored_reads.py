"""Issue 13: the year page, the ranking workbook and the circular read an open year's stored scores: the
same figures as re-scoring the whole year (to the fen), in a number of queries that does not grow with
the year; a rule change shows a note on the page, and a file is not printed from figures behind it."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from publicity.models import AssessmentYear
from reports.ranking import kind_groups, write_ranking
from scoring.models import ScoringPolicy, StoredYear
from scoring.services import year_results
from scoring.stored import stored_check, stored_refresh
from tests.conftest import login
from units.models import Unit


def add_units(kinds, make_piece, start, stop):
    for n in range(start, stop):
        unit = Unit.objects.create(name=f"测试科{n:03d}", kind=kinds["dept"], order=n)
        make_piece(unit, f"测试稿件{n}", [("局网站", "2011-06-05")])


def year_page(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reports:year", kwargs={"year": 2011}))
    assert response.status_code == 200
    assert not any("publicity_publication" in q["sql"] for q in ctx.captured_queries)  # no re-scoring
    return response, [q["sql"] for q in ctx.captured_queries]


def test_year_page_is_the_live_ranking_in_fixed_queries(client, users, scored, preset, kinds, make_piece, settings):
    settings.SESSION_TOUCH_SECONDS = 10**6  # the once-a-minute session touch is not the page's cost
    login(client, users["leader"])
    client.get(reverse("reports:index"))
    counts = []
    for start, stop in ((0, 3), (3, 40)):
        add_units(kinds, make_piece, start, stop)
        year = AssessmentYear.objects.get(pk=preset.pk)
        stored_refresh(year)
        response, queries = year_page(client)
        counts.append(queries)
        live = year_results(year).units
        shown = [(u.rank, u.unit_name, u.points, u.reward) for u in response.context["units"]]
        assert shown == [(u.rank, u.unit_name, u.points, u.reward) for u in live]
        cells = [[(i.code, i.achieved, i.target) for i in u.indicator_list] for u in response.context["units"]]
        assert cells == [[(i.code, i.achieved, i.target) for i in u.indicators] for u in live]
    assert len(counts[0]) == len(counts[1]), "\n".join(q[:120] for q in counts[1])


def test_year_page_is_paged_over_the_whole_ranking(client, users, scored, preset, kinds, make_piece, monkeypatch):
    monkeypatch.setattr("desk.reports.YEAR_PAGE_SIZE", 3)
    login(client, users["leader"])
    stored_refresh(preset)
    live = year_results(preset).units
    first, _ = year_page(client)
    second = client.get(reverse("reports:year", kwargs={"year": 2011}), {"page": 2})
    assert [u.unit_name for u in first.context["units"]] == [u.unit_name for u in live[:3]]
    assert [(u.rank, u.unit_name) for u in second.context["units"]] == [(u.rank, u.unit_name) for u in live[3:6]]
    assert "第 1 页,共 2 页" in first.content.decode() and "?page=2" in first.content.decode()


def test_rule_change_shows_a_note_and_files_wait_or_rescore(client, users, scored, preset, settings):
    login(client, users["reviewer"])
    stored_refresh(preset)
    policy = ScoringPolicy.objects.get(year=preset)
    policy.full_score += 1
    policy.save()  # marks the year stale; the background re-score has not run (no commit in a test)
    assert StoredYear.objects.get(year=preset).stale
    note = "得分正在后台重新计算"
    assert note in year_page(client)[0].content.decode()
    page = client.get(reverse("reports:circular", kwargs={"year": 2011}), {"month": 6})
    assert note in page.content.decode()
    xlsx = reverse("reports:circular-xlsx", kwargs={"year": 2011, "month": 6})
    # a small year: the file is re-scored at once, so it already carries the new full score
    wb = load_workbook(io.BytesIO(b"".join(client.get(xlsx).streaming_content)))
    assert f"满分{policy.full_score:.2f}" in " ".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row)
    settings.REPORT_INLINE_MAX_PIECES = 0  # a big year: no file until the background re-score has run
    response = client.get(xlsx)
    assert response.status_code == 302 and "month=6" in response["Location"]


def test_ranking_workbook_reads_stored_scores_equal_to_live(scored, preset, kinds, make_piece):
    add_units(kinds, make_piece, 0, 4)
    stored_refresh(preset)
    assert stored_check(preset) == []
    with CaptureQueriesContext(connection) as ctx:
        data = write_ranking(preset)
    assert not any("publicity_publication" in q["sql"] for q in ctx.captured_queries)
    wb = load_workbook(io.BytesIO(data))
    for kind_name, units in kind_groups(year_results(preset)):
        ws = wb[kind_name]
        rows = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
        assert [(r[0], r[1], r[-2], r[-1]) for r in rows] == [
            (u.rank, u.unit_name, float(u.points), float(u.reward)) for u in units
        ]


@pytest.mark.parametrize("n", [3, 30])
def test_ranking_workbook_queries_do_not_grow(scored, preset, kinds, make_piece, n, django_assert_max_num_queries):
    add_units(kinds, make_piece, 0, n)
    stored_refresh(preset)
    with django_assert_max_num_queries(6):
        write_ranking(preset)


def test_a_closed_year_page_reads_its_snapshot(client, users, scored, preset):
    from scoring.services import year_close

    year_close(actor=users["bureau_admin"], year=preset)
    login(client, users["leader"])
    response, _queries = year_page(client)
    snapshot = year_results(AssessmentYear.objects.get(pk=preset.pk)).units
    assert response.context["source"] == "snapshot" and "结账快照" in response.content.decode()
    shown = [
        (u.rank, u.unit_name, u.points, [(i.code, i.achieved) for i in u.indicator_list])
        for u in response.context["units"]
    ]
    assert shown == [(u.rank, u.unit_name, u.points, [(i.code, i.achieved) for i in u.indicators]) for u in snapshot]

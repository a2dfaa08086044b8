"""The dashboard at province size: totals by unit kind and by parent unit, ranked lists paged and
searchable, and a query count that does not grow with the units or the pieces."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoring.models import StoredUnitScore
from scoring.services import score_year
from units.models import Unit

URL = reverse("publicity:dashboard")


def generate(year: int, units: int, pieces: int):
    call_command(
        "gen_synthetic", "--year", str(year), "--units", str(units), "--pieces", str(pieces), stdout=io.StringIO()
    )


@pytest.fixture
def province(preset):
    generate(2030, 130, 900)


def rows(page: str) -> list[str]:
    return re.findall(r'<tr data-unit="(\d+)">', page)


def test_lists_are_paged_ranked_and_totalled(client, users, province):
    from publicity.models import AssessmentYear

    client.force_login(users["leader"])
    page = client.get(URL, {"year": 2030}).content.decode()
    stored = StoredUnitScore.objects.filter(year__year=2030)
    assert stored.count() == Unit.objects.count() == 134  # 130 generated + the 4 of the personas
    per_kind = [stored.filter(kind__code=code).count() for code in ("county", "dept", "affiliated")]
    assert per_kind == [41, 27, 66] and len(rows(page)) == 41 + 27 + 50  # 50 a page
    # kind totals are sums over every unit, not just the page
    affiliated = stored.filter(kind__code="affiliated")
    total = sum(s.reward for s in affiliated)
    assert re.search(
        rf'<tr data-kind="{affiliated[0].kind_id}">.*?<td class="num">66</td>.*?{total:.2f}</td>', page, re.S
    )
    assert "得分合计" not in page  # a sum of scores means nothing (issue 12)
    # ranks are ranks within the unit's kind (the same as a full re-score's, kind by kind)
    from scoring.rules import rank_units

    scored = score_year(AssessmentYear.objects.get(year=2030)).units
    live = {
        u.unit_id: u.rank
        for k in {u.kind_id for u in scored}
        for u in rank_units([u for u in scored if u.kind_id == k])
    }
    for unit_id, rank in re.findall(r'<tr data-unit="(\d+)">\s*<td class="num">(\d+)</td>', page):
        assert live[int(unit_id)] == int(rank)
    # parents: every affiliated unit hangs under a county
    assert 'id="parent-totals"' in page
    # page 2 of the affiliated units
    kind_id = affiliated[0].kind_id
    second = client.get(URL, {"year": 2030, f"p{kind_id}": 2}).content.decode()
    assert "第 2 页,共 2 页" in second
    assert set(rows(second)) - set(rows(page))


def test_search_narrows_every_list(client, users, province):
    client.force_login(users["leader"])
    name = Unit.objects.filter(name__startswith="合成").order_by("id")[3].name
    page = client.get(URL, {"year": 2030, "q": name}).content.decode()
    assert len(rows(page)) == 1 and name in page
    assert "没有找到名称含该文字的单位" in client.get(URL, {"year": 2030, "q": "不存在的单位"}).content.decode()


def test_query_count_is_the_same_for_a_city_and_a_bigger_year(client, users, preset):
    client.force_login(users["bureau_admin"])
    generate(2031, 12, 100)
    generate(2032, 160, 1500)
    counts = []
    for year in (2031, 2032):
        client.get(URL, {"year": year})  # first view of a year stores its scores
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"year": year}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts

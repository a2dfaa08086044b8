"""The 2011 preset against DOMAIN.md §3, §5, §6, §7, transcribed here independently of the fixture."""

from decimal import Decimal

import pytest
from django.core.management import call_command

# DOMAIN §3, row by row: outlets, level, category.
CATALOGUE = [
    ("人民日报", "中央/国家级", "党报"),
    ("中央电视台", "中央/国家级", "电视台"),
    ("中国组织人事报、中国劳动保障报、中国人才", "中央/国家级", "行业报刊"),
    ("人民网、新华网、人社部网站、国家公务员局网站", "中央/国家级", "网站"),
    ("搜狐、腾讯、新浪", "中央/国家级", "商业网站"),
    ("陕西日报", "省级", "党报"),
    ("当代陕西、陕西工作交流", "省级", "党刊"),
    ("华商报、三秦都市报、阳光报", "省级", "其他报纸"),
    ("陕西电视台", "省级", "电视台"),
    ("省厅简报、省公务员局简报", "省级", "简报"),
    ("陕西城乡劳动就业", "省级", "行业报刊"),
    ("陕西省政府网站、陕西省人社厅网站、陕西省公务员局网站", "省级", "网站"),
    ("省级会议经验交流材料", "省级", "会议材料"),
    ("安康日报", "市级", "党报"),
    ("安康经济", "市级", "党刊"),
    ("安康电视台", "市级", "电视台"),
    ("安康广播电台", "市级", "广播"),
    ("市委市政府简报、市双创简报、绿化简报、防汛救灾简报", "市级", "简报"),
    ("安康广播电视报", "市级", "其他报纸"),
    ("安康市政府网站、安康市纪委网站、安康市双创办网站", "市级", "网站"),
    ("局网站", "市级", "网站"),
]

# DOMAIN §5: unit kind, code, target, min level, max level, kinds, topics, needs pub, penalised, bonus basis
INDICATORS = [
    ("县区人社局", "C1", 40, "市级", None, [], [], True, True, True),
    ("县区人社局", "R", 4, None, None, ["research"], [], False, True, False),
    ("局属单位", "A1", 15, "市级", None, [], [], True, True, True),
    ("局属单位", "A2", 10, "市级", "市级", [], [], True, True, False),
    ("局属单位", "A3", 2, "市级", "市级", [], ["双创"], True, True, False),
    ("局属单位", "A4", 2, "市级", "市级", [], ["纪检监察"], True, True, False),
    ("局属单位", "R", 1, None, None, ["research"], [], False, True, False),
    ("机关科室", "D1", 2, "省级", None, [], [], True, True, False),
    ("机关科室", "D2", 5, "市级", "市级", [], [], True, True, False),
    ("机关科室", "D0", 7, "市级", None, [], [], True, False, True),
    ("机关科室", "R", 1, None, None, ["research"], [], False, True, False),
]

# DOMAIN §7: outlets, kinds ("" = any), placement ("" = any), min chars, yuan
REWARDS = [
    ("人民日报", "", "headline", 800, "5000"),
    ("陕西日报", "", "headline", 800, "1500"),
    ("安康日报", "", "headline", 1000, "500"),
    ("人民日报", "", "", None, "500"),
    ("中央电视台", "", "", None, "2000"),
    ("陕西日报、当代陕西、陕西工作交流、安康经济、华商报", "research", "", None, "200"),
    ("陕西日报、当代陕西、陕西工作交流、安康经济、华商报", "news", "", None, "100"),
    ("陕西电视台", "feature", "", None, "300"),
    ("陕西电视台", "news", "", None, "200"),
    ("市委市政府简报", "", "", None, "50"),
    ("安康日报", "research", "", None, "100"),
    ("安康日报", "news", "", None, "20"),
    ("安康电视台", "feature", "", None, "100"),
    ("安康电视台", "news", "", None, "20"),
    ("安康广播电台", "", "", None, "20"),
    ("市双创简报、绿化简报、防汛救灾简报", "", "", None, "20"),
    ("中国组织人事报、中国劳动保障报、中国人才", "research", "", None, "300"),
    ("中国组织人事报、中国劳动保障报、中国人才", "news", "", None, "200"),
    ("省厅简报、省公务员局简报、陕西城乡劳动就业", "", "", None, "30"),
    ("人民网、新华网、人社部网站、国家公务员局网站、陕西省政府网站", "", "", None, "100"),
    ("陕西省人社厅网站、陕西省公务员局网站", "", "", None, "30"),
    ("安康市政府网站、安康市纪委网站、安康市双创办网站、局网站", "", "", None, "10"),
    ("三秦都市报、阳光报", "", "", None, "50"),
    ("搜狐、腾讯、新浪", "", "", None, "50"),
    ("安康广播电视报", "", "", None, "20"),
]


def names(cell):
    return cell.split("、")


def test_loaddata_loads_preset_and_nothing_else(db):
    from publicity.models import AssessmentYear, Piece
    from units.models import Unit, User

    call_command("loaddata", "ankang_2011", verbosity=0)
    assert AssessmentYear.objects.get(year=2011).status == "open"
    assert Unit.objects.count() == 0
    assert User.objects.count() == 0
    assert Piece.objects.count() == 0


def test_loaddata_twice_is_idempotent(preset):
    from publicity.models import Outlet
    from scoring.models import RewardRule

    before = (Outlet.objects.count(), RewardRule.objects.count())
    call_command("loaddata", "ankang_2011", verbosity=0)
    assert (Outlet.objects.count(), RewardRule.objects.count()) == before


def test_catalogue_matches_domain(preset):
    from publicity.models import Outlet

    expected = {name: (level, cat) for row, level, cat in CATALOGUE for name in names(row)}
    actual = {o.name: (o.level.name, o.category.name) for o in Outlet.objects.select_related("level", "category")}
    assert actual == expected
    assert list(Outlet.objects.filter(is_own_website=True).values_list("name", flat=True)) == ["局网站"]


def test_levels_are_ordered(preset):
    from publicity.models import OutletLevel

    assert list(OutletLevel.objects.order_by("-rank").values_list("name", flat=True)) == [
        "中央/国家级",
        "省级",
        "市级",
        "县级",
    ]


def test_topics_include_domain_topics(preset):
    from publicity.models import Topic

    assert {"双创", "纪检监察"} <= set(Topic.objects.values_list("name", flat=True))


def test_indicators_and_default_targets_match_domain(preset):
    from publicity.models import Indicator

    actual = {}
    for ind in Indicator.objects.filter(year=preset).select_related("unit_kind", "min_level", "max_level"):
        actual[(ind.unit_kind.name, ind.code)] = (
            ind.default_target,
            ind.min_level.name if ind.min_level else None,
            ind.max_level.name if ind.max_level else None,
            ind.kinds,
            sorted(t.name for t in ind.topics.all()),
            ind.requires_publication,
            ind.counts_for_penalty,
            ind.is_bonus_basis,
        )
        assert not ind.categories.exists() and not ind.outlets.exists()
    expected = {
        (k, c): (t, lo, hi, kinds, topics, pub, pen, bonus)
        for k, c, t, lo, hi, kinds, topics, pub, pen, bonus in INDICATORS
    }
    assert actual == expected


def test_scoring_policy_matches_domain(preset):
    from scoring.models import ScoringPolicy

    p = ScoringPolicy.objects.get(year=preset)
    assert p.full_score == Decimal("4")
    assert p.bonus_per_piece == Decimal("0.1")
    assert p.bonus_cap_ratio == Decimal("0.30")
    assert p.penalty_per_piece == Decimal("0.1")
    assert p.floor == Decimal("0")
    assert p.bonus_min_level.name == "市级"
    assert sorted(c.name for c in p.bonus_categories.all()) == sorted(["党报", "电视台"])


KIND_CODES = {"": [], "research": ["research"], "news": ["news"], "feature": ["feature"]}


def test_all_25_reward_rules_match_domain(preset):
    from scoring.models import RewardRule, RewardSchedule

    schedule = RewardSchedule.objects.get(year=preset, owner_unit__isnull=True)
    rules = list(RewardRule.objects.filter(schedule=schedule).prefetch_related("outlets").order_by("order"))
    assert len(rules) == 25
    actual = sorted(
        (tuple(sorted(o.name for o in r.outlets.all())), tuple(r.kinds), r.placement, r.min_characters, r.amount)
        for r in rules
    )
    expected = sorted(
        (tuple(sorted(names(outlets))), tuple(KIND_CODES[kind]), placement, chars, Decimal(yuan))
        for outlets, kind, placement, chars, yuan in REWARDS
    )
    assert actual == expected


@pytest.mark.parametrize(
    "kind,cadence,day,month",
    [
        ("机关科室", "monthly", 5, None),
        ("县区人社局", "annual", 25, 12),
        ("局属单位", "annual", 25, 12),
    ],
)
def test_reporting_deadlines_are_data(preset, kind, cadence, day, month):
    from publicity.models import ReportingRule

    rule = ReportingRule.objects.get(year=preset, unit_kind__name=kind)
    assert (rule.cadence, rule.day, rule.month) == (cadence, day, month)


def test_an_installation_from_before_the_aliases_gets_the_presets_aliases(preset):
    """Migration 0012: a database that loaded the preset before aliases existed gets them, with the fixture's
    keys (a later loaddata updates the same rows); a row the bureau added or changed is kept."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from publicity.models import HeaderAlias, WordAlias

    migration = importlib.import_module("publicity.migrations.0012_default_import_aliases")
    expected = {(a.pk, a.table, a.column, a.word) for a in HeaderAlias.objects.all()}
    words = {(a.pk, a.field, a.word, a.value) for a in WordAlias.objects.all()}
    assert len(expected) == 35 and len(words) == 28
    HeaderAlias.objects.all().delete()
    WordAlias.objects.all().delete()
    own = HeaderAlias.objects.create(table="pieces", column="标题", word="稿件标题")  # the bureau's own row

    class Editor:  # what the migration uses of a schema editor
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.forward(apps, Editor())
    got = {(a.pk, a.table, a.column, a.word) for a in HeaderAlias.objects.all()}
    clashing = {row for row in expected if row[3] == "稿件标题"}
    assert got == (expected - clashing) | {(own.pk, "pieces", "标题", "稿件标题")}
    assert {(a.pk, a.field, a.word, a.value) for a in WordAlias.objects.all()} == words
    HeaderAlias.objects.create(table="units", column="单位名称", word="单位全称")  # the sequence moved on
    own.delete()
    call_command("loaddata", "ankang_2011", verbosity=0)  # same keys: updated, not duplicated
    assert WordAlias.objects.count() == 28 and HeaderAlias.objects.count() == 36

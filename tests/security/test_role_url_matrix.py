"""Role × URL matrix: every URL pattern of the URLconf, for anonymous, every role of DOMAIN §1 and
the three admins, with object URLs pointing at unit A's objects (so unit B's people are
"another unit"): no unauthorised 2xx, by GET or POST.

The patterns are read from the URLconf, not listed by hand: a new view must be given a rule in
ACCESS below (or be an admin model URL, whose rule is the role permission table), otherwise
``test_every_url_has_an_access_rule`` fails.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.urls import URLResolver, get_resolver, reverse

from audit.permissions import role_permissions
from publicity.models import Outlet, PeriodReport, Piece, PieceStatus, Reminder

pytestmark = pytest.mark.django_db

LIAISONS = {"liaison_a", "liaison_b"}
HEADS = {"head_a", "head_b"}
UNIT_A = {"liaison_a", "head_a"}
BUREAU_READERS = {"bureau_admin", "reviewer", "leader"}
REVIEWERS = {"reviewer", "bureau_admin"}
ADMIN_SITE = {"bureau_admin", "reviewer", "leader", "sysadmin", "secadmin", "auditor"}
PERSONAS = [
    "anonymous",
    "liaison_a",
    "head_a",
    "liaison_b",
    "head_b",
    "reviewer",
    "bureau_admin",
    "leader",
    "auditor",
    "sysadmin",
    "secadmin",
    "editor",
    "deputy",
    "outsider",
]
EVERYONE = set(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
PUBLIC = "public"
WEBSITE_STAFF = {"editor", "deputy"}

# URL name → the personas that may get a 2xx (object URLs point at unit A's objects).
ACCESS = {
    "login": PUBLIC,
    "logout": PUBLIC,
    "set_language": PUBLIC,
    "healthz": PUBLIC,
    "home": SIGNED_IN,  # a redirect to each role's own home
    "audit:log": {"auditor"},
    "audit:password-change": SIGNED_IN,
    "publicity:unit-home": LIAISONS | HEADS,
    "publicity:piece-list": LIAISONS | HEADS | BUREAU_READERS,
    "publicity:piece-create": LIAISONS,
    "publicity:piece-detail": UNIT_A | BUREAU_READERS,
    "publicity:piece-edit": {"liaison_a"},
    "publicity:piece-submit": {"liaison_a"},
    "publicity:piece-withdraw": {"liaison_a"},
    "publicity:piece-delete": {"liaison_a"},
    "publicity:evidence": UNIT_A | BUREAU_READERS,
    "publicity:evidence-preview": UNIT_A | BUREAU_READERS,
    "publicity:review-revoke": REVIEWERS,
    "publicity:piece-correction": {"liaison_a"},
    "publicity:correction-review": REVIEWERS,
    "publicity:outlet-search": LIAISONS | REVIEWERS,
    "publicity:evidence-stage": LIAISONS,  # POST only: every GET is a 405
    "publicity:staged-reading": {"liaison_a"},  # the uploader alone (another liaison: 404)
    "publicity:review-queue": REVIEWERS,
    "publicity:review-approve": REVIEWERS,
    "publicity:review-reject": REVIEWERS,
    "publicity:review-batch": REVIEWERS,
    "publicity:dashboard": BUREAU_READERS,
    "publicity:unit-reports": LIAISONS | HEADS | {"bureau_admin"},
    "publicity:reports-overview": BUREAU_READERS,
    "publicity:reminder-send": REVIEWERS,
    "publicity:reminders-overdue": REVIEWERS,
    "publicity:dashboard-xlsx": BUREAU_READERS,
    "publicity:reminder-read": UNIT_A,
    "publicity:audit-pending": {"auditor"},
    "publicity:system-home": {"sysadmin", "secadmin"},
    "publicity:no-role": set(),  # a 403 page that tells a user without a role whom to ask
    "scoring:unit-score": UNIT_A | BUREAU_READERS,
    "scoring:unit-score-current": UNIT_A | BUREAU_READERS,
    "scoring:piece-reward": UNIT_A | BUREAU_READERS,
    "reports:index": BUREAU_READERS,
    "reports:year": BUREAU_READERS,
    "reports:year-workbook": BUREAU_READERS,
    "reports:year-pdf": BUREAU_READERS,
    "reports:circular": BUREAU_READERS,
    "reports:circular-xlsx": BUREAU_READERS,
    "reports:circular-pdf": BUREAU_READERS,
    "reports:certificates": {"bureau_admin"},
    "reports:year-workbook-start": BUREAU_READERS,
    "reports:year-pdf-start": BUREAU_READERS,
    "jobs:list": SIGNED_IN,  # each sees only their own jobs
    "jobs:detail": {"reviewer", "bureau_admin"},  # the job's owner (reviewer) and the bureau admin
    "jobs:status": {"reviewer", "bureau_admin"},
    "jobs:file": {"reviewer", "bureau_admin"},
    "website:list": LIAISONS | HEADS | BUREAU_READERS | WEBSITE_STAFF,
    "website:create": LIAISONS,
    "website:detail": UNIT_A | BUREAU_READERS | WEBSITE_STAFF,
    "website:edit": {"liaison_a"},
    "website:submit": {"liaison_a"},
    "website:withdraw": {"liaison_a"},
    "website:delete": {"liaison_a"},
    "website:sign": {"head_a", "deputy"},  # the item waits for its head; a deputy's POST is refused (403)
    "website:return": {"head_a", "deputy", "editor"},
    "website:publish": {"editor"},
    "website:scan": UNIT_A | BUREAU_READERS | WEBSITE_STAFF,
    # campaigns: unit A takes part, unit B does not (its people see an empty list, the rest is a 404)
    "campaigns:list": LIAISONS | HEADS | BUREAU_READERS,
    "campaigns:create": {"bureau_admin"},
    "campaigns:edit": {"bureau_admin"},
    "campaigns:detail": UNIT_A | BUREAU_READERS,
    "campaigns:upload": {"liaison_a"},
    "campaigns:unit": UNIT_A | BUREAU_READERS,
    "campaigns:unit-zip": UNIT_A | BUREAU_READERS,
    "campaigns:completion-xlsx": BUREAU_READERS,
    "campaigns:file": UNIT_A | BUREAU_READERS,
    "campaigns:file-delete": {"liaison_a"},
    # reported-figure tasks (/f/): the task is for county bureaus (units A and B); the report is unit A's
    "figures:list": LIAISONS | HEADS | BUREAU_READERS,
    "figures:task": BUREAU_READERS,
    "figures:report": LIAISONS,
    "figures:approve": REVIEWERS,
    "figures:reject": REVIEWERS,
    "figures:evidence": UNIT_A | BUREAU_READERS,
    # a unit's own reward schedule (/o/): unit A keeps one, unit B none; never the bureau's
    "own-rewards:schedule": LIAISONS | HEADS,
    "own-rewards:rule-create": LIAISONS | HEADS,  # unit B (no schedule yet) is sent to create one first
    "own-rewards:rule-edit": UNIT_A,
    "own-rewards:rule-delete": UNIT_A,
    "own-rewards:payout-xlsx": UNIT_A,
    "own-rewards:payout-pdf": UNIT_A,
    # the bureau admin's console (/b/)
    "console:years": {"bureau_admin"},
    "console:year": {"bureau_admin"},
    "console:year-open": {"bureau_admin"},
    "console:year-close": {"bureau_admin"},
    "console:year-publish": {"bureau_admin"},
    "console:year-reopen": {"bureau_admin"},
    "console:year-rollover": {"bureau_admin"},
    "console:quota-grid": {"bureau_admin"},
    "console:quota-cell": {"bureau_admin"},
    "console:quota-download": {"bureau_admin"},
    "console:quota-upload": {"bureau_admin"},
    # the admin site's own pages
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,  # signing out is no privilege
    "admin:index": ADMIN_SITE,
    "admin:password_change": ADMIN_SITE,
    "admin:password_change_done": ADMIN_SITE,
    "admin:jsi18n": ADMIN_SITE,
    "admin:autocomplete": set(),  # answers only with a valid model/field reference, which this walk does not send
    "admin:view_on_site": ADMIN_SITE,
    "admin:app_list": {"bureau_admin", "reviewer", "leader"},  # for app "publicity"
    "admin:publicity_assessmentyear_reopen": {"bureau_admin"},
}
# Unnamed patterns outside the admin, by pattern.
ACCESS_BY_PATTERN = {
    "favicon.ico": PUBLIC,  # a redirect to the static icon
}
# Model admin URLs: the permission each needs (the role permission table decides who has it).
ADMIN_ACTIONS = {
    "changelist": "view",
    "change": "view",
    "history": "view",
    "add": "add",
    "delete": "delete",
    "import": "add",
    "process_import": "add",
    "import_recheck": "add",  # the piece import's preview again with chosen aliases (POST only)
    "import_template": "add",
    "export": "view",
}
ADMIN_OBJECT_ACTIONS = {"change", "history", "delete"}


@dataclass
class Route:
    name: str | None
    pattern: str
    defaults: dict


def routes():
    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(x for x in (namespace, p.namespace) if x) or None
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            else:
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                yield Route(name, prefix + str(p.pattern), p.default_args)

    return list(walk(get_resolver().url_patterns))


def admin_model_urls():
    """name → (model, action) for every registered ModelAdmin URL."""
    found = {}
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for action in ADMIN_ACTIONS:
            found[f"{info}_{action}"] = (model, action)
    found["admin:auth_user_password_change"] = (None, "password")
    return found


def test_every_url_has_an_access_rule():
    model_urls = admin_model_urls()
    missing = []
    for route in routes():
        if route.name is None:
            # The admin's own unnamed redirects (old object URLs, the catch-all), or a rule by pattern.
            if not route.pattern.startswith("admin/") and route.pattern not in ACCESS_BY_PATTERN:
                missing.append(f"unnamed {route.pattern}")
            continue
        if route.name not in ACCESS and route.name not in model_urls:
            missing.append(f"{route.name} ({route.pattern})")
    assert not missing, "URL patterns without an access rule in tests/security/test_role_url_matrix.py: " + ", ".join(
        missing
    )


@pytest.fixture
def world(users, units, make_piece, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from publicity.services import evidence_attach
    from tests.security.test_hostile_uploads import image
    from units.models import User

    users["head_b"] = User.objects.create_user(
        username="head_b", password="x", unit=units["b"], is_unit_head=True, display_name="head_b"
    )
    users["editor"] = User.objects.create_user(username="editor", password="x", is_website_editor=True)
    users["deputy"] = User.objects.create_user(username="deputy", password="x", is_deputy_director=True)
    draft = make_piece(units["a"], "汉滨草稿", [("安康日报", "2011-03-05")], status=PieceStatus.DRAFT)
    submitted = make_piece(units["a"], "汉滨待审", [("安康日报", "2011-03-06")], status=PieceStatus.SUBMITTED)
    approved = make_piece(units["a"], "汉滨已通过", [("陕西日报", "2011-04-01")])
    make_piece(units["b"], "旬阳稿件", [("安康日报", "2011-03-05")])
    evidence = evidence_attach(
        actor=users["liaison_a"],
        publication=submitted.publications.get(),
        upload=SimpleUploadedFile("a.png", image("PNG")),
    )
    from publicity.services import evidence_stage

    staged = evidence_stage(actor=users["liaison_a"], upload=SimpleUploadedFile("b.png", image("PNG")))
    from publicity.review import correction_add
    from publicity.services import PublicationInput

    addition = correction_add(
        actor=users["liaison_a"],
        piece=approved,
        publication=PublicationInput(
            Outlet.objects.get(name="人民日报"), approved.publications.get().date, url="https://p.cn/1"
        ),
    )
    reminder = Reminder.objects.create(year=draft.year, unit=units["a"], month=3, message="请报送3月稿件")
    PeriodReport.objects.create(year=draft.year, unit=units["a"], month=2, is_zero=True, filed_by=users["liaison_a"])
    website_item = _website_item(draft.year, units["a"], users)
    campaign, campaign_file = _campaign(draft.year, units["a"], users)
    figure_task, figure_report, own_rule = _figures_and_own_rewards(draft.year, units, users)
    _one_of_every_admin_model(draft.year, units["a"], users)
    from jobs.runner import job_start
    from reports.tasks import results_pdf_job

    job = job_start(
        owner=users["reviewer"], kind="results_pdf", title="PDF", task=results_pdf_job, year_id=draft.year.pk
    )
    return {
        "job": job,
        "users": users,
        "unit_a": units["a"],
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "evidence": evidence,
        "staged": staged,
        "addition": addition,
        "reminder": reminder,
        "year": draft.year,
        "website_item": website_item,
        "campaign": campaign,
        "campaign_file": campaign_file,
        "figure_task": figure_task,
        "figure_report": figure_report,
        "own_rule": own_rule,
    }


def _figures_and_own_rewards(year, units, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from figures.models import FigureTarget, FigureTask
    from figures.services import report_submit
    from scoring.own_schedule import RuleInput, own_rule_save, own_schedule_save
    from tests.security.test_hostile_uploads import image

    task = FigureTask.objects.create(year=year, name="安康日报征订", default_target=50)
    task.unit_kinds.set([units["a"].kind])
    FigureTarget.objects.create(task=task, unit=units["b"], target=40)
    report = report_submit(
        actor=users["liaison_a"],
        task=task,
        unit=units["a"],
        value=47,
        evidence=SimpleUploadedFile("r.png", image("PNG")),
    )
    schedule = own_schedule_save(
        actor=users["liaison_a"], unit=units["a"], year=year, name="汉滨自筹", payout="highest"
    )
    rule = own_rule_save(
        actor=users["liaison_a"], schedule=schedule, data=RuleInput([Outlet.objects.get(name="安康日报")], "30")
    )
    return task, report, rule


def _website_item(year, unit, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.security.test_hostile_uploads import image
    from website.models import DeputyInCharge, WebsiteRule
    from website.services import ItemInput, item_save

    WebsiteRule.objects.create(year=year, signoff_days=2, publish_days=3)
    DeputyInCharge.objects.create(year=year, unit=unit, user=users["deputy"])
    return item_save(
        actor=users["liaison_a"],
        unit=unit,
        year=year,
        data=ItemInput("局网站来稿", "正文", "甲", signoff_mode="in_app"),
        scan=SimpleUploadedFile("s.png", image("PNG")),
        submit=True,
    )


def _campaign(year, unit, users):
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.services import CampaignInput, campaign_save, files_add
    from tests.security.test_hostile_uploads import image

    campaign = campaign_save(
        actor=users["bureau_admin"],
        year=year,
        data=CampaignInput(
            "专题活动", "", dt.date(2011, 3, 28), dt.date(2011, 4, 7), dt.date(2011, 4, 9), (unit.pk,), {"photo": 1}
        ),
    )
    [item] = files_add(
        actor=users["liaison_a"],
        campaign=campaign,
        unit=unit,
        kind="photo",
        uploads=[SimpleUploadedFile("c.png", image("PNG"))],
    )
    return campaign, item


def _one_of_every_admin_model(year, unit, users):
    """Object URLs of the admin must be checked on real objects (a missing one is a redirect)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from publicity.models import Indicator, UnitTarget
    from scoring.models import PersonResult, UnitYearSetting, YearSnapshot, YearStatusLog

    indicator = Indicator.objects.filter(year=year, unit_kind=unit.kind).first()
    UnitTarget.objects.create(indicator=indicator, unit=unit, target=40)
    UnitYearSetting.objects.create(year=year, unit=unit, coefficient=1)
    snapshot = YearSnapshot.objects.create(year=year, data={}, policy={})
    from publicity.models import EvidenceReading

    EvidenceReading.objects.get_or_create(sha256="0" * 64, defaults={"status": "failed", "error": "测试"})
    PersonResult.objects.create(
        snapshot=snapshot, position=1, name="张三", unit_name=unit.name, reward=0, piece_count=0
    )
    YearStatusLog.objects.create(
        year=year, actor=users["bureau_admin"], from_status="draft", to_status="open", reason="开始"
    )
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.9", user_agent="t", failures_since_start=1)
    AccessFailureLog.objects.create(username="x", ip_address="10.0.0.9", user_agent="t")
    AccessLog.objects.create(username="x", ip_address="10.0.0.9", user_agent="t")
    missing = [m._meta.label for m in admin.site._registry if not m._default_manager.exists()]
    assert not missing, f"create an object of {missing} for the matrix"


def _kwargs(route, world):
    """URL kwargs for a route: unit A's objects."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route.pattern)
    names = [a or b for a, b in names]
    piece_for = {
        "publicity:piece-detail": world["approved"],
        "publicity:piece-edit": world["draft"],
        "publicity:piece-submit": world["draft"],
        "publicity:piece-withdraw": world["submitted"],
        "publicity:piece-delete": world["draft"],
        "publicity:review-approve": world["submitted"],
        "publicity:review-reject": world["submitted"],
        "publicity:review-revoke": world["approved"],
        "publicity:piece-correction": world["approved"],
    }
    values = {}
    for name in names:
        if name in route.defaults:
            continue
        if name == "pk":
            if route.name in piece_for:
                values["pk"] = piece_for[route.name].pk
            elif route.name in ("publicity:evidence", "publicity:evidence-preview"):
                values["pk"] = world["evidence"].pk
            elif route.name == "publicity:correction-review":
                values["pk"] = world["addition"].pk
            elif route.name == "publicity:reminder-read":
                values["pk"] = world["reminder"].pk
            elif route.name.startswith("website:"):
                values["pk"] = world["website_item"].pk
            elif route.name in ("campaigns:file", "campaigns:file-delete"):
                values["pk"] = world["campaign_file"].pk
            elif route.name.startswith("campaigns:"):
                values["pk"] = world["campaign"].pk
            elif route.name in ("figures:task", "figures:report"):
                values["pk"] = world["figure_task"].pk
            elif route.name.startswith("figures:"):
                values["pk"] = world["figure_report"].pk
            elif route.name.startswith("own-rewards:"):
                values["pk"] = world["own_rule"].pk
            elif route.name.startswith("jobs:"):
                values["pk"] = world["job"].pk
            elif route.name == "admin:publicity_assessmentyear_reopen":
                values["pk"] = world["year"].pk
            else:
                raise AssertionError(f"no kwargs rule for {route.name}")
        elif name == "token":
            values["token"] = world["staged"].token
        elif name == "year":
            values["year"] = 2011
        elif name == "unit_id":
            values["unit_id"] = world["unit_a"].pk
        elif name == "piece_id":
            values["piece_id"] = world["approved"].pk
        elif name == "month":
            values["month"] = 3
        elif name == "app_label":
            values["app_label"] = "publicity"
        elif name == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values["content_type_id"] = ContentType.objects.get_for_model(Piece).pk
        elif name == "object_id":
            values["object_id"] = world["approved"].pk
        elif name == "id":
            values["id"] = world["users"]["outsider"].pk
        else:
            raise AssertionError(f"no kwargs rule for <{name}> in {route.name} ({route.pattern})")
    return values


def _admin_object_kwargs(model, world):
    if model._meta.label_lower == "units.user":
        return {"object_id": world["users"]["outsider"].pk}
    obj = model._default_manager.order_by("pk").first()
    return {"object_id": obj.pk if obj else 999999}


def _allowed(route, model_urls, persona, user):
    if route.name in ACCESS:
        rule = ACCESS[route.name]
        return rule == PUBLIC or persona in rule
    model, action = model_urls[route.name]
    if user is None:
        return False
    if action == "password":
        return user.is_sysadmin
    perm = f"{model._meta.app_label}.{ADMIN_ACTIONS[action]}_{model._meta.model_name}"
    return perm in role_permissions(user)


def _refused(response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code in (301, 302):
        location = response["Location"]
        return location.startswith((reverse("login"), reverse("admin:login")))
    return False


def test_no_unauthorised_2xx_for_any_role_or_other_unit(client, world):
    model_urls = admin_model_urls()
    users = world["users"]
    before = {p.pk: (p.status, p.title) for p in Piece.objects.all()}
    violations, refused_allowed, checked = [], [], 0
    for persona in PERSONAS:
        user = None if persona == "anonymous" else users[persona]
        client.logout()
        if user:
            client.force_login(user)
        for route in routes():
            if route.name is None:
                if route.pattern in ACCESS_BY_PATTERN and ACCESS_BY_PATTERN[route.pattern] != PUBLIC:
                    raise AssertionError(f"walk unnamed pattern {route.pattern} here")
                continue  # public by pattern, or the admin's unnamed redirects
            if route.name in model_urls:
                model, action = model_urls[route.name]
                if model is None:
                    kwargs = {"id": users["outsider"].pk}
                elif action in ADMIN_OBJECT_ACTIONS:
                    kwargs = _admin_object_kwargs(model, world)
                else:
                    kwargs = {}
            else:
                kwargs = _kwargs(route, world)
            url = reverse(route.name, kwargs=kwargs)
            allowed = _allowed(route, model_urls, persona, user)
            if allowed:
                # Allowed: a GET is not refused (keeps this table honest); no POST, it would change the data.
                if route.name not in ("logout", "admin:logout"):
                    response = client.get(url)
                    checked += 1
                    # Model admins may be stricter than the table (read-only snapshots, no hand-made evidence).
                    stricter_admin = route.name in model_urls and model_urls[route.name][1] != "changelist"
                    if response.status_code == 403 and not stricter_admin:
                        refused_allowed.append(f"{persona} GET {url} → 403")
            else:
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    checked += 1
                    if not _refused(response):
                        violations.append(f"{persona} {method.upper()} {url} ({route.name}) → {response.status_code}")
            if user and client.session.get(SESSION_KEY) != str(user.pk):
                client.force_login(user)  # e.g. a logout page: carry on as the same persona
    assert not violations, "unauthorised responses:\n" + "\n".join(violations)
    assert not refused_allowed, "the access table says allowed, the app refused:\n" + "\n".join(refused_allowed)
    assert checked > 1000
    # Nothing any refused request did changed a piece.
    assert {p.pk: (p.status, p.title) for p in Piece.objects.all()} == before


def test_another_units_objects_are_404_not_403(client, world):
    """Unit B's people asking for unit A's objects learn nothing: 404 on every object URL."""
    read_urls = [
        reverse("publicity:piece-detail", args=[world["approved"].pk]),
        reverse("publicity:evidence", args=[world["evidence"].pk]),
        reverse("scoring:unit-score", args=[2011, world["unit_a"].pk]),
        reverse("scoring:unit-score-current", args=[world["unit_a"].pk]),
        reverse("scoring:piece-reward", args=[world["approved"].pk]),
    ]
    for persona in ("liaison_b", "head_b"):
        client.force_login(world["users"][persona])
        for url in read_urls:
            assert client.get(url).status_code == 404, (persona, url)
    client.force_login(world["users"]["liaison_b"])
    assert client.get(reverse("publicity:piece-edit", args=[world["draft"].pk])).status_code == 404
    for name in ("publicity:piece-submit", "publicity:piece-delete"):
        assert client.post(reverse(name, args=[world["draft"].pk])).status_code == 404
    assert client.post(reverse("publicity:reminder-read", args=[world["reminder"].pk])).status_code == 404
    assert Piece.objects.get(pk=world["draft"].pk).status == PieceStatus.DRAFT
    assert Reminder.objects.get(pk=world["reminder"].pk).read_at is None

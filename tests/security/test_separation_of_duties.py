"""三员分立: the security admin grants roles, the system admin runs accounts, the auditor reads the
trail; none of them touches business data; business roles cannot grant roles or read the trail."""

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent, Outcome
from audit.permissions import is_business_model
from audit.services import user_set_roles
from units.models import User

pytestmark = pytest.mark.django_db

BUSINESS_ROLES = ("bureau_admin", "reviewer", "leader", "liaison_a", "head_a")
THREE_ADMINS = ("sysadmin", "secadmin", "auditor")


def _business_models():
    models = [m for m in apps.get_models() if is_business_model(m)]
    assert {"publicity.piece", "publicity.unittarget", "scoring.rewardrule", "scoring.scoringpolicy"} <= {
        m._meta.label_lower for m in models
    }
    return models


# ---- user_set_roles ------------------------------------------------------------------------


def test_secadmin_grants_and_revokes_roles_and_it_is_audited(users):
    target = users["outsider"]
    user_set_roles(actor=users["secadmin"], user=target, roles={"reviewer"})
    target.refresh_from_db()
    assert target.roles == ["reviewer"] and target.is_staff

    user_set_roles(actor=users["secadmin"], user=target, roles=set())
    target.refresh_from_db()
    assert target.roles == [] and not target.is_staff

    grant, revoke = AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE).order_by("id")
    assert grant.username == "secadmin" and grant.object_repr == "outsider"
    assert grant.changes == {"roles": [[], ["审核员"]]}
    assert revoke.changes == {"roles": [["审核员"], []]}


@pytest.mark.parametrize("role", ["sysadmin", "auditor", "bureau_admin", "reviewer", "leader", "liaison_a"])
def test_nobody_but_the_secadmin_changes_roles(users, role):
    with pytest.raises(PermissionDenied, match="只有安全管理员"):
        user_set_roles(actor=users[role], user=users["outsider"], roles={"bureau_admin"})
    assert User.objects.get(pk=users["outsider"].pk).roles == []
    denied = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE)
    assert denied.outcome == Outcome.DENIED and denied.username == users[role].username


def test_secadmin_cannot_change_own_roles(users):
    with pytest.raises(PermissionDenied, match="不能修改自己的角色"):
        user_set_roles(actor=users["secadmin"], user=users["secadmin"], roles={"secadmin", "bureau_admin"})
    assert User.objects.get(pk=users["secadmin"].pk).roles == ["secadmin"]


@pytest.mark.parametrize(
    "roles", [{"sysadmin", "auditor"}, {"secadmin", "auditor"}, {"auditor", "reviewer"}, {"sysadmin", "bureau_admin"}]
)
def test_the_three_admins_are_exclusive(users, roles):
    with pytest.raises(ValidationError, match="三员分立"):
        user_set_roles(actor=users["secadmin"], user=users["outsider"], roles=roles)
    assert User.objects.get(pk=users["outsider"].pk).roles == []


def test_unit_roles_need_a_unit(users, units):
    with pytest.raises(ValidationError, match="必须属于一个单位"):
        user_set_roles(actor=users["secadmin"], user=users["outsider"], roles={"liaison"})
    user_set_roles(actor=users["secadmin"], user=users["outsider"], roles={"liaison"}, unit=units["b"])
    assert User.objects.get(pk=users["outsider"].pk).unit == units["b"]


def test_a_role_change_ends_the_users_sessions(client, users):
    from django.contrib.sessions.models import Session

    client.force_login(users["reviewer"])
    user_set_roles(actor=users["secadmin"], user=users["reviewer"], roles={"leader"})
    assert not Session.objects.filter(session_key=client.session.session_key).exists()


# ---- the admin -----------------------------------------------------------------------------


def _change_url(user):
    return reverse("admin:units_user_change", args=[user.pk])


def _user_form(user, **overrides):
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit_id or "",
        "phone": user.phone,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        **{f"is_{r}": "on" for r in user.roles},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v not in (False, None)}


def test_secadmin_grants_a_role_in_the_admin(client, users):
    client.force_login(users["secadmin"])
    target = users["outsider"]
    response = client.post(_change_url(target), _user_form(target, is_leader="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.is_leader
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE, object_repr="outsider").count() == 1


def test_secadmin_cannot_edit_account_details_or_superuser_flags(client, users):
    client.force_login(users["secadmin"])
    target = users["outsider"]
    client.post(
        _change_url(target), _user_form(target, display_name="改名", is_superuser="on", is_staff="on", is_active="")
    )
    target.refresh_from_db()
    assert target.display_name == "outsider" and not target.is_superuser and target.is_active


def test_sysadmin_cannot_grant_roles_in_the_admin(client, users):
    client.force_login(users["sysadmin"])
    target = users["outsider"]
    response = client.post(
        _change_url(target), _user_form(target, is_bureau_admin="on", is_superuser="on", display_name="王五")
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.roles == [] and not target.is_superuser
    assert target.display_name == "王五"  # account details are the sysadmin's


def test_sysadmin_disables_an_account_in_the_admin(client, users):
    client.force_login(users["sysadmin"])
    target = users["liaison_b"]
    response = client.post(_change_url(target), _user_form(target, is_active=""))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert AuditEvent.objects.get(action=AuditAction.USER_ACTIVE).changes == {"is_active": [True, False]}


def test_admin_form_refuses_an_invalid_role_set_in_chinese(client, users):
    client.force_login(users["secadmin"])
    target = users["outsider"]
    response = client.post(_change_url(target), _user_form(target, is_auditor="on", is_reviewer="on"))
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    target.refresh_from_db()
    assert target.roles == []


def test_user_created_by_the_sysadmin_must_change_the_initial_password(client, users):
    client.force_login(users["sysadmin"])
    response = client.post(
        reverse("admin:units_user_add"),
        {
            "username": "new_liaison",
            "display_name": "新联络员",
            "password1": "Init#Pass2011",
            "password2": "Init#Pass2011",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="new_liaison")
    assert created.must_change_password and created.roles == []
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, model="units.user", object_id=str(created.pk)).exists()


def test_admin_user_creation_enforces_the_password_rules(client, users):
    client.force_login(users["sysadmin"])
    response = client.post(
        reverse("admin:units_user_add"),
        {"username": "weak", "password1": "abcdefgh", "password2": "abcdefgh", "usable_password": "true"},
    )
    assert response.status_code == 200 and "密码太简单" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


def test_only_the_sysadmin_resets_passwords(client, users):
    target = users["liaison_a"]
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    data = {"password1": "Reset#Pass2011", "password2": "Reset#Pass2011", "usable_password": "true"}
    client.force_login(users["secadmin"])
    assert client.post(url, data).status_code == 403
    target.refresh_from_db()
    assert not target.check_password("Reset#Pass2011")

    client.force_login(users["sysadmin"])
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.check_password("Reset#Pass2011") and target.must_change_password
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, object_repr="liaison_a").exists()


def test_accounts_are_never_deleted_in_the_admin(client, users):
    for role in ("sysadmin", "secadmin", "bureau_admin"):
        client.force_login(users[role])
        response = client.post(reverse("admin:units_user_delete", args=[users["outsider"].pk]), {"post": "yes"})
        assert response.status_code == 403, role
    assert User.objects.filter(pk=users["outsider"].pk).exists()


@pytest.mark.parametrize("role", BUSINESS_ROLES)
def test_business_roles_cannot_open_the_user_admin(client, users, role):
    client.force_login(users[role])
    response = client.get(_change_url(users["outsider"]))
    assert response.status_code in (302, 403)  # 302: no admin at all (liaison, head) → admin login
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]


def test_business_admin_permissions_follow_the_roles(client, users):
    models = _business_models()
    expected = {
        "bureau_admin": {"view": 200, "add": 200},
        "reviewer": {"view": 200, "add": 403},
        "leader": {"view": 200, "add": 403},
        "sysadmin": {"view": 403, "add": 403},
        "secadmin": {"view": 403, "add": 403},
        "auditor": {"view": 403, "add": 403},
    }
    from django.contrib import admin

    registered = [m for m in models if admin.site.is_registered(m)]
    assert len(registered) >= 8
    for role, codes in expected.items():
        client.force_login(users[role])
        for model in registered:
            info = (model._meta.app_label, model._meta.model_name)
            changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
            assert changelist.status_code == codes["view"], (role, model, changelist.status_code)
            add_url = reverse("admin:{}_{}_add".format(*info))
            model_admin = admin.site._registry[model]
            if role == "bureau_admin" and not model_admin.has_add_permission(_request_for(users[role])):
                continue  # some admins (e.g. evidence) never allow adding by hand
            assert client.get(add_url).status_code == codes["add"], (role, model)


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("role", ["liaison_a", "head_a", "outsider"])
def test_unit_people_have_no_admin(client, users, role):
    client.force_login(users[role])
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# ---- the audit trail: auditor only ---------------------------------------------------------


def test_only_the_auditor_reads_the_audit_trail(client, users):
    url = reverse("audit:log")
    for role in ("bureau_admin", "reviewer", "leader", "liaison_a", "head_a", "sysadmin", "secadmin", "outsider"):
        client.force_login(users[role])
        assert client.get(url).status_code == 403, role
        assert client.get(url + "?export=csv").status_code == 403, role
        admin_list = client.get(reverse("admin:audit_auditevent_changelist"))
        assert admin_list.status_code in (302, 403), role
    client.force_login(users["auditor"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_refused_requests_are_audited(client, users):
    client.force_login(users["reviewer"])
    client.get(reverse("audit:log"))
    event = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).get()
    assert event.username == "reviewer" and event.outcome == Outcome.DENIED and "/audit/" in event.message


def test_auditor_cannot_change_or_delete_audit_rows_in_the_admin(client, users):
    event = AuditEvent.objects.create(action=AuditAction.LOGIN, username="x")
    client.force_login(users["auditor"])
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200  # read-only view
    assert client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"username": "y"}).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).username == "x"


def test_group_and_permission_rows_grant_nothing(users):
    from django.contrib.auth.models import Permission

    liaison = users["liaison_a"]
    liaison.user_permissions.add(Permission.objects.get(codename="change_piece"))
    liaison = User.objects.get(pk=liaison.pk)
    assert not liaison.has_perm("publicity.change_piece")
    assert users["bureau_admin"].has_perm("publicity.change_piece")
    assert not users["bureau_admin"].has_perm("audit.view_auditevent")
    assert not users["bureau_admin"].has_perm("units.change_user")


# ---- bootstrapping the three admins on a fresh server ----------------------------------------


def test_set_roles_command_creates_the_first_security_admin(monkeypatch):
    import io

    from django.core.management import CommandError, call_command

    monkeypatch.setattr("sys.stdin", io.StringIO("Init#Pass2011\n"))
    out = io.StringIO()
    call_command("set_roles", "anquan", "secadmin", "--create", "--password-stdin", stdout=out)
    user = User.objects.get(username="anquan")
    assert user.roles == ["secadmin"] and user.must_change_password and user.check_password("Init#Pass2011")
    assert "安全管理员" in out.getvalue()
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGE, object_repr="anquan", username="").exists()

    with pytest.raises(CommandError, match="三员分立"):
        call_command("set_roles", "anquan", "secadmin", "auditor")
    with pytest.raises(CommandError, match="未知角色"):
        call_command("set_roles", "anquan", "root")
    with pytest.raises(CommandError, match="不存在"):
        call_command("set_roles", "nobody", "auditor")
    monkeypatch.setattr("sys.stdin", io.StringIO("abc\n"))
    with pytest.raises(CommandError, match="密码太"):
        call_command("set_roles", "weak", "auditor", "--create", "--password-stdin")
    assert not User.objects.filter(username="weak").exists()


def test_is_superuser_is_no_master_key(client, users):
    boss = users["bureau_admin"]
    boss.is_superuser = boss.is_staff = True
    boss.save()
    boss = User.objects.get(pk=boss.pk)
    assert boss.has_perm("publicity.change_piece")  # from the bureau_admin role
    assert not boss.has_perm("audit.view_auditevent") and not boss.has_perm("units.change_user")
    client.force_login(boss)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    assert client.get(_change_url(users["outsider"])).status_code == 403
    assert client.get(reverse("audit:log")).status_code == 403

    nobody = User.objects.create_superuser(username="root", password="Root#2011pass")
    client.force_login(nobody)
    assert not nobody.has_perm("publicity.view_piece")
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_pages_do_not_reveal_which_ids_exist(client, users):
    client.force_login(users["sysadmin"])
    for suffix in ("history", "change", "delete"):
        name = f"admin:publicity_piece_{suffix}"
        assert client.get(reverse(name, args=[999999])).status_code == 403, suffix

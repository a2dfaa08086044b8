"""Sign-in controls: lockout after 5 failures for 30 minutes, idle timeout, logout, disabled
accounts, and the initial password that must be changed at first sign-in."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from audit.context import LAST_SEEN
from audit.models import AuditAction, Outcome
from audit.services import user_reset_password, user_set_active
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _works(client) -> bool:
    """The user's home page (whatever it redirects to) opens."""
    response = client.get(reverse("home"), follow=True)
    return response.status_code == 200 and not response.redirect_chain[-1][0].startswith(reverse("login"))


def _fail(login_post, username, times):
    return [login_post(username, "Wrong#pass1").status_code for _ in range(times)]


def test_settings_match_the_policy():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "audit.backends.LockoutBackend"
    assert settings.SESSION_IDLE_TIMEOUT == 1800
    # The stored session outlives the idle timeout, so an idle sign-out is seen and recorded.
    assert settings.SESSION_COOKIE_AGE == 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_good_login_works_and_is_audited(users, login_post, events):
    response = login_post("liaison_a", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    [event] = events(action=AuditAction.LOGIN)
    assert event.username == "liaison_a"
    assert event.unit_name == "汉滨区人社局"
    assert event.ip == "10.1.2.3"
    assert event.outcome == Outcome.SUCCESS
    assert event.at.tzinfo is not None


def test_five_failures_lock_the_account_for_30_minutes(users, login_post, events):
    from axes.models import AccessAttempt

    statuses = _fail(login_post, "liaison_a", 4)
    assert statuses == [200] * 4  # the form again, with an error
    assert login_post("liaison_a", "Wrong#pass1").status_code == settings.AXES_HTTP_RESPONSE_CODE
    # Now even the right password is refused, with the Chinese lockout page.
    response = login_post("liaison_a", PASSWORD)
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    text = response.content.decode()
    assert "账号已被临时锁定" in text and "连续5次登录失败" in text and "30分钟" in text
    assert SESSION_KEY not in response.client.session

    failed = events(action=AuditAction.LOGIN_FAILED)
    assert len(failed) == 6
    assert {e.username for e in failed} == {"liaison_a"}
    assert failed[-1].outcome == Outcome.DENIED and "锁定" in failed[-1].message
    # Locked at the 5th failure; every refused attempt during the lockout is recorded again.
    lockouts = events(action=AuditAction.LOCKOUT)
    assert len(lockouts) == 2 and lockouts[0].id < failed[4].id
    assert lockouts[0].username == "liaison_a" and lockouts[0].outcome == Outcome.DENIED
    assert lockouts[0].message == "连续5次登录失败,账号锁定30分钟"

    # 29 minutes later: still locked. 31 minutes later: the right password works again.
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=29))
    assert login_post("liaison_a", PASSWORD).status_code == settings.AXES_HTTP_RESPONSE_CODE
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31))
    assert login_post("liaison_a", PASSWORD).status_code == 302


def test_lockout_is_per_account_not_per_office(users, login_post):
    _fail(login_post, "liaison_a", 5)
    assert login_post("liaison_a", PASSWORD).status_code == settings.AXES_HTTP_RESPONSE_CODE
    # A colleague behind the same NAT address signs in normally.
    assert login_post("liaison_b", PASSWORD, c=Client()).status_code == 302


def test_failures_of_an_unknown_account_are_audited(db, login_post, events):
    login_post("nobody", "Wrong#pass1")
    [event] = events(action=AuditAction.LOGIN_FAILED)
    assert event.username == "nobody" and event.message == "账号不存在" and event.outcome == Outcome.FAILURE


def test_a_good_login_resets_the_failure_count(users, login_post):
    _fail(login_post, "liaison_a", 4)
    assert login_post("liaison_a", PASSWORD).status_code == 302
    c = Client()
    _fail(lambda u, p: login_post(u, p, c=c), "liaison_a", 4)
    assert login_post("liaison_a", PASSWORD, c=Client()).status_code == 302


def _session_row(client):
    return Session.objects.filter(session_key=client.session.session_key).first()


def test_idle_for_30_minutes_ends_the_session(client, users, events):
    client.force_login(users["liaison_a"])
    assert _works(client)
    key = client.session.session_key
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()

    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not Session.objects.filter(session_key=key).exists()
    [event] = events(action=AuditAction.SESSION_EXPIRED)
    assert event.username == "liaison_a"


def test_an_idle_sign_out_is_recorded_when_the_user_comes_back(client, users, events):
    """31 minutes pass (every stored time moves back by 31 minutes): the stored session must still be
    there for the middleware to see the idle time, sign the user out and record it."""
    client.force_login(users["liaison_a"])
    assert _works(client)
    key = client.session.session_key
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=_session_row(client).expire_date - dt.timedelta(minutes=31)
    )

    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    [event] = events(action=AuditAction.SESSION_EXPIRED)
    assert event.username == "liaison_a" and event.user_id == users["liaison_a"].pk
    assert not Session.objects.filter(session_key=key).exists()


def test_activity_keeps_the_session_without_writing_it_on_every_request(client, users):
    client.force_login(users["liaison_a"])
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60  # 29 minutes idle
    session.save()
    assert _works(client)
    refreshed = client.session[LAST_SEEN]
    assert refreshed >= int(time.time()) - 2  # the clock restarted
    expiry = _session_row(client).expire_date
    assert expiry > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=29)
    # A second request within a minute does not rewrite the session.
    assert _works(client)
    assert client.session[LAST_SEEN] == refreshed


def test_logout_ends_the_session(client, users, events):
    client.force_login(users["reviewer"])
    key = client.session.session_key
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert events(action=AuditAction.LOGOUT)[0].username == "reviewer"


def test_disabling_an_account_ends_its_sessions_at_once(users, events):
    liaison = users["liaison_a"]
    phone, desk = Client(), Client()
    phone.force_login(liaison)
    desk.force_login(liaison)
    other = Client()
    other.force_login(users["liaison_b"])
    assert Session.objects.count() == 3

    user_set_active(actor=users["sysadmin"], user=liaison, active=False)

    assert Session.objects.count() == 1  # only liaison_b's
    for c in (phone, desk):
        response = c.get(reverse("home"))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert _works(other)
    [event] = events(action=AuditAction.USER_ACTIVE)
    assert event.username == "sysadmin" and event.object_repr == "liaison_a"
    assert event.changes == {"is_active": [True, False]}
    # and the disabled account cannot sign in again
    assert Client().post(reverse("login"), {"username": "liaison_a", "password": PASSWORD}).status_code == 200


def test_an_account_disabled_behind_the_services_back_is_logged_out_on_its_next_request(client, users):
    from units.models import User

    client.force_login(users["liaison_a"])
    key = client.session.session_key
    User.objects.filter(pk=users["liaison_a"].pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_only_the_sysadmin_disables_accounts(users):
    from django.core.exceptions import PermissionDenied

    for role in ("bureau_admin", "secadmin", "auditor", "reviewer"):
        with pytest.raises(PermissionDenied):
            user_set_active(actor=users[role], user=users["liaison_a"], active=False)
    users["liaison_a"].refresh_from_db()
    assert users["liaison_a"].is_active


# ---- initial password ----------------------------------------------------------------------


def test_initial_password_must_be_changed_before_anything_else(client, users, events):
    user = users["liaison_a"]
    user_reset_password(actor=users["sysadmin"], user=user, password="Temp#Pass2011")
    user.refresh_from_db()
    assert user.must_change_password

    assert client.post(reverse("login"), {"username": "liaison_a", "password": "Temp#Pass2011"}).status_code == 302
    change_url = reverse("audit:password-change")
    for url in (reverse("home"), "/admin/", reverse("audit:log")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(change_url), url
    page = client.get(change_url)
    assert page.status_code == 200 and "请先设置您自己的新密码" in page.content.decode()

    # A weak new password is refused in Chinese and nothing changes.
    weak = client.post(
        change_url, {"old_password": "Temp#Pass2011", "new_password1": "abcdefgh", "new_password2": "abcdefgh"}
    )
    assert weak.status_code == 200 and "密码太简单" in weak.content.decode()
    user.refresh_from_db()
    assert user.must_change_password and user.check_password("Temp#Pass2011")

    ok = client.post(
        change_url + "?next=/p/",
        {
            "old_password": "Temp#Pass2011",
            "new_password1": "Hanbin#2011ok",
            "new_password2": "Hanbin#2011ok",
            "next": "/p/",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == "/p/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Hanbin#2011ok")
    assert _works(client)  # still signed in, now free to work
    assert [e.action for e in events(object_repr="liaison_a", action__startswith="password")] == [
        AuditAction.PASSWORD_RESET,
        AuditAction.PASSWORD_CHANGE,
    ]


def test_password_change_refuses_the_same_password_and_offsite_next(client, users):
    user = users["liaison_a"]
    client.force_login(user)
    url = reverse("audit:password-change")
    same = client.post(url, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "新密码不能与原密码相同" in same.content.decode()
    ok = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Other#2011pw",
            "new_password2": "Other#2011pw",
            "next": "https://evil.example/",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("home")


def test_demo_style_accounts_are_not_forced(client, users):
    client.force_login(users["liaison_a"])
    assert _works(client)


def test_sign_in_gets_a_new_session_key(client, users, login_post):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    assert login_post("liaison_a").status_code == 302
    assert client.session.session_key != before  # no session fixation


def test_sign_in_needs_the_csrf_token(users):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "liaison_a", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_KEY not in strict.session


def test_logout_by_get_is_refused(client, users):
    client.force_login(users["reviewer"])
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session


@pytest.mark.parametrize("trust, expected", [(False, "10.9.9.9"), (True, "203.0.113.5")])
def test_forwarded_for_is_trusted_only_when_configured(settings, users, login_post, events, trust, expected):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = trust
    login_post("liaison_a", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.5, 10.9.9.9")
    assert events(action=AuditAction.LOGIN)[0].ip == expected


def test_the_admin_sign_in_counts_towards_the_same_lockout(client, users, login_post):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "bureau_admin", "password": "Wrong#pass1"})
    response = login_post("bureau_admin", PASSWORD, c=Client())
    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE and "账号已被临时锁定" in response.content.decode()


def test_admin_sign_in_is_by_role_not_is_staff(users):
    c = Client()
    response = c.post(reverse("admin:login"), {"username": "liaison_a", "password": PASSWORD})
    assert response.status_code == 200 and "该账号没有后台管理权限" in response.content.decode()
    sysadmin = Client()
    response = sysadmin.post(reverse("admin:login"), {"username": "sysadmin", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and sysadmin.get("/admin/").status_code == 200


def test_the_sysadmin_unlocks_an_account_early(users, login_post):
    from axes.models import AccessAttempt

    _fail(login_post, "liaison_a", 5)
    attempt = AccessAttempt.objects.get(username="liaison_a")
    for role in ("secadmin", "auditor", "bureau_admin"):
        c = Client()
        c.force_login(users[role])
        assert c.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code == 403
    c = Client()
    c.force_login(users["sysadmin"])
    assert c.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code == 302
    assert login_post("liaison_a", PASSWORD, c=Client()).status_code == 302

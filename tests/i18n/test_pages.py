"""Chinese first, English through Django's i18n: the same pages in both languages.

The default (no cookie, no Accept-Language) stays Chinese; the cookie the switcher sets, or an
English browser, gives English; the navigation then has no Chinese left (the signed-in person's
name and unit are data and are left out of the check)."""

import json
import re
from urllib.parse import unquote

from django.conf import settings
from django.urls import reverse

from .conftest import cjk, nav_html

LOGIN = reverse("login")


def test_login_page_chinese_by_default(client):
    page = client.get(LOGIN).content.decode()
    assert '<html lang="zh-CN">' in page
    assert "请使用市局分配的账号登录" in page and ">登录</button>" in page
    assert "Sign in" not in page
    # the switcher offers both languages, the current one disabled
    assert 'name="language" value="en"' in page and ">English</button>" in page
    assert 'value="zh-hans" class="langbtn" lang="zh-CN" aria-current="true" disabled' in page


def test_login_page_english_with_cookie(english):
    page = english.get(LOGIN).content.decode()
    assert '<html lang="en">' in page
    assert "Sign in with the account issued by the bureau" in page
    assert ">Username</label>" in page and ">Password</label>" in page and ">Sign in</button>" in page
    assert "<title>Sign in - Publicity Tasks and Credits</title>" in page
    assert "请使用市局分配的账号登录" not in page and "用户名" not in page


def test_login_page_english_from_the_browser_language(client):
    page = client.get(LOGIN, headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert "Sign in with the account issued by the bureau" in page
    # a Chinese browser (zh-CN) keeps Chinese
    page = client.get(LOGIN, headers={"accept-language": "zh-CN,zh;q=0.9"}).content.decode()
    assert "请使用市局分配的账号登录" in page


def test_switcher_posts_to_set_language_and_comes_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    assert response.status_code == 302 and response.url == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Sign in with the account issued by the bureau" in client.get(LOGIN).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": LOGIN})
    assert "请使用市局分配的账号登录" in client.get(LOGIN).content.decode()


def test_switcher_refuses_an_outside_next(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response.url


# --- the pages each role lands on, in both languages -----------------------------------------

UNIT_HOME = reverse("publicity:unit-home")
PIECE_NEW = reverse("publicity:piece-create")
QUEUE = reverse("publicity:review-queue")
DASHBOARD = reverse("publicity:dashboard")


def assert_nav_english(page: str, *links: str):
    nav = nav_html(page)
    for link in links:
        assert re.search(rf">[＋ ]*{link}</a>", nav), link
    assert ">Sign out</button>" in nav and ">Change password</a>" in nav
    assert cjk(nav) == [], f"Chinese left in the navigation: {cjk(nav)}"


def test_liaison_unit_home(client, english, users, units, make_piece):
    make_piece(units["a"], "汉滨区就业工作纪实", [("安康日报", "2011-03-05")])
    make_piece(units["a"], "被退回的稿件标题", [("安康日报", "2011-05-06")], status="rejected")
    url = UNIT_HOME + "?as_of=2011-07-02"

    english.force_login(users["liaison_a"])
    page = english.get(url).content.decode()
    assert "<title>汉滨区人社局 · Progress 2011</title>" in page
    assert "Publicity task progress 2011" in page
    assert "Projected year-end score" in page and "Next reporting deadline" in page
    assert "By July 2, 183 of the year's 365 days have passed." in page
    assert "December 25, 2011" in page  # the county deadline, date format from the catalogue
    assert "Pieces to follow up" in page and "Reason for return: " in page
    assert "Returned" in page  # the status label (TextChoices) translated too
    assert "被退回的稿件标题" in page and "汉滨区人社局" in page  # data stays as entered
    assert "宣传任务进度" not in page and "预计年底得分" not in page
    assert_nav_english(page, "Our progress", "Our pieces", "Log a piece", "Monthly reports")

    client.force_login(users["liaison_a"])
    page = client.get(url).content.decode()
    assert "2011年度宣传任务进度" in page and "已过全年 183 天(共 365 天)" in page and "2011年12月25日" in page
    assert ">本单位进度</a>" in nav_html(page) and "Our progress" not in page


def test_piece_form_and_its_errors(client, english, users, units):
    english.force_login(users["liaison_a"])
    page = english.get(PIECE_NEW).content.decode()
    for label in ("Title", "Piece type", "Authors", "Characters", "Topics", "Report date", "Outlet", "Placement"):
        assert f">{label}</label>" in page, label
    assert "Several authors in byline order, separated by commas or spaces" in page
    assert ">Submit for review</button>" in page and ">Save draft</button>" in page
    assert 'placeholder="Title of the piece"' in page
    assert '<option value="news" selected>News story</option>' in page
    assert_nav_english(page, "Our progress", "Our pieces", "Log a piece", "Monthly reports")

    bad = {"title": "", "kind": "news", "authors": "", "characters": "x", "action": "submit"}
    bad.update({"pub-TOTAL_FORMS": "1", "pub-INITIAL_FORMS": "0", "pub-0-outlet": "没有这家媒体", "pub-0-date": ""})
    page = english.post(PIECE_NEW, bad).content.decode()
    assert "Not saved: correct the fields marked in red below and submit again." in page
    assert "Enter a title." in page and "Enter at least one author." in page
    assert "Characters must be a whole number." in page
    assert "Publication 1: no outlet “没有这家媒体”" in page

    client.force_login(users["liaison_a"])
    page = client.post(PIECE_NEW, bad).content.decode()
    assert "请填写标题。" in page and "第1条刊发记录:找不到媒体“没有这家媒体”" in page
    assert "Enter a title." not in page


def test_review_queue_and_flash_messages(client, english, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨区春风行动", [("安康日报", "2011-03-05")], status="submitted")
    english.force_login(users["reviewer"])
    page = english.get(QUEUE).content.decode()
    assert "Review pieces · 2011" in page and ">Approve selected</button>" in page
    assert '<option value="" selected>All months</option>' in page or ">All months</option>" in page
    assert '<span class="badge submitted">Awaiting review</span>' in page
    assert ">Approve</button>" in page and 'placeholder="e.g. The evidence is unreadable' in page
    assert_nav_english(page, "Review", "Dashboard", "Reporting status", "Reports")

    shown = {"next": QUEUE, "version": piece.version}
    page = english.post(reverse("publicity:review-approve", args=[piece.pk]), shown, follow=True)
    assert "Piece “汉滨区春风行动” approved." in page.content.decode()
    # a second approval: the service's ValidationError comes back in English, status label included
    page = english.post(reverse("publicity:review-approve", args=[piece.pk]), shown, follow=True)
    assert "Piece “汉滨区春风行动” is already “Approved”: it has been dealt with and cannot be reviewed again." in (
        page.content.decode()
    )

    client.force_login(users["reviewer"])
    page = client.post(reverse("publicity:review-approve", args=[piece.pk]), shown, follow=True)
    assert "稿件“汉滨区春风行动”当前状态为“已通过”,已被处理,不能重复审核。" in page.content.decode()
    assert "稿件审核 · 2011年度" in page.content.decode()


def test_dashboard(client, english, users, units, make_piece):
    make_piece(units["a"], "汉滨区就业工作纪实", [("安康日报", "2011-03-05")])
    english.force_login(users["bureau_admin"])
    page = english.get(DASHBOARD).content.decode()
    assert "Dashboard · 2011" in page and "Units assessed" in page and "Approved pieces" in page
    assert "Total piece rewards" in page and ">Score details</a>" in page and ">Pieces</a>" in page
    chart = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1))
    assert chart["text"] == {
        "approved": "Approved",
        "waiting": "Awaiting review",
        "cumulative": "Approved so far",
        "per_month": "Pieces in the month",
        "total": "Cumulative",
        "approved_per_month": "Approved in the month",
    }
    assert chart["labels"][0] == "Month 1" and chart["approved"][2] == 1
    assert_nav_english(page, "Review", "Dashboard", "Reporting status", "Reports")

    client.force_login(users["bureau_admin"])
    page = client.get(DASHBOARD).content.decode()
    assert "统计看板 · 2011年度" in page and "参加考核单位" in page and "Dashboard" not in page
    chart = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>', page).group(1))
    assert chart["labels"][0] == "1月" and chart["text"]["approved"] == "审核通过"


def test_score_pages(client, english, users, units, make_piece):
    piece = make_piece(units["a"], "汉滨区就业工作纪实", [("安康日报", "2011-03-05", "front")])
    score_url = reverse("scoring:unit-score", args=[2011, units["a"].pk])
    reward_url = reverse("scoring:piece-reward", args=[piece.pk])
    english.force_login(users["liaison_a"])
    page = english.get(score_url).content.decode()
    assert (
        "汉滨区人社局 · Assessment score 2011" in page
        and "Live figures, year not closed" in page
        and "(approved pieces only)" in page
    )
    assert (
        "How the score is computed" in page
        and "Points (full score minus the penalty plus the bonus, not below the floor)" in page
    )
    assert "<li>Full score S:" in page  # the policy labels (gettext_noop in scoring.services) translated
    page = english.get(reward_url).content.decode()
    assert "Piece reward explained" in page and "Split among authors" in page and "2011 · News story" in page
    assert ">Front page</td>" in page  # the placement choice label

    client.force_login(users["liaison_a"])
    page = client.get(score_url).content.decode()
    assert "汉滨区人社局 · 2011年度考核得分" in page and "<li>单项满分S:" in page
    assert "稿件奖励说明" in client.get(reward_url).content.decode()


def test_report_pages_chrome_in_english_documents_stay_chinese(client, english, users, units, make_piece):
    make_piece(units["a"], "汉滨区就业工作纪实", [("安康日报", "2011-03-05")])
    english.force_login(users["bureau_admin"])
    page = english.get(reverse("reports:index")).content.decode()
    assert ">Download the year summary (Excel)</a>" in page and ">Monthly circular</a>" in page
    page = english.get(reverse("reports:year", args=[2011])).content.decode()
    assert "Assessment results 2011" in page and ">Indicators achieved/target</th>" in page
    assert ">Certificates of honour</a>" in page
    # the downloads are official documents: their file names stay Chinese whatever the page language
    response = english.get(reverse("reports:year-workbook", args=[2011]))
    assert "2011年度宣传工作考核汇总.xlsx" in unquote(response["Content-Disposition"])

    client.force_login(users["bureau_admin"])
    page = client.get(reverse("reports:year", args=[2011])).content.decode()
    assert "2011年度宣传工作考核结果" in page and "各项指标 完成/任务" in page and "Assessment results" not in page


def test_password_change_page(client, english, users):
    url = reverse("audit:password-change")
    english.force_login(users["liaison_a"])
    page = english.get(url).content.decode()
    assert ">Current password</label>" in page and ">New password again</label>" in page
    assert "At least 8 characters with at least three of" in page
    page = english.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}).content.decode()
    assert "The current password is wrong; enter it again." in page

    client.force_login(users["liaison_a"])
    page = client.post(url, {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}).content.decode()
    assert ">原密码</label>" in page and "原密码不正确,请重新输入。" in page

"""The website pages: each role's view and actions, another unit's item (404), wrong role (403), bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from website import services
from website.models import ItemStatus, WebsiteItem

pytestmark = pytest.mark.django_db
URL = "http://www.akhrss.gov.cn/xxgk/2011/0305/1.html"


def form_data(**over):
    data = {
        "title": "汉滨区启动春风行动",
        "body": "汉滨区人社局3月1日启动春风行动。",
        "authors": "李晓梅",
        "kind": "news",
        "signoff_mode": "in_app",
        "source_url": "",
        "action": "submit",
    }
    data.update(over)
    return data


def test_liaison_drafts_and_submits_from_the_form(client, staff):
    client.force_login(staff["liaison_a"])
    assert "起草局网站稿件" in client.get(reverse("website:create")).content.decode()
    response = client.post(reverse("website:create"), form_data(is_major="on"))
    item = WebsiteItem.objects.get()
    assert response.status_code == 302 and response.url == reverse("website:detail", args=[item.pk])
    assert item.status == ItemStatus.HEAD and item.is_major and item.created_by == staff["liaison_a"]


def test_bad_input_shows_chinese_errors_on_the_fields_and_saves_nothing(client, staff):
    client.force_login(staff["liaison_a"])
    page = client.post(reverse("website:create"), form_data(title="", source_url="javascript:alert(1)")).content
    page = page.decode()
    assert "请填写标题。" in page and "稿件未保存" in page
    assert not WebsiteItem.objects.exists()
    page = client.post(reverse("website:create"), form_data(signoff_mode="scan")).content.decode()
    assert "须先上传签字原件或传真件" in page
    page = client.post(reverse("website:create"), form_data(source_url="javascript:alert(1)")).content.decode()
    assert "本单位网站原文链接" in page and "http://" in page
    assert not WebsiteItem.objects.exists()


def test_head_sees_the_queue_and_signs(client, staff, draft):
    item = draft(submit=True)
    client.force_login(staff["head_a"])
    page = client.get(reverse("website:list")).content.decode()
    assert 'id="my-queue"' in page and item.title in page
    assert 'id="sign"' in client.get(reverse("website:detail", args=[item.pk])).content.decode()
    assert client.post(reverse("website:sign", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.EDITOR and item.head_signed_by == staff["head_a"]


def test_editor_publishes_with_the_url_and_the_piece_appears(client, staff, draft):
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True))
    client.force_login(staff["editor"])
    assert client.get(reverse("home")).url == reverse("website:list")
    response = client.post(reverse("website:publish", args=[item.pk]), {"url": URL, "date": "2011-03-05"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.piece.publications.get().url == URL


def test_publish_errors_are_shown_and_nothing_changes(client, staff, draft):
    item = services.item_sign(actor=staff["head_a"], item=draft(submit=True))
    client.force_login(staff["editor"])
    response = client.post(reverse("website:publish", args=[item.pk]), {"url": "", "date": "2011-03-05"}, follow=True)
    assert "请填写稿件在局网站上的链接。" in response.content.decode()
    response = client.post(
        reverse("website:publish", args=[item.pk]), {"url": "http://evil.example/x", "date": "2011-03-05"}, follow=True
    )
    assert "不是局网站的地址" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.EDITOR and item.piece is None


def test_return_needs_a_reason(client, staff, draft):
    item = draft(submit=True)
    client.force_login(staff["head_a"])
    page = client.post(reverse("website:return", args=[item.pk]), {"reason": ""}, follow=True).content.decode()
    assert "退回稿件必须填写退回原因。" in page
    client.post(reverse("website:return", args=[item.pk]), {"reason": "数据需核实"})
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and item.return_reason == "数据需核实"
    client.force_login(staff["liaison_a"])
    assert "数据需核实" in client.get(reverse("website:detail", args=[item.pk])).content.decode()


def test_another_units_item_is_a_404(client, staff, draft):
    item = draft(submit=True)
    client.force_login(staff["liaison_b"])
    for name in ("website:detail", "website:edit", "website:scan"):
        assert client.get(reverse(name, args=[item.pk])).status_code == 404, name
    for name in ("website:submit", "website:withdraw", "website:delete"):
        assert client.post(reverse(name, args=[item.pk])).status_code == 404, name
    assert item.title not in client.get(reverse("website:list")).content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.HEAD


def test_wrong_roles_get_403_and_change_nothing(client, staff, draft):
    item = draft(submit=True)
    cases = [
        ("auditor", "get", "website:list", []),
        ("sysadmin", "get", "website:detail", [item.pk]),
        ("editor", "get", "website:create", []),
        ("liaison_a", "post", "website:sign", [item.pk]),
        ("reviewer", "post", "website:publish", [item.pk]),
        ("head_a", "post", "website:publish", [item.pk]),
        ("leader", "post", "website:return", [item.pk]),
    ]
    for who, method, name, args in cases:
        client.force_login(staff[who])
        assert getattr(client, method)(reverse(name, args=args)).status_code == 403, (who, name)
    item.refresh_from_db()
    assert item.status == ItemStatus.HEAD and item.steps.count() == 1


def test_editor_cannot_sign_for_the_head(client, staff, draft):
    item = draft(submit=True)
    client.force_login(staff["deputy"])
    response = client.post(reverse("website:sign", args=[item.pk]))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.HEAD


def test_scan_is_served_with_its_checked_type_only_to_readers(client, staff, units, year, png_upload):
    item = services.item_save(
        actor=staff["liaison_a"], unit=units["a"], year=year,
        data=services.ItemInput("附签字件", "正文", "甲", signoff_mode="scan"), scan=png_upload(), submit=True,
    )  # fmt: skip
    client.force_login(staff["editor"])
    response = client.get(reverse("website:scan", args=[item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_list_queries_do_not_grow_with_items(client, staff, draft):
    client.force_login(staff["editor"])
    url = reverse("website:list")

    def make(n, prefix):
        for i in range(n):
            services.item_sign(actor=staff["head_a"], item=draft(submit=True, title=f"{prefix}{i}"))

    make(2, "少")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    make(12, "多")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("多1") >= 1
    assert len(many) == len(few), (len(few), len(many))

"""Download pages: who may open them (403 for other roles, 404 for an unknown year or month) and
what they hand back."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import login

from .conftest import pdf_text

READERS = ["bureau_admin", "reviewer", "leader"]
OTHERS = ["liaison_a", "head_a", "auditor", "sysadmin", "outsider"]
PAGES = [
    ("reports:index", {}),
    ("reports:year", {"year": 2011}),
    ("reports:year-workbook", {"year": 2011}),
    ("reports:year-pdf", {"year": 2011}),
    ("reports:circular", {"year": 2011}),
    ("reports:circular-xlsx", {"year": 2011, "month": 6}),
    ("reports:circular-pdf", {"year": 2011, "month": 6}),
]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_anonymous_is_sent_to_login(client, preset, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize(("name", "kwargs"), PAGES + [("reports:certificates", {"year": 2011})])
def test_other_roles_get_403(client, users, who, name, kwargs):
    login(client, users[who])
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403


@pytest.mark.parametrize("who", READERS)
def test_bureau_readers_download_the_year_workbook(client, scored, users, who):
    login(client, users[who])
    response = client.get(reverse("reports:year-workbook", kwargs={"year": 2011}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(body(response)))
    assert wb.sheetnames[0] == "单位得分汇总" and wb["单位得分汇总"]["B5"].value == "办公室"


def test_year_page_shows_results_and_download_buttons(client, scored, users):
    login(client, users["leader"])
    response = client.get(reverse("reports:year", kwargs={"year": 2011}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "办公室" in html and "3.40" in html and "660" not in html.split("<tbody>")[0]
    assert reverse("reports:year-workbook", kwargs={"year": 2011}) in html
    assert reverse("reports:certificates", kwargs={"year": 2011}) not in html  # only the admin commends


def test_results_pdf_download(client, scored, users):
    login(client, users["reviewer"])
    response = client.get(reverse("reports:year-pdf", kwargs={"year": 2011}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "汉滨区人社局" in pdf_text(body(response))


def test_circular_page_and_files(client, scored, users):
    login(client, users["reviewer"])
    response = client.get(reverse("reports:circular", kwargs={"year": 2011}), {"month": 6})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2011年6月宣传工作情况通报" in html and "汉滨区人社局" in html and "2/40" in html
    assert "未按时报送6月报表的单位" in html and "办公室" in html.split("未按时报送")[1]
    xlsx = client.get(reverse("reports:circular-xlsx", kwargs={"year": 2011, "month": 6}))
    assert load_workbook(io.BytesIO(body(xlsx))).sheetnames[-1] == "未报送单位"
    pdf = client.get(reverse("reports:circular-pdf", kwargs={"year": 2011, "month": 6}))
    assert "2011年6月宣传工作情况通报" in pdf_text(body(pdf))


def test_circular_download_buttons_print_what_was_typed(client, scored, users):
    """QA: typing 文号 and 印发日期, then 下载 PDF without 查看, printed today's date and no number."""
    login(client, users["reviewer"])
    page = reverse("reports:circular", kwargs={"year": 2011})
    typed = {"month": 7, "number": "安人社办发〔2011〕15号", "date": "2011-08-05"}
    html = client.get(page, {"month": 6}).content.decode()
    assert 'name="download" value="pdf"' in html and 'name="download" value="xlsx"' in html
    response = client.get(page, typed | {"download": "pdf"})
    assert response.status_code == 302 and response.url.startswith(
        reverse("reports:circular-pdf", kwargs={"year": 2011, "month": 7})
    )
    text = pdf_text(body(client.get(response.url)))
    assert "安人社办发〔2011〕15号" in text and "2011年8月5日" in text and "2011年7月" in text
    response = client.get(page, typed | {"download": "xlsx"})
    assert response.url.startswith(reverse("reports:circular-xlsx", kwargs={"year": 2011, "month": 7}))
    cells = [
        c.value for row in load_workbook(io.BytesIO(body(client.get(response.url)))).active.iter_rows() for c in row
    ]
    assert any("安人社办发〔2011〕15号" in str(v) for v in cells if v)
    # a bad date: the page says so, nothing is downloaded
    response = client.get(page, typed | {"date": "2011-02-30", "download": "pdf"})
    assert response.status_code == 400 and "印发日期" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "kwargs", "query"),
    [
        ("reports:year", {"year": 2099}, {}),
        ("reports:year-workbook", {"year": 2099}, {}),
        ("reports:circular", {"year": 2011}, {"month": 13}),
        ("reports:circular", {"year": 2011}, {"month": "六"}),
        ("reports:circular-pdf", {"year": 2011, "month": 13}, {}),
        ("reports:circular-xlsx", {"year": 2099, "month": 6}, {}),
        ("reports:certificates", {"year": 2099}, {}),
    ],
)
def test_unknown_year_or_month_is_404(client, users, name, kwargs, query):
    login(client, users["bureau_admin"])
    assert client.get(reverse(name, kwargs=kwargs), query).status_code == 404


@pytest.mark.parametrize("who", ["reviewer", "leader"])
def test_only_the_bureau_admin_makes_certificates(client, scored, users, who):
    login(client, users[who])
    url = reverse("reports:certificates", kwargs={"year": 2011})
    assert client.get(url).status_code == 403
    assert client.post(url, {"units": ["办公室"], "issued": "2011-12-30"}).status_code == 403


def test_admin_picks_units_and_people_and_gets_one_pdf(client, scored, users):
    login(client, users["bureau_admin"])
    url = reverse("reports:certificates", kwargs={"year": 2011})
    page = client.get(url).content.decode()
    assert "办公室" in page and "汉滨区人社局|张三" in page
    response = client.post(
        url,
        {
            "units": ["办公室", "市技工学校"],
            "people": ["汉滨区人社局|张三"],
            "unit_honour": "宣传工作先进集体",
            "person_honour": "优秀通讯员",
            "issued": "2011-12-30",
        },
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(body(response)))
    assert len(reader.pages) == 3
    assert "优秀通讯员" in reader.pages[2].extract_text().replace("\n", "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"issued": "2011-12-30", "unit_honour": "a", "person_honour": "b"}, "请至少选择一个获奖单位或个人"),
        ({"units": ["不存在的单位"], "issued": "2011-12-30", "unit_honour": "a", "person_honour": "b"}, "不存在的单位"),
        ({"units": ["办公室"], "issued": "去年", "unit_honour": "a", "person_honour": "b"}, "日期"),
    ],
)
def test_bad_certificate_request_shows_the_form_again(client, scored, users, data, message):
    login(client, users["bureau_admin"])
    response = client.post(reverse("reports:certificates", kwargs={"year": 2011}), data)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    if "units" in data and data["units"] == ["不存在的单位"]:
        assert "不在本年度考核结果中" in response.content.decode()

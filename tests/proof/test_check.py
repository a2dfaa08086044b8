"""The claim against the proof (pure): title, outlet, date and page findings."""

import datetime as dt

import pytest

from proof.check import Claim, check_claim, claimed_page, title_similarity
from proof.fields import OutletEntry, extract_text
from proof.similar import near, near_pairs, signature, similarity

OUTLETS = [OutletEntry("安康日报"), OutletEntry("陕西日报"), OutletEntry("人民网", (), ("people.com.cn",))]
PROOF = (
    "安康日报\n2011年3月5日 星期六 第1版\n我市人社系统扎实推进\n就业再就业工作\n"
    "本报讯 今年以来,市人社局围绕稳就业目标,积极开展春风行动。"
)


def findings(claim: Claim, text: str = PROOF):
    rows = text.splitlines()
    return {f.what: f for f in check_claim(claim, extract_text(text, OUTLETS), rows)}


def claim(**kw):
    base = {"title": "我市人社系统扎实推进就业再就业工作", "outlet": "安康日报", "date": dt.date(2011, 3, 5)}
    return Claim(**(base | kw))


def test_everything_agrees():
    found = findings(claim(placement="headline", page="第1版"))
    assert {k: f.status for k, f in found.items()} == {"title": "ok", "outlet": "ok", "date": "ok", "page": "ok"}
    assert found["title"].values["similarity"] == 1.0  # found across the headline's two rows


def test_title_not_on_the_proof():
    f = findings(claim(title="全市社会保险扩面征缴工作会议召开"))["title"]
    assert (f.status, f.code) == ("flag", "title_missing")
    assert f.values["read"] == "我市人社系统扎实推进"  # plain text has no sizes: the first title-like row


def test_title_with_a_few_characters_different_is_found_or_similar():
    # Punctuation and spacing never matter; one wrong character keeps it above the found threshold.
    assert findings(claim(title="我市人社系统 扎实推进“就业再就业”工作"))["title"].status == "ok"
    assert findings(claim(title="我市人社系统扎实推动就业再就业工作"))["title"].status == "ok"
    f = findings(claim(title="我市人社部门扎实推动创业带动就业工作"))["title"]
    assert (f.status, f.code) == ("flag", "title_similar")


def test_other_date_is_named():
    f = findings(claim(date=dt.date(2011, 3, 6)))["date"]
    assert (f.status, f.code, f.values["read"]) == ("flag", "date_other", "2011-03-05")


def test_no_date_on_the_proof_is_unknown_not_a_flag():
    f = findings(claim(), "安康日报\n我市人社系统扎实推进就业再就业工作")["date"]
    assert (f.status, f.code) == ("unknown", "date_missing")


def test_other_outlet_and_missing_outlet():
    f = findings(claim(outlet="陕西日报"))["outlet"]
    assert (f.status, f.code, f.values["read"]) == ("flag", "outlet_other", "安康日报")
    f = findings(claim(outlet="华商报"), "我市人社系统扎实推进就业再就业工作\n2011年3月5日")["outlet"]
    assert (f.status, f.code) == ("flag", "outlet_missing")


def test_outlet_found_by_its_domain():
    text = "http://www.people.com.cn/n/2011/0305/c1.html\n我市人社系统扎实推进就业再就业工作\n2011-03-05"
    f = findings(claim(outlet="人民网", outlet_domains=("people.com.cn",)), text)["outlet"]
    assert (f.status, f.code) == ("ok", "outlet_found")  # the catalogue's domain already named it
    f = check_claim(
        Claim(title="x", outlet="人民网(转载)", outlet_domains=("people.com.cn",)),
        extract_text(text, []),
        text.splitlines(),
    )
    assert [x.code for x in f if x.what == "outlet"] == ["outlet_domain"]


def test_page_checks():
    f = findings(claim(page="第3版"))["page"]
    assert (f.status, f.code, f.values) == ("flag", "page_other", {"page": 3, "read": 1})
    # 头版头条 claimed: the proof must be page 1.
    assert findings(claim(placement="headline"))["page"].status == "ok"
    # No page claimed (a web piece): no page finding at all.
    assert "page" not in findings(claim(placement="other"))
    f = findings(claim(placement="front"), "安康日报\n我市人社系统扎实推进就业再就业工作")["page"]
    assert (f.status, f.code) == ("unknown", "page_missing")


@pytest.mark.parametrize(
    "page, placement, n",
    [
        ("第1版", "other", 1),
        ("A3", "other", 3),
        ("03版", "other", 3),
        ("第十二版", "other", 12),
        ("要闻", "other", None),
    ],
)
def test_claimed_page(page, placement, n):
    assert claimed_page(Claim("t", "o", page=page, placement=placement)) == n


def test_title_similarity_bounds():
    assert title_similarity("", ["abc"]) == 0.0
    assert title_similarity("我市召开会议", []) == 0.0
    assert title_similarity("我市召开会议", ["今天我市召开会议了"]) == 1.0


BODY = (
    "本报讯 今年以来,市人社局围绕稳就业目标,积极开展春风行动,组织各类招聘会二十余场,帮助农民工实现转移就业。"
    "局党组把就业工作作为民生工程的头号任务,层层分解目标,落实责任。"
)


def test_signatures_of_near_identical_readings_are_near():
    a = signature("安康日报\n" + BODY)
    b = signature("安康日极\n" + BODY.replace("二十余场", "二十余汤"))  # two OCR slips
    c = signature(
        "陕西日报\n全省社会保险扩面征缴工作会议在西安召开,会议总结了去年工作,部署了今年任务,要求各地抓好落实。"
    )
    assert near(a, b) and similarity(a, b) >= 0.75
    assert not near(a, c) and similarity(a, c) < 0.2
    assert signature("安康日报") == ""  # too short to say anything
    assert not near(a, "")
    assert near_pairs([(1, a), (2, c), (3, b), (4, "")]) == {(1, 3)}

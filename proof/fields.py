"""What a proof says: outlet, headline, date, page, placement, URL and an approximate character count.

Input is lines of text with their boxes (``engine.Line``; boxes may be zero for plain text) and the
outlet catalogue as plain data (:class:`OutletEntry`). Output is :class:`Fields`, suggestions a
person confirms, never facts written on their own. The heuristics follow how Chinese newspapers and
government web pages are laid out: the masthead is the biggest text at the top, the date line
carries 年月日 and 星期, the page label is 第N版 (or A1版), the headline is the biggest text below the
masthead, and web pages show their address and a 发布时间.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from .engine import Line

# --- text helpers ----------------------------------------------------------------------------

CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def norm(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def key(text: str) -> str:
    """``norm`` without punctuation and symbols: what two spellings of a title share."""
    return "".join(ch for ch in norm(text) if unicodedata.category(ch)[0] not in "PZSC")


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def cn_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 二十三 → 23, 12 → 12."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = CN_DIGITS.get(head, 0) if head else 1
        ones = CN_DIGITS.get(tail, 0) if tail else 0
        if (head and head not in CN_DIGITS) or (tail and tail not in CN_DIGITS):
            return None
        return tens * 10 + ones
    if len(text) == 1 and text in CN_DIGITS:
        return CN_DIGITS[text]
    return None


def _join(parts: Sequence[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if out and part and not (is_cjk(out[-1]) and is_cjk(part[0])):
            out += " "
        out += part
    return out


# --- rows --------------------------------------------------------------------------------------


@dataclass
class Row:
    text: str
    top: float
    height: float  # the type size (``type_size``), not the box's height
    left: float
    boxes: int = 1

    @property
    def norm(self) -> str:
        return norm(self.text)


def type_size(line: Line) -> float:
    """The size of a box's characters. An OCR box is padded around its text, so a short word's box is
    much taller than its characters (两个字: 47 px high for 40 px type) while a long line's is not; a
    CJK character is about as wide as it is high, so width per character says it better when wider
    than two characters. PDF text lines carry their font size as the height and no width."""
    units = sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in line.text if not ch.isspace())
    if line.width > 0 and units >= 2:
        return min(line.height, line.width / units)
    return line.height


def group_rows(lines: Iterable[Line]) -> list[Row]:
    """OCR boxes on the same visual line (a headline read in two pieces, a date line and its page
    label) become one row, left to right; rows come top to bottom. Boxes without geometry keep
    their order, one row each."""
    lines = [ln for ln in lines if ln.text and ln.text.strip()]
    if not any(ln.height for ln in lines):
        return [Row(ln.text.strip(), float(i), 0.0, 0.0) for i, ln in enumerate(lines)]
    groups: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.top + ln.height / 2, ln.left)):
        centre = ln.top + ln.height / 2
        for group in reversed(groups[-3:]):
            ref = group[0]
            ref_centre = ref.top + ref.height / 2
            small, big = sorted((ref.height or 1, ln.height or 1))
            if abs(centre - ref_centre) <= small * 0.5 and small / big >= 0.6:
                group.append(ln)
                break
        else:
            groups.append([ln])
    rows = []
    for group in groups:
        group.sort(key=lambda ln: ln.left)
        rows.append(
            Row(
                text=_join([ln.text for ln in group]),
                top=min(ln.top for ln in group),
                height=max(type_size(ln) for ln in group),
                left=group[0].left,
                boxes=len(group),
            )
        )
    rows.sort(key=lambda r: r.top)
    return rows


# --- the catalogue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutletEntry:
    name: str
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def keys(self) -> list[str]:
        found = []
        for text in (self.name, *self.aliases):
            k = norm(text).strip("《》")
            if len(k) >= 2 and k not in found:
                found.append(k)
        return found


# --- patterns ----------------------------------------------------------------------------------

CN_NUM = "〇○零一二三四五六七八九十"
DATE_PATTERNS = [
    re.compile(r"(?<!\d)((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})[日号]"),
    # 2011-08-05, also run into a time when OCR drops the space: 2011-08-0510:05
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{2}|\d)(?:(?!\d)|(?=\d{1,2}:\d{2}))"),
    # ... and with the second dash lost too: 2011-041410:14 (two-digit month and day, then a time)
    re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{2})(\d{2})(?=\d{1,2}:\d{2})"),
    re.compile(rf"([{CN_NUM}o]{{4}})年([{CN_NUM}]{{1,3}})月([{CN_NUM}]{{1,3}})日"),
]
WEEKDAY = re.compile(r"(?:星期|礼拜|周)([一二三四五六日天])")
PAGE_PATTERNS = [
    re.compile(rf"第([0-9]{{1,3}}|[{CN_NUM}]{{1,3}})版"),
    re.compile(r"(?<![0-9a-z])([a-h])0?([0-9]{1,2})版"),
    re.compile(r"(?<![0-9年月日:])0?([0-9]{1,2})版(?!权)"),
]
URL_PATTERN = re.compile(
    r"(?:https?://|www\.)[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
    r"|(?<![a-z0-9@.])[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:cn|com|net|org|gov|edu)(?:\.cn)?(?:/[a-z0-9\-._~/?#=&%]*)?"
)
TIME_KEYWORDS = ("发布", "时间", "日期", "来源", "出版", "刊发")
NAVIGATION = re.compile(r">|»|当前位置|您现在的位置|^首页")
BYLINE = re.compile(r"^(本报讯|本报记者|记者|通讯员|来源|作者|责任编辑|编辑|摄影|图/|文/|发布时间)")


@dataclass(frozen=True)
class DateHit:
    date: dt.date
    text: str
    row: int
    weekday_ok: bool | None
    keyword: bool


def find_dates(rows: Sequence[Row]) -> list[DateHit]:
    hits = []
    for i, row in enumerate(rows):
        text = row.norm
        weekday = WEEKDAY.search(text)
        for pattern in DATE_PATTERNS:
            for match in pattern.finditer(text):
                y, m, d = (cn_number_year(g) if j == 0 else cn_number(g) for j, g in enumerate(match.groups()))
                if y is None or m is None or d is None:
                    continue
                try:
                    day = dt.date(y, m, d)
                except ValueError:
                    continue
                ok = None if weekday is None else WEEKDAYS[weekday.group(1)] == day.weekday()
                keyword = any(k in text[: match.start()] for k in TIME_KEYWORDS)
                hits.append(DateHit(day, match.group(0), i, ok, keyword))
    return hits


def cn_number_year(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    digits = [CN_DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


@dataclass(frozen=True)
class PageHit:
    page: int
    text: str
    row: int


def find_pages(rows: Sequence[Row]) -> list[PageHit]:
    hits = []
    for i, row in enumerate(rows):
        text = row.norm
        seen = set()
        for pattern in PAGE_PATTERNS:
            for match in pattern.finditer(text):
                if any(s <= match.start() < e for s, e in seen):
                    continue
                number = cn_number(match.groups()[-1])
                if number:
                    seen.add(match.span())
                    hits.append(PageHit(number, match.group(0), i))
        if "头版" in text and not any(h.row == i for h in hits):
            hits.append(PageHit(1, "头版", i))
    return hits


def find_urls(rows: Sequence[Row]) -> list[str]:
    urls = []
    for row in rows:
        for match in URL_PATTERN.finditer(row.norm):
            url = match.group(0).rstrip(".,;:)")
            if "." in url and url not in urls:
                urls.append(url)
    # An address with a scheme or www. first: a bare domain is often a footer or a mention.
    return sorted(urls, key=lambda u: 0 if u.startswith(("http", "www.")) else 1)


def host_of(url: str) -> str:
    url = url.lower()
    url = re.sub(r"^https?://", "", url)
    return url.split("/", 1)[0].split(":", 1)[0].rstrip(".")


# --- the fields --------------------------------------------------------------------------------


@dataclass
class Fields:
    outlet: str = ""  # the catalogue name
    outlet_text: str = ""  # the words that matched
    outlet_how: str = ""  # masthead / domain / text
    title: str = ""
    title_by_size: bool = False
    date: str = ""  # ISO
    date_text: str = ""
    weekday_ok: bool | None = None
    page: int | None = None
    page_text: str = ""
    placement: str = ""  # headline / front / other / "" (no suggestion)
    characters: int = 0
    url: str = ""
    outlets_found: list[str] = field(default_factory=list)
    dates_found: list[str] = field(default_factory=list)
    pages_found: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> Fields:
        data = data or {}
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def date_value(self) -> dt.date | None:
        return dt.date.fromisoformat(self.date) if self.date else None


def _outlet_hits(rows: Sequence[Row], outlets: Sequence[OutletEntry]):
    """(rank, entry, text) for every outlet named in the rows; lower rank is stronger."""
    hits = []
    big = max((r.height for r in rows), default=0)
    for entry in outlets:
        for k in entry.keys():
            for i, row in enumerate(rows):
                text = row.norm
                if k in text:
                    masthead = len(text) <= len(k) + 12 and i < 6
                    tallest = big > 0 and row.height >= big * 0.9
                    rank = (0 if masthead else 2, 0 if tallest else 1, i, -len(k))
                    hits.append((rank, entry, k, i))
                elif i < 5 and len(k) >= 3 and len(text) <= len(k) + 3:
                    # OCR misreads a character of a stylised masthead now and then.
                    if difflib.SequenceMatcher(None, k, text, autojunk=False).ratio() >= 0.75:
                        hits.append(((1, 0, i, -len(k)), entry, text, i))
    hits.sort(key=lambda h: h[0])
    return hits


def _domain_outlet(urls: Sequence[str], outlets: Sequence[OutletEntry]) -> tuple[OutletEntry | None, str]:
    for url in urls:
        host = host_of(url)
        best, best_len = None, 0
        for entry in outlets:
            for domain in entry.domains:
                domain = domain.lower().strip()
                if domain and (host == domain or host.endswith("." + domain)) and len(domain) > best_len:
                    best, best_len = entry, len(domain)
        if best:
            return best, url
    return None, ""


def _title_candidate(row: Row) -> bool:
    text = row.norm
    letters = sum(1 for ch in text if is_cjk(ch) or ch.isalnum())
    if letters < 4 or BYLINE.match(text) or NAVIGATION.search(text):
        return False
    if text.endswith(("。", ".", ",", ",", ";", ";", ":")):
        return False
    return sum(1 for ch in text if ch.isdigit()) <= letters * 0.4


def extract(lines: Iterable[Line], outlets: Sequence[OutletEntry] = ()) -> Fields:
    rows = group_rows(lines)
    fields = Fields()
    if not rows:
        return fields
    special: set[int] = set()

    # Outlet: a masthead at the top, else the web address's domain, else a mention in the text.
    urls = find_urls(rows)
    fields.url = urls[0] if urls else ""
    hits = _outlet_hits(rows, outlets)
    domain_entry, domain_url = _domain_outlet(urls, outlets)
    for rank, entry, _text, i in hits:
        if rank[0] <= 1:
            special.add(i)
        if entry.name not in fields.outlets_found:
            fields.outlets_found.append(entry.name)
    if domain_entry and domain_entry.name not in fields.outlets_found:
        fields.outlets_found.append(domain_entry.name)
    if hits and hits[0][0][0] <= 1:
        fields.outlet, fields.outlet_text, fields.outlet_how = hits[0][1].name, hits[0][2], "masthead"
    elif domain_entry:
        fields.outlet, fields.outlet_text, fields.outlet_how = domain_entry.name, host_of(domain_url), "domain"
    elif hits:
        fields.outlet, fields.outlet_text, fields.outlet_how = hits[0][1].name, hits[0][2], "text"

    # Date: the one on a 星期 line (weekday agreeing), a page-label line, after 发布时间, near the top.
    pages = find_pages(rows)
    page_rows = {p.row for p in pages}
    dates = find_dates(rows)
    for hit in dates:
        if hit.date.isoformat() not in fields.dates_found:
            fields.dates_found.append(hit.date.isoformat())
    if dates:
        best = min(
            dates,
            key=lambda h: (
                h.weekday_ok is not True,
                not (h.row in page_rows or h.keyword),
                h.row >= 6,
                h.weekday_ok is False,
                h.row,
            ),
        )
        fields.date, fields.date_text, fields.weekday_ok = best.date.isoformat(), best.text, best.weekday_ok
        for hit in dates:
            if hit.row < 8 and (len(rows[hit.row].norm) <= len(hit.text) + 24):
                special.add(hit.row)
    if pages:
        # The page label of the date line (the paper's running head) outranks one quoted in the text.
        dated_rows = {h.row for h in dates}
        best_page = min(pages, key=lambda p: (p.row not in dated_rows, p.row))
        fields.page, fields.page_text = best_page.page, best_page.text
        fields.pages_found = sorted({p.page for p in pages})
        for p in pages:
            if len(rows[p.row].norm) <= len(p.text) + 24:
                special.add(p.row)
    for i, row in enumerate(rows):
        if URL_PATTERN.search(row.norm) and len(row.norm) <= 80:
            special.add(i)

    # Headline: the biggest text that is not the masthead, a date/page line or a byline; its
    # neighbours of the same size continue it (a two-line headline).
    candidates = [i for i, row in enumerate(rows) if i not in special and _title_candidate(row)]
    # A wrapped headline's last row may be short (两个字), so continuation rows need less.
    wraps = {
        i
        for i, row in enumerate(rows)
        if i not in special and row.norm and not row.norm.endswith("。") and not BYLINE.match(row.norm)
    }
    heights = [rows[i].height for i in candidates if rows[i].height]
    title_rows: list[int] = []
    if heights:
        body = statistics.median(r.height for i, r in enumerate(rows) if i not in special and r.height) or 1
        top_i = max(candidates, key=lambda i: (rows[i].height, -i))
        if rows[top_i].height >= body * 1.15:
            fields.title_by_size = True
            title_rows = [top_i]
            h = rows[top_i].height

            def continues(a: int, b: int) -> bool:  # row b directly below row a, same size
                return (
                    a in wraps
                    and b in wraps
                    # OCR boxes around a short word are taller than around a long line; body text
                    # under a modest headline is only ~20 % smaller, so the lower bound stays tight.
                    and 0.9 * h <= rows[a].height <= 1.35 * h
                    and 0.9 * h <= rows[b].height <= 1.35 * h
                    and 0 < rows[b].top - rows[a].top <= h * 2.0
                )

            while title_rows[0] > 0 and continues(title_rows[0] - 1, title_rows[0]):
                title_rows.insert(0, title_rows[0] - 1)
            while title_rows[-1] + 1 < len(rows) and continues(title_rows[-1], title_rows[-1] + 1):
                title_rows.append(title_rows[-1] + 1)
    if not title_rows:
        for i in candidates:
            if len(rows[i].norm) <= 40:
                title_rows = [i]
                break
    fields.title = _join([rows[i].text for i in title_rows])
    special.update(title_rows)

    # Placement: 第1版 → 头版; 头条 when the headline leads the page (no bigger story above it).
    lead = False
    if title_rows and fields.title_by_size:
        # The lead story's headline comes first under the masthead and date line: no text above it.
        lead = all(i in special for i in range(title_rows[0]))
    headline_said = any("头版头条" in rows[i].norm or rows[i].norm.startswith("头条") for i in range(len(rows)))
    if fields.page == 1:
        fields.placement = "headline" if (lead or headline_said) else "front"
    elif fields.page:
        fields.placement = "other"

    # Characters: the body rows (body-sized text), punctuation included, as 字数 is usually counted.
    body_rows = [r for i, r in enumerate(rows) if i not in special]
    body_heights = [r.height for r in body_rows if r.height]
    if body_heights:
        median = statistics.median(body_heights)
        body_rows = [r for r in body_rows if not r.height or 0.7 * median <= r.height <= 1.3 * median]
    fields.characters = sum(len(r.norm) for r in body_rows if not BYLINE.match(r.norm) or len(r.norm) > 20)
    return fields


def extract_text(text: str, outlets: Sequence[OutletEntry] = ()) -> Fields:
    """``extract`` for plain text (one line per row, no geometry): text fixtures, pasted text."""
    return extract([Line(text=line) for line in text.splitlines()], outlets)

"""Reading one cell the way a clerk typed it: dates, counts, links, author lists and names.

Pure functions, no models. Each returns the value or raises ``CellError`` with a Chinese sentence;
the import adds the sheet, row and column. Words a bureau edits (kinds, placements, header names)
are not here: they are rows of ``publicity.WordAlias`` / ``HeaderAlias`` passed in by the import.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class CellError(ValueError):
    """A cell that cannot be read as the column requires; the message is Chinese."""


def display(value: Any) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str:
    """A cell as text. An apostrophe that a writer put before =,+,-,@ to keep a cell inert is dropped."""
    s = display(value)
    if s.startswith("'") and s[1:].startswith(FORMULA_TRIGGERS):
        s = s[1:]
    return s


def nfkc(value: Any) -> str:
    """Full-width letters, digits, brackets and spaces as their ordinary forms (Ｃ１ → C1, （ → ()."""
    return unicodedata.normalize("NFKC", text(value))


# ---------------------------------------------------------------- names

_NAME_MARKS = str.maketrans("", "", "《》〈〉<>\"'“”‘’「」『』")


def name_key(value: Any) -> str:
    """How names are matched: NFKC, without spaces and 《》 marks, Latin letters case-insensitive."""
    try:
        return _name_key(value)
    except TypeError:  # unhashable: not a cell value, but be safe
        return "".join(nfkc(value).split()).translate(_NAME_MARKS).lower()


# A table names the same units, outlets, kinds and dates thousands of times: remember the answers.
@lru_cache(maxsize=65536)
def _name_key(value: Any) -> str:
    return "".join(nfkc(value).split()).translate(_NAME_MARKS).lower()


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def suggest(value: Any, names: list[str], *, limit: int = 3) -> list[str]:
    """The registered names closest to ``value``: an abbreviation whose characters appear in order
    in the other (旬阳县人社局 ⊂ 旬阳县人力资源和社会保障局) first, then by edit similarity."""
    from rapidfuzz import fuzz

    key = name_key(value)
    if not key:
        return []
    scored = []
    for name in names:
        other = name_key(name)
        if not other or other == key:
            continue
        score = fuzz.ratio(key, other)
        short, long = sorted((key, other), key=len)
        if len(short) >= 2 and _is_subsequence(short, long) and short[0] == long[0]:
            score = max(score, 80 + 20 * len(short) / len(long))
        if score >= 60:
            scored.append((score, name))
    scored.sort(key=lambda s: -s[0])
    out: list[str] = []
    for _, name in scored:
        if name not in out:
            out.append(name)
        if len(out) == limit:
            break
    return out


# ---------------------------------------------------------------- numbers

_COUNT = re.compile(r"^(?:约|大约|共|计)?\s*(\d[\d,]*)(?:\.0+)?\s*(?:个)?(?:字|千字)?\s*(?:左右|余|多)?$")


def whole_number(value: Any) -> int | None:
    """A whole number ≥ 0; ``None`` for a blank cell. Text such as 1200字, 约800, 3000字左右 and 1,200 is read."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("不是整数")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        s = nfkc(value).strip().rstrip("。.")
        m = _COUNT.match(s)
        if m and "千字" in s:
            return int(m[1].replace(",", "")) * 1000
        if m:
            s = m[1]
        try:
            number = Decimal(s.replace(",", ""))
        except InvalidOperation as exc:
            raise CellError("不是整数") from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError("不是整数")
    if number < 0:
        raise CellError("不能小于0")
    return int(number)


# ---------------------------------------------------------------- dates

EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers of 1990-01-01 … 2100-12-31: a number outside this range in a date column is no date.
SERIAL_MIN, SERIAL_MAX = 32874, 73415
_FULL_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})(?:日|号)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[月.\-/](\d{1,2})(?:日|号)?$")
_SHORT_YEAR = re.compile(r"^(\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})(?:日|号)?$")
DATE_HELP = "可用Excel日期,或写作2011-03-05、2011/3/5、2011.3.5、2011年3月5日、20110305、3月5日"


def _make(y: int, m: int, d: int) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError as exc:
        raise CellError("不是有效日期") from exc


def from_serial(number: float) -> dt.date:
    if not SERIAL_MIN <= number <= SERIAL_MAX or number != int(number):
        raise CellError(f"不是有效日期({DATE_HELP})")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def date_cell(value: Any, *, year: int | None = None) -> dt.date | None:
    try:
        return _date_cell(value, year)
    except TypeError:
        return _date_cell.__wrapped__(value, year)


@lru_cache(maxsize=65536)
def _date_cell(value: Any, year: int | None) -> dt.date | None:
    """Excel date cells and the ways dates are typed; ``None`` for a blank cell.

    ``year`` is the import's year, used for a date written without one (3月5日). A two-digit year is
    refused: 11-3-5 could be 2011 or 1911 and a reward depends on it."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_serial(value)  # a date typed into a General-format cell reads as its serial
    s = "".join(nfkc(value).split())
    s = s.replace("—", "-").replace("–", "-").replace("－", "-").rstrip(".。")
    # "2011-03-05 00:00:00" is how a datetime cell reads once a sheet has been saved as text.
    s = re.sub(r"(?:T)?00:00(:00)?$", "", s)
    if m := _FULL_DATE.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _COMPACT.match(s):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if re.fullmatch(r"\d{5}(?:\.0+)?", s):
        return from_serial(float(s))
    if _SHORT_YEAR.match(s):
        raise CellError("年份只写了两位,无法确定是哪一年,请写四位年份(如2011-03-05)")
    if m := _MONTH_DAY.match(s):
        if year is None:
            raise CellError("没有年份,请写明年份(如2011年3月5日)")
        return _make(year, int(m[1]), int(m[2]))
    raise CellError(f"不是有效日期({DATE_HELP})")


# ---------------------------------------------------------------- links

_HOST_START = re.compile(r"^(?:www\.|[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/:?#]|$))", re.I)


def url_cell(value: Any) -> str:
    """A link; one typed without a scheme (www.…, akxw.cn/…) gets http://."""
    s = text(value).strip()
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s).strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", s, re.I) and _HOST_START.match(s):
        s = "http://" + s
    return s


# ---------------------------------------------------------------- authors

#: Role words that are not names: dropped from author lists (本报记者 张敏 → 张敏).
ROLE_WORDS = ("本报记者", "特约记者", "通讯员", "实习生", "记者", "摄影", "摄", "文图", "文", "图", "编辑", "作者")
# Only multi-character roles are cut off the front of a name (记者张敏): a name may start with 文 or 图.
_ROLE_PREFIX = re.compile(r"^(?:本报记者|特约记者|通讯员|实习生|记者|摄影)(?=..)")
_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_SEPARATORS = re.compile(r"[、,;/|]+")


def split_authors(value: Any) -> tuple[list[str], bool]:
    names, changed = _split_authors(text(value))
    return list(names), changed


@lru_cache(maxsize=65536)
def _split_authors(value: str) -> tuple[tuple[str, ...], bool]:
    """The people named in an author cell, and whether that differs from a plain split.

    Splits on 、,;/| and spaces; drops role words (通讯员, 本报记者, 摄影, 文/图 …), bracketed roles
    (张敏(摄影) is 张敏) and a trailing 等; a two-character name padded with spaces (王　伟) is one
    person. The caller lists every changed cell so a clerk can check it."""
    raw = nfkc(value)
    s = raw.replace("文/图", " ").replace("图/文", " ")
    s = _BRACKETED.sub(" ", s)
    s = re.sub(r"[:：]", " ", s)
    names: list[str] = []
    for part in _SEPARATORS.split(s):
        words = part.split()
        # 王  伟 / 王　伟: single characters separated by spaces are one name, not two people.
        if len(words) > 1 and all(len(w) == 1 for w in words):
            words = ["".join(words)]
        for w in words:
            w = _ROLE_PREFIX.sub("", w)
            if w.endswith("等") and len(w) > 2:
                w = w[:-1]
            if w in ROLE_WORDS or not w or w == "等":
                continue
            if w not in names:
                names.append(w)
    # Splitting on a separator is no change; dropping or joining words is, and the clerk should see it.
    plain = [p for p in re.split(r"[、,;/|\s]+", raw) if p]
    return tuple(names), names != list(dict.fromkeys(plain))

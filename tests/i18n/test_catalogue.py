"""The English catalogue stays complete: every msgid translated, nothing fuzzy, and compiled."""

import os
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from tests.conftest import skip_or_fail

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def entries(po: Path = PO) -> list[dict]:
    """The .po entries (header excluded) as {msgid, msgstr, flags}, multi-line strings joined."""
    out = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        current, fields, flags = None, {}, []
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#~"):
                fields["obsolete"] = True
            m = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) "(.*)"$', line)
            if m:
                current = m.group(1)
                fields[current] = m.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            out.append({**fields, "flags": flags})
    return out


def test_catalogue_is_complete_and_not_fuzzy():
    found = entries()
    assert len(found) > 500, "the catalogue lost its strings"
    untranslated = [e["msgid"] for e in found if not any(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in found if "fuzzy" in e["flags"]]
    obsolete = [e["msgid"] for e in found if e.get("obsolete")]
    assert untranslated == [], f"msgids without an English msgstr (run `make messages` and translate): {untranslated}"
    assert fuzzy == [], f"fuzzy entries (check the translation, then remove the flag): {fuzzy}"
    assert obsolete == []
    header = PO.read_text(encoding="utf-8").split("\n\n")[0]
    assert "fuzzy" not in header and '"Language: en\\n"' in header


def test_translations_keep_placeholders():
    """A msgstr that drops or renames a %(name)s placeholder would raise KeyError at run time."""
    bad = []
    for e in entries():
        names = sorted(re.findall(r"%\((\w+)\)[sd]", e["msgid"]))
        if sorted(re.findall(r"%\((\w+)\)[sd]", e.get("msgstr", ""))) != names and e.get("msgstr"):
            bad.append(e["msgid"])
    assert bad == []


def test_compiled_catalogue_is_up_to_date():
    """The committed django.mo (fresh machines have no gettext tools) holds every translation of the .po."""
    import gettext

    assert MO.exists(), "run `make messages` and commit locale/en/LC_MESSAGES/django.mo"
    with MO.open("rb") as fh:
        catalogue = gettext.GNUTranslations(fh)
    stale = [
        e["msgid"]
        for e in entries()
        if "msgid_plural" not in e
        and "msgctxt" not in e
        and catalogue.gettext(unescape(e["msgid"])) != unescape(e["msgstr"])
    ]
    assert stale == [], f"django.mo is older than django.po (run `make messages`): {stale[:5]}"


def unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def test_translations_add_no_markup():
    """{% translate %} does not escape its msgstr: a translation must not bring in &, < or >."""
    bad = [e["msgid"] for e in entries() if any(c in e.get("msgstr", "") and c not in e["msgid"] for c in "&<>")]
    assert bad == []


SKIP_DIRS = {
    ".git",
    ".venv",
    "tests",
    "bench",
    "test-artifacts",
    "staticfiles",
    "media",
    "locale",
    "static",
    "__pycache__",
}


def test_every_wrapped_string_is_in_the_catalogue(tmp_path, settings):
    """Collect the strings the code and templates mark for translation into a scratch catalogue (the
    same makemessages as `make messages`, run on a copy of the sources so the real catalogue is not
    touched) and compare: a string wrapped but never catalogued would show in Chinese on English pages."""
    if not shutil.which("xgettext"):
        skip_or_fail("gettext is not installed (apt-get install gettext)")
    src = tmp_path / "src"

    def ignore(folder, names):
        return [n for n in names if n in SKIP_DIRS or n.endswith(".egg-info") or n.endswith((".sqlite3", ".pyc"))]

    shutil.copytree(settings.BASE_DIR, src, ignore=ignore)
    (src / "locale").mkdir()
    settings.LOCALE_PATHS = [src / "locale"]
    here = os.getcwd()
    os.chdir(src)
    try:
        call_command("makemessages", locale=["en"], no_wrap=True, verbosity=0)
    finally:
        os.chdir(here)
    fresh = {(e.get("msgctxt"), e["msgid"]) for e in entries(src / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {(e.get("msgctxt"), e["msgid"]) for e in entries()}
    assert len(fresh) > 500
    missing = sorted(m for _, m in fresh - committed)
    assert missing == [], f"strings not in locale/en (run `make messages` and translate them): {missing}"

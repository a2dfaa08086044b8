"""Issue 11 item 12: malformed input is a clear answer, never a 500: an impossible ?as_of= day, an unknown
filter on an admin export, a tampered format or temp-file name in the admin import's confirm step."""

import pytest

pytestmark = pytest.mark.django_db

URLS = [
    "/admin/publicity/piece/export/?year=abc",
    "/admin/publicity/piece/export/?year__id__exact=abc",
    "/admin/publicity/unittarget/export/?indicator__year__id__exact=abc",
    "/admin/publicity/unittarget/export/?year=abc",
    "/admin/publicity/outlet/export/?year=abc",
    "/admin/units/unit/export/?year=abc",
    "/p/unit/?as_of=2011-02-30",
    "/p/unit/?as_of=abc",
    "/p/dashboard/?year=abc",
    "/p/review/?month=13&page=abc&unit=99999999999999999999",
    "/s/units/1/?as_of=2011-02-30",
]


@pytest.mark.parametrize("url", URLS)
def test_no_500(client, users, units, url):
    client.raise_request_exception = False
    for who in ("bureau_admin", "liaison_a"):
        client.force_login(users[who])
        r = client.get(url)
        assert r.status_code < 500, (who, url, r.status_code)


POSTS = [
    (
        "/admin/publicity/piece/process_import/",
        {
            "import_file_name": "../../etc/passwd",
            "original_file_name": "x.xlsx",
            "format": "0",
            "resource": "0",
            "year": "2011",
        },
    ),
    (
        "/admin/publicity/piece/process_import/",
        {"import_file_name": "abc", "original_file_name": "x.xlsx", "format": "99", "resource": "0", "year": "2011"},
    ),
    (
        "/admin/publicity/piece/process_import/",
        {"import_file_name": "abc", "original_file_name": "x.xlsx", "format": "x", "resource": "0", "year": "2011"},
    ),
    (
        "/admin/units/unit/process_import/",
        {"import_file_name": "/etc/passwd", "original_file_name": "x.xlsx", "format": "0", "resource": "0"},
    ),
    ("/admin/publicity/piece/import/", {"format": "99", "resource": "0", "year": "2011"}),
    ("/admin/publicity/piece/export/", {"format": "99", "resource": "0"}),
    ("/admin/publicity/piece/export/", {"format": "x", "resource": "0"}),
]


@pytest.mark.parametrize("url,data", POSTS)
def test_no_500_post(client, users, units, url, data):
    client.raise_request_exception = False
    client.force_login(users["bureau_admin"])
    r = client.post(url, data)
    assert r.status_code < 500, (url, r.status_code, r.content[:300])

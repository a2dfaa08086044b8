"""Benchmark: export a synthetic year of 100,000 publications, next to a bare openpyxl write-only baseline.

    .venv/bin/python bench/export_year.py                  # 100,000 publications (≈ 2–4 minutes on 2 cores)
    .venv/bin/python bench/export_year.py --publications 10000

1. Builds a throwaway SQLite database (``--db``, default /tmp/bench.sqlite3): migrate, the 2011 preset,
   200 units, approved pieces with authors, topics and publications (bulk_create; one piece in three is
   published twice, 一稿多投), so the year has exactly ``--publications`` publications.
2. In a fresh subprocess: ``write_year_workbook`` (scoring + five styled sheets) → time, peak memory, queries.
3. Reads the rows back (python-calamine) and, in another fresh subprocess, writes the very same rows with
   a bare ``Workbook(write_only=True)`` (no styles, no title rows) → time and peak memory.
4. Prints both and the ratios.

Peak memory is the peak resident set (VmHWM) of each subprocess, also shown as growth over the
resident size just before the work starts (interpreter and Django already loaded), so both sides are
measured the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 5000


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def rss_kb() -> int:
    return _status_kb("VmRSS:")


def peak_kb() -> int:
    """Peak resident set of this process (VmHWM). Not ``ru_maxrss``: Linux carries that over from the
    parent across fork and exec, so a child would report the (large) builder's peak as its own."""
    return _status_kb("VmHWM:") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds() -> float:
    """CPU time of this process: unlike wall time, not inflated when other work shares the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def setup_django(db: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ----------------------------------------------------------------------------- building the year


def build(db: str, publications: int, seed: int = 2011) -> dict:
    if os.path.exists(db):
        os.remove(db)
    setup_django(db)
    from django.core.management import call_command
    from django.db import connection, transaction

    from publicity.models import Outlet, Piece, PieceAuthor, PieceKind, PieceStatus, Placement, Publication, Topic
    from units.models import Unit, UnitKind

    call_command("migrate", verbosity=0)
    call_command("loaddata", "ankang_2011", verbosity=0)
    with connection.cursor() as cursor:  # a throwaway database: no journal, no fsync
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
    from publicity.models import AssessmentYear

    year = AssessmentYear.objects.get(year=2011)
    rng = random.Random(seed)
    kinds = {k.code: k for k in UnitKind.objects.all()}
    units = []
    for n in range(200):
        code = "county" if n < 100 else "dept" if n < 150 else "affiliated"
        units.append(Unit(name=f"基准{kinds[code].name}{n:03d}", kind=kinds[code], order=n))
    units = Unit.objects.bulk_create(units)
    outlets = list(Outlet.objects.all())
    topics = list(Topic.objects.all())
    names = [
        a + b for a in "张王李赵刘陈杨黄周吴" for b in ["伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇", "军"]
    ]
    words = ["就业", "社保", "人才", "技能培训", "劳动维权", "创业担保贷款", "养老保险", "医疗保险", "农民工", "双创"]

    # Pieces with two publications: every third piece, so pieces = ⌈publications / (4/3)⌉ roughly.
    pieces_n = (publications * 3 + 3) // 4
    doubles = publications - pieces_n
    started = time.perf_counter()
    with transaction.atomic():
        pieces = []
        for n in range(pieces_n):
            unit = units[n % len(units)]
            kind = PieceKind.RESEARCH if n % 25 == 0 else PieceKind.FEATURE if n % 17 == 0 else PieceKind.NEWS
            pieces.append(
                Piece(
                    year=year,
                    unit=unit,
                    title=f"{unit.name}{rng.choice(words)}工作动态第{n}篇:推进{rng.choice(words)}提质增效",
                    kind=kind,
                    characters=rng.randrange(300, 3000),
                    status=PieceStatus.APPROVED,
                )
            )
        pieces = Piece.objects.bulk_create(pieces, batch_size=CHUNK)
        authors, pubs, links = [], [], []
        through = Piece.topics.through
        for n, piece in enumerate(pieces):
            for pos, name in enumerate(rng.sample(names, rng.choice((1, 1, 2, 3))), 1):
                authors.append(PieceAuthor(piece_id=piece.pk, position=pos, name=name))
            chosen = rng.sample(outlets, 2 if n < doubles else 1)
            for k, outlet in enumerate(chosen):
                day = dt.date(2011, 1, 1) + dt.timedelta(days=rng.randrange(365))
                placement = Placement.HEADLINE if rng.random() < 0.03 else Placement.OTHER
                url = f"https://example.org/2011/{piece.pk}-{k}.html" if rng.random() < 0.5 else ""
                pubs.append(Publication(piece_id=piece.pk, outlet=outlet, date=day, placement=placement, url=url))
            if n % 7 == 0:
                links.append(through(piece_id=piece.pk, topic_id=rng.choice(topics).pk))
        PieceAuthor.objects.bulk_create(authors, batch_size=CHUNK)
        Publication.objects.bulk_create(pubs, batch_size=CHUNK)
        through.objects.bulk_create(links, batch_size=CHUNK)
    return {
        "units": len(units),
        "pieces": len(pieces),
        "publications": len(pubs),
        "authors": len(authors),
        "seconds": round(time.perf_counter() - started, 1),
    }


# ----------------------------------------------------------------------------- the two children


def child_export(db: str, out: str) -> dict:
    setup_django(db)
    from django.db import connection

    from publicity.models import AssessmentYear
    from reports.workbook import write_year_workbook

    year = AssessmentYear.objects.get(year=2011)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before, cpu = rss_kb(), cpu_seconds()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        write_year_workbook(year, out, today=dt.date(2011, 12, 31))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "peak_kb": peak_kb(),
        "before_kb": before,
        "queries": queries,
    }


def child_baseline(rows_path: str, out: str) -> dict:
    from openpyxl import Workbook

    before, cpu = rss_kb(), cpu_seconds()
    started = time.perf_counter()
    wb = Workbook(write_only=True)
    with open(rows_path, "rb") as fh:
        while True:
            try:
                item = pickle.load(fh)
            except EOFError:
                break
            if isinstance(item, str):
                ws = wb.create_sheet(item)
                continue
            for row in item:
                ws.append(row)
    wb.save(out)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu, "peak_kb": peak_kb(), "before_kb": before}


def dump_rows(xlsx: str, rows_path: str) -> int:
    """Every sheet's data rows (under the header) of the exported workbook, streamed to a pickle file."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(xlsx)
    total = 0
    with open(rows_path, "wb") as fh:
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            header = next(i for i, r in enumerate(rows) if i >= 2 and any(v not in ("", None) for v in r))
            body = rows[header + 1 :]
            pickle.dump(name, fh)
            for start in range(0, len(body), CHUNK):
                pickle.dump(body[start : start + CHUNK], fh)
            total += len(body)
    return total


def run_child(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False, cwd=str(ROOT)
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"child {args[0]} failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/bench.sqlite3")
    parser.add_argument("--out", default="/tmp/bench_year.xlsx")
    parser.add_argument("--child", choices=["export", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", default="/tmp/bench_rows.pickle", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "export":
        print(json.dumps(child_export(args.db, args.out)))
        return
    if args.child == "baseline":
        print(json.dumps(child_baseline(args.rows, args.out)))
        return

    total_started = time.perf_counter()
    print(f"building a synthetic year of {args.publications:,} publications in {args.db} …", flush=True)
    built = build(args.db, args.publications)
    print(
        f"  {built['units']} units, {built['pieces']:,} pieces, {built['publications']:,} publications, "
        f"{built['authors']:,} author rows in {built['seconds']} s",
        flush=True,
    )
    export = run_child("--child", "export", "--db", args.db, "--out", args.out)
    rows = dump_rows(args.out, args.rows)
    baseline_out = args.out.replace(".xlsx", "_baseline.xlsx")
    baseline = run_child("--child", "baseline", "--rows", args.rows, "--out", baseline_out)
    os.remove(args.rows)

    def mb(kb: int) -> float:
        return kb / 1024

    e_growth = export["peak_kb"] - export["before_kb"]
    b_growth = baseline["peak_kb"] - baseline["before_kb"]
    size = os.path.getsize(args.out) / 1024 / 1024
    print()
    print(f"rows written (all five sheets, under the headers): {rows:,}; workbook {size:.1f} MB")
    print(f"{'':34}{'wall':>9}{'CPU':>9}{'peak RSS':>11}{'growth':>10}")
    for label, r, growth in (
        ("export_year (scoring + 5 sheets)", export, e_growth),
        ("bare openpyxl write-only", baseline, b_growth),
    ):
        print(f"{label:34}{r['seconds']:>8.1f}s{r['cpu']:>8.1f}s{mb(r['peak_kb']):>8.0f} MB{mb(growth):>7.0f} MB")
    print(
        f"{'ratio export / baseline':34}{export['seconds'] / baseline['seconds']:>8.2f}x"
        f"{export['cpu'] / baseline['cpu']:>8.2f}x{export['peak_kb'] / baseline['peak_kb']:>9.2f}x"
        f"{e_growth / max(b_growth, 1):>9.2f}x"
    )
    print(f"export queries: {export['queries']} (fixed, whatever the size)")
    print(f"\ntotal benchmark time {time.perf_counter() - total_started:.0f} s")


if __name__ == "__main__":
    main()

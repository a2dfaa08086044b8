"""Benchmark: import the statistics table (刊发新闻稿件统计表) on PostgreSQL, next to the baselines of the same run.

    .venv/bin/python bench/import_pieces.py                           # 2,000 and 20,000 rows, province 300,000
    .venv/bin/python bench/import_pieces.py --rows 2000 --province 50000
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/import_pieces.py

It (re)creates a throwaway PostgreSQL database (BENCH_PG_URL, default …/bench_import_pieces), migrates it,
loads the 2011 preset and 200 units, writes an .xlsx of N rows (one row per publication, one piece in three
published twice, authors and topics as offices type them) and measures, each in a fresh subprocess:

- calamine: a bare python-calamine read of the file (every cell of every row) — the least any import does;
- dry-run: ``manage.py import_pieces --dry-run`` (read, check every rule in memory, write nothing);
- import: the real import into an empty year (read, check, write pieces, publications, authors, topics and
  their audit events in one transaction); also how long the year row lock was held (the final write only);
- import-export: django-import-export's default row-by-row import of the same rows (a ``ModelResource`` of
  pieces, ``ForeignKeyWidget`` for the unit, tablib reading the xlsx) — the usual way to import a table in
  Django, and what it costs when done row by row. It writes only the pieces, not publications or authors,
  so it is a generous baseline;
- province: a 2,000-row import into a year already holding ``--province`` pieces of other units' (a
  province's year), with its peak memory.

Figures are seconds; ratios are against the calamine read and the import-export import of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_import_pieces"
UNITS = 200


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def recreate_database(url: str) -> None:
    import psycopg2

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


NAMES = [a + b for a in "张王李赵刘陈杨黄周吴" for b in ["伟", "芳", "敏", "静", "强", "磊", "洋", "艳", "勇", "军"]]
WORDS = ["就业", "社保", "人才", "技能培训", "劳动维权", "创业担保贷款", "养老保险", "医疗保险", "农民工", "双创"]


def build(url: str) -> None:
    recreate_database(url)
    setup_django(url)
    from django.core.management import call_command

    from units.models import Unit, UnitKind

    call_command("migrate", verbosity=0)
    call_command("loaddata", "ankang_2011", verbosity=0)
    kinds = {k.code: k for k in UnitKind.objects.all()}
    Unit.objects.bulk_create(
        Unit(name=f"基准单位{n:03d}", kind=kinds["county" if n < 100 else "dept" if n < 150 else "affiliated"], order=n)
        for n in range(UNITS)
    )


def write_table(path: str, rows: int, *, seed: int, units: range = range(UNITS), prefix: str = "") -> None:
    """``rows`` publications as offices type them: one piece in three published in a second outlet."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    outlets = ["安康日报", "陕西日报", "人民网", "局网站", "安康电视台", "华商报", "新华网", "安康市政府网站"]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("刊发新闻稿件统计表")
    ws.append(["单位", "标题", "作者", "稿件类型", "专题", "字数", "媒体", "刊发日期", "版面", "链接"])
    n = written = 0
    while written < rows:
        n += 1
        unit = f"基准单位{rng.choice(units):03d}"
        title = f"{prefix}{rng.choice(WORDS)}工作新进展第{n}篇"
        authors = "、".join(rng.sample(NAMES, rng.choice((1, 1, 2, 3))))
        kind = rng.choice(["新闻稿件", "新闻稿件", "信息", "调研文章"])
        pubs = rng.sample(outlets, 2 if n % 3 == 0 else 1)
        for i, outlet in enumerate(pubs):
            if written == rows:
                break
            day = f"2011-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            first = i == 0
            ws.append(
                [
                    unit,
                    title,
                    authors if first else "",
                    kind if first else "",
                    rng.choice(["", "", "就业创业", "双创"]) if first else "",
                    rng.randint(300, 3000) if first else "",
                    outlet,
                    day,
                    rng.choice(["", "", "头版", "其他版面"]),
                    f"http://example.cn/{prefix}{n}/{i}.html" if rng.random() < 0.5 else "",
                ]
            )
            written += 1
    wb.save(path)


def clear_pieces() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE publicity_piece, publicity_publication, publicity_pieceauthor, publicity_piece_topics, "
            "audit_auditevent RESTART IDENTITY CASCADE"
        )


# ----------------------------------------------------------------------------- children


def child(url: str, mode: str, path: str) -> dict:
    setup_django(url)
    from django.db import connection

    out: dict = {}
    if mode == "calamine":
        from python_calamine import CalamineWorkbook

        started = time.perf_counter()
        book = CalamineWorkbook.from_path(path)
        cells = sum(len(r) for name in book.sheet_names for r in book.get_sheet_by_name(name).to_python())
        out["cells"] = cells
    elif mode in ("dry-run", "import", "province"):
        import publicity.imports as imports
        import publicity.services as services
        from publicity.models import AssessmentYear

        lock = {"seconds": 0.0}
        real = services.pieces_bulk_write

        def timed(**kwargs):  # the year row is locked inside this call only
            t = time.perf_counter()
            try:
                return real(**kwargs)
            finally:
                lock["seconds"] = time.perf_counter() - t

        imports.pieces_bulk_write = timed
        queries = []
        with connection.execute_wrapper(lambda ex, sql, p, many, ctx: (queries.append(1), ex(sql, p, many, ctx))[1]):
            from sheets.tabular import read_path

            started = time.perf_counter()
            report = imports.import_pieces(
                read_path(path), year=AssessmentYear.objects.get(year=2011), dry_run=mode == "dry-run"
            )
        assert report.ok, [str(e) for e in report.errors[:5]]
        out |= {"lock": lock["seconds"], "queries": len(queries), "changes": len(report.changes)}
    elif mode == "import-export":
        import tablib
        from django.db import transaction
        from import_export import fields, resources, widgets

        from publicity.models import AssessmentYear, Piece
        from units.models import Unit

        year = AssessmentYear.objects.get(year=2011)

        class PieceResource(resources.ModelResource):
            unit = fields.Field(attribute="unit", column_name="单位", widget=widgets.ForeignKeyWidget(Unit, "name"))
            title = fields.Field(attribute="title", column_name="标题")
            characters = fields.Field(attribute="characters", column_name="字数", widget=widgets.IntegerWidget())

            class Meta:
                model = Piece
                fields = ("unit", "title", "characters")
                import_id_fields = ("unit", "title")

            def before_save_instance(self, instance, row, **kwargs):
                instance.year = year
                instance.characters = instance.characters or 0

        started = time.perf_counter()
        with open(path, "rb") as fh:
            dataset = tablib.Dataset().load(fh.read(), format="xlsx")
        with transaction.atomic():
            result = PieceResource().import_data(dataset, dry_run=False, raise_errors=True)
        out["rows"] = result.total_rows
    else:
        raise SystemExit(f"unknown mode {mode}")
    out["seconds"] = time.perf_counter() - started
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run(url: str, mode: str, path: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--url", url, "--file", path],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def fill_province(url: str, pieces: int) -> None:
    """A province's year: ``pieces`` approved pieces of the same units, one publication and author each."""
    setup_django(url)
    import datetime as dt

    from publicity.models import AssessmentYear, Outlet, Piece, PieceAuthor, PieceStatus, Publication
    from units.models import Unit

    year = AssessmentYear.objects.get(year=2011)
    units = list(Unit.objects.order_by("pk"))
    outlets = list(Outlet.objects.all())
    rng = random.Random(7)
    batch = 10_000
    for start in range(0, pieces, batch):
        objs = [
            Piece(
                year=year,
                unit=units[n % len(units)],
                title=f"省内已有稿件{n}号:{rng.choice(WORDS)}",
                kind="news",
                characters=800,
                status=PieceStatus.APPROVED,
            )
            for n in range(start, min(pieces, start + batch))
        ]
        Piece.objects.bulk_create(objs, batch_size=batch)
        Publication.objects.bulk_create(
            [Publication(piece=p, outlet=rng.choice(outlets), date=dt.date(2011, rng.randint(1, 12), 5)) for p in objs],
            batch_size=batch,
        )
        PieceAuthor.objects.bulk_create(
            [PieceAuthor(piece=p, position=1, name=rng.choice(NAMES)) for p in objs], batch_size=batch
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[2000, 20000])
    parser.add_argument("--province", type=int, default=300_000, help="pieces already in the year (0: skip)")
    parser.add_argument("--url", default=os.getenv("BENCH_PG_URL", DEFAULT_URL))
    parser.add_argument("--child")
    parser.add_argument("--file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.child, args.file)))
        return

    build(args.url)
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    print(f"PostgreSQL {args.url.rsplit('@', 1)[-1]}; {UNITS} units; figures in seconds")
    header = f"{'rows':>7} {'calamine':>9} {'dry-run':>8} {'import':>8} {'lock':>6} {'imp-exp':>8}"
    print(header + f" {'import/read':>11} {'dry/read':>9} {'imp-exp/import':>14} {'queries':>8} {'MB':>6}")
    for rows in args.rows:
        path = str(tmp / f"pieces-{rows}.xlsx")
        write_table(path, rows, seed=rows)
        clear_pieces()
        read = run(args.url, "calamine", path)
        dry = run(args.url, "dry-run", path)
        real = run(args.url, "import", path)
        clear_pieces()
        baseline = run(args.url, "import-export", path)
        clear_pieces()
        print(
            f"{rows:>7} {read['seconds']:>9.2f} {dry['seconds']:>8.2f} {real['seconds']:>8.2f} {real['lock']:>6.2f}"
            f" {baseline['seconds']:>8.2f} {real['seconds'] / read['seconds']:>10.1f}×"
            f" {dry['seconds'] / read['seconds']:>8.1f}× {baseline['seconds'] / real['seconds']:>13.1f}×"
            f" {real['queries']:>8} {real['peak_mb']:>6.0f}",
            flush=True,
        )
    if args.province:
        clear_pieces()
        t = time.perf_counter()
        fill_province(args.url, args.province)
        filled = time.perf_counter() - t
        path = str(tmp / "province-2000.xlsx")
        write_table(path, 2000, seed=99, prefix="新")
        read = run(args.url, "calamine", path)
        dry = run(args.url, "dry-run", path)
        real = run(args.url, "import", path)
        print(
            f"2,000 rows into a year holding {args.province:,} pieces (filled in {filled:.0f} s): "
            f"calamine {read['seconds']:.2f}, dry-run {dry['seconds']:.2f}, import {real['seconds']:.2f} "
            f"(year lock {real['lock']:.2f}), {real['queries']} queries, peak {real['peak_mb']:.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()

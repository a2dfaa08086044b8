"""Benchmark on PostgreSQL: the year-end workbook and closing a year, on a generated year.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench        # holds a gen_synthetic year
    .venv/bin/python bench/export_pg.py --year 2030                     # export vs bare dump, then close
    .venv/bin/python bench/export_pg.py --year 2030 --only close

Each measurement runs in a fresh process (wall, CPU, peak resident memory, growth over the resident size
before the work, SQL queries):
1. ``reports.workbook.write_year_workbook`` (what the background job runs);
2. the baseline: the same rows (read back from the workbook) written by a bare
   ``openpyxl.Workbook(write_only=True)`` — no styles, no scoring, no database;
3. ``scoring.services.year_close`` (score the year, write the snapshot, unit and person rows), inside a
   transaction that is rolled back, so the year stays open for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_year import child_baseline, cpu_seconds, dump_rows, peak_kb, rss_kb  # noqa: E402


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def measure(work) -> dict:
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before, cpu = rss_kb(), cpu_seconds()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        work()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "cpu": round(cpu_seconds() - cpu, 1),
        "peak_kb": peak_kb(),
        "before_kb": before,
        "queries": queries,
    }


def child_export(year: int, out: str) -> dict:
    setup()
    from publicity.models import AssessmentYear
    from reports.workbook import write_year_workbook

    assessment_year = AssessmentYear.objects.get(year=year)
    return measure(lambda: write_year_workbook(assessment_year, out))


def child_close(year: int) -> dict:
    setup()
    from django.db import transaction

    from publicity.models import AssessmentYear
    from scoring.services import year_close
    from units.models import User

    class Rollback(Exception):
        pass

    assessment_year = AssessmentYear.objects.get(year=year)
    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"is_bureau_admin": True})
    admin.is_bureau_admin = True
    result = {}

    def work():
        try:
            with transaction.atomic():
                # A generated year has pending pieces; closing needs none, so they are withdrawn here (rolled back).
                assessment_year.pieces.filter(status="submitted").update(status="draft")
                snapshot = year_close(actor=admin, year=assessment_year)
                result["units"] = snapshot.unit_results.count()
                raise Rollback
        except Rollback:
            pass

    measured = measure(work)
    return {**measured, **result}


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"child {args} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def mb(kb: int) -> float:
    return kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2030)
    parser.add_argument("--only", choices=["export", "close"])
    parser.add_argument("--child", choices=["export", "baseline", "close"])
    parser.add_argument("--out")
    parser.add_argument("--rows")
    args = parser.parse_args()
    if args.child == "export":
        print(json.dumps(child_export(args.year, args.out)))
        return
    if args.child == "baseline":
        print(json.dumps(child_baseline(args.rows, args.out)))
        return
    if args.child == "close":
        print(json.dumps(child_close(args.year)))
        return
    if not os.getenv("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to the PostgreSQL database that holds the generated year")
    tmp = tempfile.mkdtemp(prefix="bench-export-")
    out, rows_path, base_out = f"{tmp}/year.xlsx", f"{tmp}/rows.pickle", f"{tmp}/baseline.xlsx"
    print(f"{'':36}{'wall':>9}{'CPU':>9}{'peak RSS':>11}{'growth':>10}{'queries':>9}")

    def line(label, r):
        growth = r["peak_kb"] - r["before_kb"]
        print(
            f"{label:36}{r['seconds']:>8.1f}s{r['cpu']:>8.1f}s{mb(r['peak_kb']):>8.0f} MB{mb(growth):>7.0f} MB"
            f"{r.get('queries', ''):>9}",
            flush=True,
        )

    if args.only in (None, "export"):
        export = run_child("--child", "export", "--year", str(args.year), "--out", out)
        line("write_year_workbook", export)
        rows = dump_rows(out, rows_path)
        base = run_child("--child", "baseline", "--rows", rows_path, "--out", base_out)
        line("bare openpyxl write-only (same rows)", base)
        print(
            f"{rows:,} rows, workbook {os.path.getsize(out) / 1024 / 1024:.1f} MB; ratio time "
            f"{export['seconds'] / base['seconds']:.2f}×, CPU {export['cpu'] / base['cpu']:.2f}×, "
            f"peak memory {export['peak_kb'] / base['peak_kb']:.2f}× (goal ≤ 2×)",
            flush=True,
        )
    if args.only in (None, "close"):
        close = run_child("--child", "close", "--year", str(args.year))
        line(f"year_close ({close.get('units')} units, rolled back)", close)


if __name__ == "__main__":
    main()

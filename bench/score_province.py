"""Benchmark on PostgreSQL: scoring a generated year next to a bare SQL aggregate of the same approved pieces.

    createdb bench && export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py gen_synthetic --year 2030 --units 2000 --pieces 300000 --seed 1   # once, ≈ 3 min
    .venv/bin/python bench/score_province.py --year 2030

Each side runs in its own fresh process (time, CPU, peak memory, SQL queries):
- baseline: one SQL aggregate — approved pieces per unit and outlet level (the least any scorer must read);
- ``scoring.services.score_year`` for the whole year (facts gathered, every unit scored and every piece priced).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_year import cpu_seconds, peak_kb, rss_kb  # noqa: E402

BASELINE_SQL = """
SELECT p.unit_id, l.rank, COUNT(DISTINCT p.id)
FROM publicity_piece p
LEFT JOIN publicity_publication pub ON pub.piece_id = p.id
LEFT JOIN publicity_outlet o ON o.id = pub.outlet_id
LEFT JOIN publicity_outletlevel l ON l.id = o.level_id
WHERE p.year_id = %s AND p.status = 'approved'
GROUP BY p.unit_id, l.rank
"""


def child(which: str, year: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from publicity.models import AssessmentYear
    from scoring.services import score_year

    assessment_year = AssessmentYear.objects.get(year=year)
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    before, cpu = rss_kb(), cpu_seconds()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        if which == "baseline":
            with connection.cursor() as cursor:
                cursor.execute(BASELINE_SQL, [assessment_year.pk])
                rows = len(cursor.fetchall())
        else:
            rows = len(score_year(assessment_year).units)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu": round(cpu_seconds() - cpu, 2),
        "peak_mb": round(peak_kb() / 1024),
        "growth_mb": round((peak_kb() - before) / 1024),
        "queries": queries,
        "rows": rows,
    }


def run_child(which: str, year: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", which, "--year", str(year)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2030)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.year)))
        return
    if not os.getenv("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to the PostgreSQL database that holds the generated year")
    base = run_child("baseline", args.year)
    scored = run_child("score", args.year)
    print(f"baseline (one SQL aggregate):  {base}")
    print(f"score_year:                    {scored}")
    print(f"ratio (wall): {scored['seconds'] / base['seconds']:.1f}×   goal ≤ 3×")


if __name__ == "__main__":
    main()

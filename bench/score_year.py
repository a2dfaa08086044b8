"""Benchmark: score a synthetic year (scoring.services.score_year) against a bare fetch of the same rows.

    .venv/bin/python bench/score_year.py                      # 10,000 and 100,000 publications
    .venv/bin/python bench/score_year.py --publications 20000

For each size it builds a throwaway SQLite year with bench/export_year.py's builder (200 units, approved
pieces, one in three published twice), then in fresh subprocesses measures:

- baseline: ``values_list`` of every approved piece, its publications (with outlet level/category) and
  authors — the least any scorer must read;
- score_year: the whole year scored (facts gathered, rules applied, ranks, people).

It prints seconds, SQL queries and the ratio score/baseline. The query count must not grow with size
(the fixed-queries promise of scoring.services); the ratio says what the rules cost on top of I/O.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_year import build, setup_django  # noqa: E402  (one synthetic year for both benches)


def child(db: str, mode: str) -> dict:
    setup_django(db)
    from django.db import connection

    from publicity.models import AssessmentYear, PieceAuthor, PieceStatus, Publication

    queries = []
    year = AssessmentYear.objects.get(year=2011)
    with connection.execute_wrapper(
        lambda execute, sql, params, many, ctx: (queries.append(sql), execute(sql, params, many, ctx))[1]
    ):
        started = time.perf_counter()
        if mode == "baseline":
            pubs = list(
                Publication.objects.filter(piece__year=year, piece__status=PieceStatus.APPROVED).values_list(
                    "piece_id",
                    "piece__unit_id",
                    "piece__kind",
                    "piece__characters",
                    "outlet_id",
                    "outlet__level__rank",
                    "outlet__category_id",
                    "placement",
                    "date",
                )
            )
            authors = list(
                PieceAuthor.objects.filter(piece__year=year, piece__status=PieceStatus.APPROVED).values_list(
                    "piece_id", "position", "name"
                )
            )
            size = len(pubs) + len(authors)
        else:
            from scoring.services import score_year

            result = score_year(year)
            size = len(result.units)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "queries": len(queries), "size": size}


def run(db: str, mode: str, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", db, *extra],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--publications", type=int, action="append")
    parser.add_argument("--db", default="/tmp/bench_score.sqlite3")
    parser.add_argument("--child", choices=["baseline", "score", "build"])
    args = parser.parse_args()
    if args.child == "build":
        print(json.dumps(build(args.db, args.publications[0])))
        return
    if args.child:
        print(json.dumps(child(args.db, args.child)))
        return
    sizes = args.publications or [10_000, 100_000]
    print(f"{'publications':>12} {'pieces':>8} {'baseline s':>10} {'score s':>8} {'ratio':>6} {'queries':>7}")
    for n in sizes:
        built = run(args.db, "build", "--publications", str(n))
        base = run(args.db, "baseline")
        score = run(args.db, "score")
        ratio = score["seconds"] / base["seconds"] if base["seconds"] else float("nan")
        print(
            f"{built['publications']:>12,} {built['pieces']:>8,} {base['seconds']:>10.2f} "
            f"{score['seconds']:>8.2f} {ratio:>6.1f} {score['queries']:>7}"
        )


if __name__ == "__main__":
    main()

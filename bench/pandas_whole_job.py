"""The pandas peer doing the whole job a user waits for: read the tables, appraise every project, write the CSV.

bench/run.py runs it as its own process, exactly as it runs `python -m dashboard metrics --format csv`, so the
two are timed alike: start to file written, with the peak memory of the process. The appraisal is
bench/pandas_baseline.py (held equal to the SQL by tests/test_pandas_baseline.py); the CSV has the metrics
first, then the project's own columns, in the command's order, written with pandas' to_csv as the command wrote
it before (bench/results' JSON records how many columns each wrote).

    .venv/bin/python bench/pandas_whole_job.py DB OUT.csv YYYY-MM-DD [DISCOUNT_RATE]
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import pandas_baseline  # noqa: E402
from dashboard.database import db  # noqa: E402
from dashboard.rules.appraisal import METRIC_COLUMNS, reference_assumptions  # noqa: E402


def main(argv: list[str]) -> int:
    db_path, out, as_of = argv[0], Path(argv[1]), date.fromisoformat(argv[2])
    con = db.connect_read_only(db_path)
    try:
        assumptions = reference_assumptions(con, as_of)
        if len(argv) > 3:
            assumptions = assumptions.with_changes(discount_rate=float(argv[3]))
        tables = pandas_baseline.load_tables(con)
    finally:
        con.close()
    metrics = pandas_baseline.metrics(tables, assumptions)
    frame = tables.projects.merge(metrics, on="project_id", how="left", validate="one_to_one")
    columns = [c for c in METRIC_COLUMNS if c in frame.columns]
    columns += [c for c in frame.columns if c not in columns]
    frame[columns].sort_values("project_id", kind="stable").to_csv(out, index=False, lineterminator="\n")
    print(f"RESULT_COLUMNS {len(columns)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

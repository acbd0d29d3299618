"""Benchmark: hostile uploads, each imported in its own process; wall seconds and peak memory of the whole process.

Every case must end in a clear refusal (or, at the caps, a bounded import) within seconds and bounded memory:

- zip-bomb: the 917 KB zip of three 300 MB members of blank lines (tests/data/hostile/);
- newlines-zip: 20 million newlines in a zip of about 20 KB;
- empty-rows-xlsx: a workbook whose three sheets each end at row 1,048,576 (a million empty rows apiece);
- deep-json: a 360Giving JSON nested 100,000 levels deep;
- blank-csv-at-cap: a costs.csv of one header and 1,999,999 blank lines (under the row cap: read, then refused as
  holding no rows);
- long-text-at-cap: a costs.csv of 1,000 rows whose item text fills about 250 MB (under the byte cap: imported).

    .venv/bin/python bench/bench_hostile_import.py [--case NAME]

The last line names the worst case by peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TINY = ROOT / "tests" / "data" / "tiny"
ZIP_BOMB = ROOT / "tests" / "data" / "hostile" / "zip-bomb-3x300MB-blank-lines.zip"
COST_HEADER = b"cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade\n"


def make_case(name: str, folder: Path) -> Path:
    if name == "zip-bomb":
        return ZIP_BOMB
    if name == "newlines-zip":
        path = folder / "newlines.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            archive.writestr("costs.csv", COST_HEADER + b"\n" * 20_000_000)
        return path
    if name == "empty-rows-xlsx":
        import xlsxwriter

        path = folder / "empty-rows.xlsx"
        book = xlsxwriter.Workbook(str(path))
        for sheet_name in ("projects", "costs", "benefits"):
            sheet = book.add_worksheet(sheet_name)
            sheet.write_string(0, 0, "cost_id")
            sheet.write_string(1_048_575, 0, "x")
        book.close()
        return path
    if name == "deep-json":
        path = folder / "deep.json"
        path.write_text('{"grants": [' + "[" * 100_000 + "]" * 100_000 + "]}")
        return path
    if name == "blank-csv-at-cap":
        path = folder / "costs.csv"
        path.write_bytes(COST_HEADER + b"\n" * 1_999_999)
        return path
    if name == "long-text-at-cap":
        path = folder / "costs.csv"
        text = "x" * 250_000
        with open(path, "w", encoding="utf-8") as f:
            f.write(COST_HEADER.decode())
            for i in range(1000):
                f.write(f"L{i:04d},P001,{text},20,once,2025-07-01,,1\n")
        return path
    raise SystemExit(f"unknown case {name}")


CASES = ("zip-bomb", "newlines-zip", "empty-rows-xlsx", "deep-json", "blank-csv-at-cap", "long-text-at-cap")


def child(name: str, path: Path) -> int:
    """Import one hostile file (made by the parent, so making it does not count in this process's peak)."""
    from dashboard.database import db
    from dashboard.files.import_sources import import_path
    from dashboard.files.importer import import_folder

    folder = Path(tempfile.mkdtemp(prefix="bench_hostile_db_"))
    database = folder / "bench.duckdb"
    with db.write_database(database, fresh=True) as con:
        db.load_reference_tables(con)
    assert import_folder(TINY, database).ok
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    result = import_path(path, database)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome = result.summary() if result.ok else str(result.problems[0])[:160]
    print(
        "RESULT "
        + json.dumps(
            {
                "case": name,
                "file_bytes": path.stat().st_size,
                "import_s": round(seconds, 2),
                "peak_rss_mb": round(peak),
                "rss_before_import_mb": round(before),
                "ok": result.ok,
                "outcome": outcome,
            }
        )
    )
    for p in folder.iterdir():
        p.unlink()
    folder.rmdir()
    return 0 if not result.ok or name == "long-text-at-cap" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        return child(args.case, args.file)
    results = []
    files = Path(tempfile.mkdtemp(prefix="bench_hostile_files_"))
    for name in CASES:
        case_folder = files / name
        case_folder.mkdir()
        path = make_case(name, case_folder)
        out = subprocess.run(
            [sys.executable, __file__, "--case", name, "--file", str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if path.parent == case_folder:
            path.unlink()
        case_folder.rmdir()
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            print(f"{name}: failed\n{out.stdout}\n{out.stderr}")
            return 1
        result = json.loads(line[len("RESULT ") :])
        results.append(result)
        if result["ok"] and name != "long-text-at-cap":
            print(f"{name}: UNEXPECTEDLY IMPORTED: {result['outcome']}")
            return 1
        size = result["file_bytes"] / 1024
        print(
            f"{name:18s} {size:>10,.0f} KB  import {result['import_s']:>6.2f} s  peak {result['peak_rss_mb']:>6,} MB"
            f" (before {result['rss_before_import_mb']:,} MB)  {result['outcome']}"
        )
    files.rmdir()
    worst = max(results, key=lambda r: r["peak_rss_mb"])
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(f"worst: {worst['case']} peak {worst['peak_rss_mb']:,} MB in {worst['import_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""National-scale benchmark: `make bench` (or `.venv/bin/python bench/run.py`).

Measures, each case in its own process so the peak memory figures do not mix:

- building a synthetic portfolio (`init --synthetic N`) at each size;
- the metrics query (appraisal + projectitis risk of every project, `appraisal.project_metrics`, what the
  app and the CLI call) at 10,000, 100,000 and 1,000,000 projects: the first run and the best of three;
  (at the council's reference assumptions, so from the figures every write stores), and the metrics at
  other assumptions (a 5% discount rate, and as of another month: the parts of the stored figures that still
  hold are read, the rest computed); bench/bench_reference_figures.py adds what a write costs;
- the same metrics in pandas, written as an analyst would (bench/pandas_baseline.py, held equal to the SQL
  by tests/test_pandas_baseline.py), at the same sizes, and the ratio;
- the Portfolio page through streamlit's AppTest (server side, no browser): first render and a filter change,
  at 10,000 and 1,000,000 projects;
- the finance Excel export at 100,000 projects (bench/bench_finance_export.py) and a template import of a
  100,000-project portfolio's four CSVs through `python -m dashboard import` (plus bench/bench_import.py,
  a 1,000,000-row costs file, when present).

- what a user waits for: each user-facing command as a whole process, start to file written, at every size
  (`metrics --format csv > out.csv` at the stored and at other assumptions, `--format json` up to 100,000,
  `export finance --out FILE.xlsx` and `.zip`), with its CPU seconds, peak memory and output size, next to
  the in-process SQL figure above so the two cannot drift apart again; and the pandas peer doing the whole
  job the same way (bench/pandas_whole_job.py: read, appraise, write the CSV), with its ratio to the command.

Wall-clock seconds depend on what else the 2-core machine is doing, so CPU seconds and the load average (at the
start and end, and before each command) are recorded beside them. Prints a table and writes JSON to
bench/results/ (git-ignored). The synthetic databases and the commands' output files are big, so they live in
$BENCH_DATA_DIR (default /tmp/commissioning-bench) and the databases are kept between runs (delete them, or
pass --rebuild, to start again).

    .venv/bin/python bench/run.py [--sizes 10000 100000 1000000] [--page-sizes 10000 1000000] [--quick]
                                  [--seed 0] [--only-commands] [--pandas-sizes 10000 100000] [--db N=PATH ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# synthetic databases and the files the commands write are big (a million projects: 0.6 GB and 0.6 GB of CSV):
# they live outside the repository
DATA = Path(os.environ.get("BENCH_DATA_DIR", Path(tempfile.gettempdir()) / "commissioning-bench"))
PYTHON = sys.executable
# Today, as the app's default: every write stores the appraisal figures for the month it is written in (and the
# funding figures for its first day), so the reference-assumption cases read them only in that month. A database
# kept from an earlier month is rebuilt (synthetic_db), else its "stored" figures would silently be computed.
AS_OF = date.today()
OTHER_MONTH = date(2025, 11, 1)  # an as-of date outside the stored month
SEED = 0
NOT_MEASURED = "not yet measured"


# ------------------------------------------------------------------ child cases (run in their own process)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(fn):
    wall, cpu = time.perf_counter(), _cpu()
    result = fn()
    return result, time.perf_counter() - wall, _cpu() - cpu


def case_metrics(db_path: str) -> dict:
    from dashboard.database import db
    from dashboard.rules.appraisal import figures_source, project_metrics, reference_assumptions

    con = db.connect_read_only(db_path)
    assumptions = reference_assumptions(con, AS_OF)
    source = figures_source(con, assumptions)  # stored_figures: read as the app does at its default assumptions
    runs, rows = [], 0
    for _ in range(3):  # the frame of one run is let go before the next, as the app keeps one frame at a time
        frame, wall, cpu = _timed(lambda: project_metrics(con, assumptions))
        rows = len(frame)
        del frame
        runs.append((wall, cpu))
    best = min(runs)
    return {"rows": rows, "first_s": runs[0][0], "wall_s": best[0], "cpu_s": best[1], "figures": source}


def case_metrics_other(db_path: str, changes: dict | None = None) -> dict:
    """Metrics at assumptions other than the reference ones (a 5% discount rate): never all stored, but the parts
    that still hold are read (appraisal.figures_reuse); best of three as for the stored figures."""
    from dashboard.database import db
    from dashboard.rules.appraisal import figures_reuse, funding_reuse, project_metrics, reference_assumptions

    con = db.connect_read_only(db_path)
    assumptions = reference_assumptions(con, AS_OF).with_changes(**(changes or {"discount_rate": 0.05}))
    source = f"{figures_reuse(con, assumptions)}, {funding_reuse(con, assumptions.as_of)}"
    runs, rows = [], 0
    for _ in range(3):
        frame, wall, cpu = _timed(lambda: project_metrics(con, assumptions))
        rows = len(frame)
        del frame
        runs.append((wall, cpu))
    best = min(runs)
    return {"rows": rows, "first_s": runs[0][0], "wall_s": best[0], "cpu_s": best[1], "figures": source}


def case_metrics_other_month(db_path: str) -> dict:
    """Metrics as of another month (1 November 2025) at the reference rate: the forward view and the funding chain
    are worked out, the whole-life figures and what is committed read."""
    return case_metrics_other(db_path, {"as_of": OTHER_MONTH})


def case_store_figures(db_path: str) -> dict:
    """An empty write: stores the reference figures in a database built before they existed (else a no-op)."""
    from dashboard.database import db

    def write():
        with db.write_database(db_path):
            pass

    _, wall, cpu = _timed(write)
    return {"wall_s": wall, "cpu_s": cpu}


def case_pandas(db_path: str) -> dict:
    from bench import pandas_baseline
    from dashboard.database import db
    from dashboard.rules.appraisal import reference_assumptions

    con = db.connect_read_only(db_path)
    assumptions = reference_assumptions(con, AS_OF)
    tables, load_wall, load_cpu = _timed(lambda: pandas_baseline.load_tables(con))
    frame, wall, cpu = _timed(lambda: pandas_baseline.metrics(tables, assumptions))
    return {
        "rows": len(frame),
        "wall_s": load_wall + wall,
        "cpu_s": load_cpu + cpu,
        "compute_wall_s": wall,
        "load_wall_s": load_wall,
    }


def case_page(db_path: str) -> dict:
    os.environ["COMMISSIONING_DB"] = db_path
    os.environ.setdefault("COMMISSIONING_ROLE", "admin")
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    _, first_wall, first_cpu = _timed(at.run)
    if at.exception:
        return {"error": str(at.exception[0].value)}
    widget = at.multiselect(key="filter_service_areas")
    choice = widget.options[0]
    _, filter_wall, filter_cpu = _timed(lambda: widget.select(choice).run())
    if at.exception:
        return {"error": str(at.exception[0].value)}
    tables = [len(df.value) for df in at.dataframe]
    return {
        "first_render_s": first_wall,
        "first_render_cpu_s": first_cpu,
        "filter_change_s": filter_wall,
        "filter_change_cpu_s": filter_cpu,
        "filter": f"service area {choice}",
        "largest_table_rows_sent": max(tables) if tables else 0,
    }


CASES = {
    "metrics": case_metrics,
    "metrics_other": case_metrics_other,
    "metrics_other_month": case_metrics_other_month,
    "store_figures": case_store_figures,
    "pandas": case_pandas,
    "page": case_page,
}


def child_main(case: str, db_path: str) -> int:
    sys.path.insert(0, str(ROOT))
    result = CASES[case](db_path)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))
    return 0


# ------------------------------------------------------------------ the runner


def run_process(args: list[str], env: dict | None = None) -> tuple[int, str, float, float]:
    """Run a command; return its exit code, output, wall seconds and peak resident memory in MB (from wait4)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})}
    )
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, output, time.perf_counter() - started, usage.ru_maxrss / 1024


def run_case(case: str, db_path: Path) -> dict:
    code, output, _, peak = run_process([PYTHON, __file__, "--child", case, str(db_path)])
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    if code != 0 or not lines:
        return {"error": output.strip().splitlines()[-1] if output.strip() else f"exit code {code}"}
    result = json.loads(lines[-1][len("RESULT ") :])
    result["peak_rss_mb"] = max(result["peak_rss_mb"], peak)
    return result


# --------------------------------------------------------- what a user waits for: whole commands, one process each

# name -> (sizes it runs at or None for all, the command after `python`, where its output goes)
USER_COMMANDS = {
    "metrics_csv": (None, ["-m", "dashboard", "metrics", "--format", "csv"], "stdout"),
    "metrics_csv_other": (None, ["-m", "dashboard", "metrics", "--format", "csv", "--discount-rate", "0.05"], "stdout"),
    "metrics_json": ((10_000, 100_000), ["-m", "dashboard", "metrics", "--format", "json"], "stdout"),
    # at 1,000,000 projects the pandas peer needs about 9 GB (8.5 GB in-process on 22 November): --pandas-sizes
    "pandas_whole_job": ((10_000, 100_000), [str(ROOT / "bench" / "pandas_whole_job.py")], "argument"),
    "finance_xlsx": (None, ["-m", "dashboard", "export", "finance"], "--out .xlsx"),
    "finance_zip": (None, ["-m", "dashboard", "export", "finance"], "--out .zip"),
}


def run_command(name: str, db_path: Path, n: int) -> dict:
    """One user-facing command as its own process, start to file written: wall seconds, CPU seconds and peak
    memory of that process (wait4), the file's size, and the load average just before it started."""
    _, args, output = USER_COMMANDS[name]
    out = DATA / f"out_{name}_{n}"
    out = out.with_suffix(".xlsx" if "xlsx" in output else ".zip" if "zip" in output else ".csv")
    if name == "pandas_whole_job":
        args = [*args, str(db_path), str(out), AS_OF.isoformat()]
    else:
        args = [*args, "--db", str(db_path), "--as-of", AS_OF.isoformat()]
        if output.startswith("--out"):
            args += ["--out", str(out)]
    load = os.getloadavg()[0]
    at = datetime.now().isoformat(timespec="seconds")
    started = time.perf_counter()
    with open(out if output == "stdout" else os.devnull, "wb") as sink:
        proc = subprocess.Popen([PYTHON, *args], cwd=ROOT, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    error = proc.stderr.read().decode("utf-8", "replace").strip()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    result = {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "load_average_before": load,
        "started_at": at,
        "command": "python " + " ".join(a if not a.startswith(str(DATA)) else Path(a).name for a in args),
    }
    if code != 0 or not out.exists():
        result["error"] = error.splitlines()[-1] if error else f"exit code {code}"
    else:
        result["output_mb"] = out.stat().st_size / 1e6
    out.unlink(missing_ok=True)
    return result


def synthetic_db(n: int, rebuild: bool, given: dict[int, Path]) -> tuple[Path, dict]:
    if n in given:  # --db N=PATH: someone else's database, only ever read (never rebuilt or written)
        path = given[n]
        if _stored_month(path) != AS_OF.replace(day=1):
            print(f"warning: {path} has no figures stored for {AS_OF:%B %Y}: its 'stored' cases compute them")
        return path, {"reused": True, "given": True}
    path = DATA / f"synthetic_{n}_seed{SEED}.duckdb"
    if path.exists() and not rebuild and _stored_month(path) == AS_OF.replace(day=1):
        return path, {"reused": True}
    cmd = [PYTHON, "-m", "dashboard", "init", "--synthetic", str(n), "--seed", str(SEED), "--force", "--db", str(path)]
    code, output, wall, peak = run_process(cmd)
    if code != 0:
        raise SystemExit(f"could not build {path}: {output}")
    return path, {"wall_s": wall, "peak_rss_mb": peak, "summary": output.strip()}


def _stored_month(path: Path) -> date | None:
    """The month the stored reference figures of a database were computed for (None without them)."""
    from dashboard.database import db

    con = db.connect_read_only(path)
    try:
        rows = con.execute(db.load_query("project_figures_reference_key")).fetchall()
        names = [d[0] for d in con.description]
    except Exception:  # noqa: BLE001 - an old or broken database is rebuilt
        return None
    finally:
        con.close()
    return dict(zip(names, rows[0], strict=True))["forward_start_month"] if len(rows) == 1 else None


def import_case(db_100k: Path) -> dict:
    """Write the 100,000-project portfolio as the four template CSVs, then time the CLI importing them."""
    import duckdb

    folder = Path(tempfile.mkdtemp(prefix="bench_template_"))
    target = folder / "import.duckdb"
    try:
        con = duckdb.connect(str(db_100k), read_only=True)
        for table in ("projects", "funding", "costs", "benefits"):
            out = str(folder / f"{table}.csv")
            con.execute("copy (select * from " + table + ") to '" + out + "' (header)")  # noqa: S608 - fixed names
        con.close()
        code, output, _, _ = run_process([PYTHON, "-m", "dashboard", "init", "--empty", "--db", str(target)])
        if code != 0:
            return {"error": output.strip()}
        code, output, wall, peak = run_process([PYTHON, "-m", "dashboard", "import", str(folder), "--db", str(target)])
        if code != 0:
            return {"error": output.strip().splitlines()[-1]}
        return {"wall_s": wall, "peak_rss_mb": peak, "summary": output.strip().splitlines()[-1]}
    finally:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()


def external_case(script: str, args: list[str]) -> dict:
    """Another benchmark script in bench/, run as it is; its own report is kept as text."""
    path = ROOT / "bench" / script
    if not path.exists():
        return {"error": NOT_MEASURED + f" ({script} does not exist yet)"}
    code, output, wall, peak = run_process([PYTHON, str(path), *args])
    result = {"wall_s": wall, "peak_rss_mb": peak, "report": output.strip().splitlines()[-12:]}
    if code != 0:
        result["exit_code"] = code
    return result


def machine() -> dict:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), "")
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    import duckdb
    import pandas

    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "load_average_at_start": os.getloadavg(),
    }


def fmt_s(value) -> str:
    return f"{value:.2f} s" if isinstance(value, int | float) else str(value)


def fmt_mb(value) -> str:
    return f"{value:,.0f} MB" if isinstance(value, int | float) else ""


def metrics_row(label: str, result: dict) -> tuple:
    """One table row for an in-process metrics case: best wall time, peak memory, first run, CPU and figures' source."""
    detail = ""
    if "wall_s" in result:
        detail = f"first run {fmt_s(result.get('first_s'))}, cpu {fmt_s(result.get('cpu_s'))}, {result.get('figures')}"
    return (label, fmt_s(result.get("wall_s", result.get("error"))), fmt_mb(result.get("peak_rss_mb")), detail)


def main() -> int:
    global SEED  # --seed chooses the synthetic portfolios every case reads
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("CASE", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--page-sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--export-size", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 projects only, no export or import")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the synthetic databases")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the synthetic portfolios (default 0)")
    parser.add_argument(
        "--only-commands", action="store_true", help="only the user-facing commands (and the in-process metrics)"
    )
    parser.add_argument(
        "--pandas-sizes",
        type=int,
        nargs="*",
        default=None,
        help="sizes at which the pandas peer does the whole job (default 10,000 and 100,000: at 1,000,000 it needs "
        "about 9 GB)",
    )
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        metavar="N=PATH",
        help="use this synthetic database (seed 0) for N projects instead of building one; it is only read",
    )
    args = parser.parse_args()
    if args.child:
        return child_main(*args.child)
    if args.quick:
        args.sizes, args.page_sizes = [10_000], [10_000]
    given = {int(n): Path(path) for n, path in (item.split("=", 1) for item in args.db)}
    if args.pandas_sizes is not None:
        sizes_, cmd, output = USER_COMMANDS["pandas_whole_job"]
        USER_COMMANDS["pandas_whole_job"] = (tuple(args.pandas_sizes), cmd, output)

    sys.path.insert(0, str(ROOT))
    SEED = args.seed
    RESULTS.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    report = {"started": datetime.now().isoformat(timespec="seconds"), "as_of": AS_OF.isoformat(), "seed": SEED}
    report["machine"] = machine()
    rows: list[tuple[str, str, str, str]] = []  # case, time, peak memory, note

    extra = set() if args.quick or args.only_commands else {args.export_size} | set(args.page_sizes)
    sizes = sorted(set(args.sizes) | extra)
    dbs, builds = {}, {}
    for n in sizes:
        dbs[n], builds[n] = synthetic_db(n, args.rebuild, given)
        if not builds[n].get("reused"):
            rows.append(
                (
                    f"build synthetic portfolio, {n:,} projects",
                    fmt_s(builds[n]["wall_s"]),
                    fmt_mb(builds[n]["peak_rss_mb"]),
                    builds[n]["summary"].split(": ", 1)[-1],
                )
            )
    report["build"] = {str(n): b for n, b in builds.items()}
    for n in sizes:  # a database kept from before the reference figures were stored gains them on a write
        if builds[n].get("reused") and not builds[n].get("given"):
            builds[n]["store_figures"] = run_case("store_figures", dbs[n])

    report["metrics"], report["pandas"] = {}, {}
    for n in sorted(args.sizes):
        sql = run_case("metrics", dbs[n])
        report["metrics"][str(n)] = sql
        rows.append(metrics_row(f"metrics (SQL), {n:,} projects", sql))
        for case, key, label in (
            ("metrics_other", "other_assumptions", "at a 5% discount rate"),
            ("metrics_other_month", "other_month", f"as of {OTHER_MONTH:%-d %B %Y}"),
        ):
            other = run_case(case, dbs[n])
            report["metrics"][str(n)][key] = other
            rows.append(metrics_row(f"metrics (SQL) {label}, {n:,}", other))
        if args.only_commands:
            continue
        pandas = run_case("pandas", dbs[n])
        report["pandas"][str(n)] = pandas
        ratio = pandas["wall_s"] / sql["wall_s"] if "wall_s" in pandas and "wall_s" in sql else None
        pandas["ratio_to_sql"] = ratio
        rows.append(
            (
                f"metrics (pandas baseline), {n:,} projects",
                fmt_s(pandas.get("wall_s", pandas.get("error"))),
                fmt_mb(pandas.get("peak_rss_mb")),
                f"{ratio:.1f}x the SQL time (compute {fmt_s(pandas['compute_wall_s'])})" if ratio else "",
            )
        )

    # what a user waits for: each command start to file written, beside the in-process SQL figure above
    report["commands"] = {}
    for n in sorted(args.sizes):
        done = report["commands"][str(n)] = {}
        for name, (sizes, _, _) in USER_COMMANDS.items():
            if sizes is None or n in sizes:
                done[name] = run_command(name, dbs[n], n)
        sql = report["metrics"][str(n)]
        for name, result in done.items():
            note = f"cpu {fmt_s(result.get('cpu_s'))}, load {result['load_average_before']:.1f}"
            if name == "metrics_csv" and "wall_s" in sql:
                note += f"; in-process SQL {fmt_s(sql['wall_s'])}"
            if name == "metrics_csv_other" and "wall_s" in sql.get("other_assumptions", {}):
                note += f"; in-process SQL {fmt_s(sql['other_assumptions']['wall_s'])}"
            if name == "pandas_whole_job" and "wall_s" in done.get("metrics_csv", {}) and "wall_s" in result:
                ratio = result["wall_s"] / done["metrics_csv"]["wall_s"]
                cpu_ratio = result["cpu_s"] / done["metrics_csv"]["cpu_s"]
                result["ratio_to_metrics_csv"] = ratio
                result["cpu_ratio_to_metrics_csv"] = cpu_ratio
                note += f"; {ratio:.1f}x the metrics command's wall, {cpu_ratio:.1f}x its CPU"
            note += f"; at {result['started_at'][11:16]}"
            if "output_mb" in result:
                note += f"; {result['output_mb']:,.0f} MB written"
            if "error" in result:
                note = f"FAILED: {result['error']}"
            peak = fmt_mb(result.get("peak_rss_mb"))
            rows.append((f"process: {name.replace('_', ' ')}, {n:,}", fmt_s(result["wall_s"]), peak, note))
        if "pandas_whole_job" not in done:
            rows.append((f"process: pandas whole job, {n:,}", "not run", "", "see --pandas-sizes"))

    report["page"] = {}
    if args.only_commands:
        args.page_sizes = []
    for n in sorted(args.page_sizes):
        page = run_case("page", dbs[n])
        report["page"][str(n)] = page
        if "error" in page:
            rows.append((f"Portfolio page, {n:,} projects", page["error"], fmt_mb(page.get("peak_rss_mb")), ""))
            continue
        rows.append(
            (
                f"Portfolio page first render, {n:,}",
                fmt_s(page["first_render_s"]),
                fmt_mb(page["peak_rss_mb"]),
                f"largest table sent: {page['largest_table_rows_sent']:,} rows",
            )
        )
        rows.append((f"Portfolio page filter change, {n:,}", fmt_s(page["filter_change_s"]), "", page["filter"]))

    if not args.quick and not args.only_commands:
        n = args.export_size
        export = external_case("bench_finance_export.py", ["--projects", str(n)])
        report["finance_export"] = export
        line = next((x for x in export.get("report", []) if x.startswith("export from the app")), None)
        took = re.search(r"(\d+\.\d+)s", line) if line else None
        export["export_wall_s"] = float(took.group(1)) if took else None
        rows.append(
            (
                f"finance Excel export, {n:,} projects",
                fmt_s(export["export_wall_s"]) if took else export.get("error", "?"),
                fmt_mb(export.get("peak_rss_mb")),
                "tables + workbook, bench_finance_export.py",
            )
        )
        imported = import_case(dbs[n])
        report["template_import"] = imported
        rows.append(
            (
                f"template import (4 CSVs), {n:,} projects",
                fmt_s(imported.get("wall_s", imported.get("error"))),
                fmt_mb(imported.get("peak_rss_mb")),
                imported.get("summary", ""),
            )
        )
        costs = external_case("bench_import.py", [])
        report["import_1m_cost_lines"] = costs
        line = next((x for x in costs.get("report", []) if x.startswith("import:")), None)
        rows.append(
            (
                "import 1,000,000-row costs.csv",
                line.split()[1] + " s" if line else costs.get("error", "?"),
                fmt_mb(costs.get("peak_rss_mb")),
                "bench_import.py",
            )
        )
        hostile = external_case("bench_hostile_import.py", [])
        report["hostile_import"] = hostile
        worst = next((x for x in hostile.get("report", []) if x.startswith("worst:")), None)
        rows.append(("hostile uploads, worst case", worst or hostile.get("error", "?"), "", "bench_hostile_import.py"))

    if not args.only_commands:
        browser = external_case("bench_browser.py", ["--sessions", "3", "--large-db", str(dbs[max(sizes)])])
        report["browser"] = browser
        rows.append(("browser: every page against a bare page", fmt_s(browser.get("wall_s")), "", "bench_browser.py"))

    report["machine"]["load_average_at_end"] = os.getloadavg()
    report["table"] = [dict(zip(("case", "time", "peak_memory", "note"), r, strict=True)) for r in rows]
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")

    m = report["machine"]
    print(
        f"\n{report['started']} to {datetime.now().isoformat(timespec='seconds')}; "
        f"{m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gb']} GB; load average at start "
        f"{m['load_average_at_start'][0]:.1f}, at end {m['load_average_at_end'][0]:.1f}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'case':{width}s}  {'time':>10s}  {'peak memory':>11s}  note")
    for case, took, peak, note in rows:
        print(f"{case:{width}s}  {took:>10s}  {peak:>11s}  {note}")
    print(f"\nwritten to {RESULTS / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

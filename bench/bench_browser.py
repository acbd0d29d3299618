"""What a person waits for in a real browser: every page in a fresh Chromium session, against a bare Streamlit page.

AppTest times the script on the server; a person also waits for the browser to fetch and run Streamlit's
JavaScript, open the websocket, receive every element and draw the charts. So this starts `streamlit run` on the
demo portfolio (and on a large synthetic one when given) and a floor app (bench/browser_floor.py: a title, a
metric and two Plotly charts, same Streamlit, same config), opens each page in a new browser context (no cache, no
cookies: a new Streamlit session, as a shared link or a new tab is) at 1440 x 900, and records, from the page's own
clock (performance.now(), zero at navigation):

- first figure: when the page's first headline figure (its first st.metric value, or the element named in
  FIRST_FIGURE) is on screen;
- idle: when the app is connected, no script runs, nothing is stale or still loading and every chart has drawn,
  held for IDLE_HOLD_MS;
- what it cost: websocket messages and bytes, HTTP requests and bytes, script runs, requests to other hosts;
- CPU: the page's main-thread CPU time until idle (Chromium's ThreadTime, from the DevTools Performance domain) and
  the CPU time the Streamlit server process spent on the session (its /proc counters before and after). On a
  shared machine wall times stretch with the load (on 2 cores at a load of 12, about four times); CPU times hardly
  do, so they show what a page costs when the wall times are too noisy to compare.

Rounds are interleaved (floor, then every page, then again), medians are reported with each page's excess over
the floor, and the targets of issue 17 are checked: first figure within floor + 1.0 s and idle within floor + 2.0 s
on the demo; on a large portfolio the Portfolio page's first figure within floor + 2.0 s and a filter change shown
within 1.0 s. The first visit after the server starts fills the shared caches and is reported on its own.

    .venv/bin/python bench/bench_browser.py [--sessions 5] [--large-db /tmp/s1m.duckdb] [--json out.json]

Needs Debian's Chromium at /usr/bin/chromium and Playwright (requirements.txt), as the e2e tests do.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.streamlit_browser import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, declared_pages  # noqa: E402

FLOOR_APP = ROOT / "bench" / "browser_floor.py"
APP = ROOT / "dashboard" / "app.py"
VIEWPORT = {"width": 1440, "height": 900}
SESSION_TIMEOUT_MS = 120_000
IDLE_HOLD_MS = 300  # idle must hold this long: a rerun that starts straight after a run is not idle
METRIC = '[data-testid="stMetricValue"]'
# pages whose first figure is not an st.metric: what a person looks for first
FIRST_FIGURE = {
    "data": '[data-testid="stDownloadButton"] button',
    "assumptions": ".st-key-figures_basis",
    "scenarios": ".st-key-figures_basis",
}
TARGETS = {"first_over_floor_s": 1.0, "idle_over_floor_s": 2.0, "large_first_over_floor_s": 2.0, "filter_s": 1.0}
FILTER_LABEL = "Service area"

INSTRUMENT_JS = """(firstSelector) => {
  const b = window.__bench = {first: null, runs: 0, ws: 0, wsBytes: 0, idleSince: null, state: null};
  const check = () => {
    if (b.first === null) {
      const e = document.querySelector(firstSelector);
      if (e && e.offsetParent !== null && e.innerText.trim()) b.first = performance.now();
    }
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.dataset.testScriptState;
    if (state !== b.state) { if (state === 'running') b.runs += 1; b.state = state; }
  };
  new MutationObserver(check).observe(document, {childList: true, subtree: true, characterData: true,
                                                 attributes: true, attributeFilter: ['data-test-script-state']});
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', (event) => {
      b.ws += 1;
      b.wsBytes += event.data.byteLength || event.data.size || event.data.length || 0;
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
}"""

IDLE_HELD_JS = (
    """(hold) => {
  const idle = ("""
    + IDLE_JS
    + """)();
  const b = window.__bench;
  if (!idle || b.first === null) { b.idleSince = null; return false; }
  if (b.idleSince === null) b.idleSince = performance.now();
  return performance.now() - b.idleSince >= hold ? b.idleSince : false;
}"""
)

RESOURCES_JS = """() => {
  const entries = performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'));
  const others = entries.map(e => new URL(e.name, location.href))
    .filter(u => u.host !== location.host && u.protocol.startsWith('http')).map(u => u.href);
  return {requests: entries.length, bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0), others};
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(script: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
    ]
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )  # cwd: the app's own .streamlit/config.toml applies to both servers
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{script.name} exited: {log.read_text(encoding='utf-8')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"{script.name} did not start within 120 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def process_cpu_s(pid: int | None) -> float | None:
    """User plus system CPU seconds a process has used (Linux /proc), None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def visit(browser, url: str, first_selector: str = METRIC, then=None, server_pid: int | None = None) -> dict:
    """One fresh session: open url, wait for the first figure and for idle; then(page) may act and add figures."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(SESSION_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(f"({INSTRUMENT_JS})({json.dumps(first_selector)})")
    devtools = context.new_cdp_session(page)
    devtools.send("Performance.enable", {"timeDomain": "threadTicks"})
    server_before = process_cpu_s(server_pid)
    try:
        page.goto(url, wait_until="commit")
        idle = page.wait_for_function(IDLE_HELD_JS, arg=IDLE_HOLD_MS, polling=20).json_value()
        server_after = process_cpu_s(server_pid)
        cpu = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
        stats = page.evaluate("() => window.__bench")
        result = {
            "first_s": stats["first"] / 1000,
            "idle_s": idle / 1000,
            "browser_cpu_s": cpu.get("ThreadTime"),
            "script_s": cpu.get("ScriptDuration"),
            "server_cpu_s": None if server_before is None else server_after - server_before,
            "ws_messages": stats["ws"],
            "ws_kb": stats["wsBytes"] / 1024,
            "script_runs": stats["runs"],
            **page.evaluate(RESOURCES_JS),
        }
        result["http_kb"] = result.pop("bytes") / 1024
        if page.locator('[data-testid="stException"]').count():
            result["error"] = page.locator('[data-testid="stException"]').first.inner_text()[:300]
        if then is not None:
            result.update(then(page))
    except Exception as exc:  # a page that never settles is a result, not a crash of the whole bench
        result = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"}
    finally:
        context.close()
    if errors:
        result["page_errors"] = errors[:3]
    return result


def filter_change(page) -> dict:
    """Choose the first service area in the sidebar filter; seconds from the click until the figures change."""
    before = page.locator(METRIC).first.inner_text()
    page.get_by_role("combobox", name=FILTER_LABEL).click()
    option = page.get_by_role("option").nth(1)  # the first is "Select all"
    option.wait_for(state="visible")
    started = time.perf_counter()
    option.click()
    page.wait_for_function(
        "(before) => { const m = document.querySelector('" + METRIC + "'); return !!m && m.innerText !== before; }",
        arg=before,
        polling=10,
    )
    return {"filter_s": time.perf_counter() - started}


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarise(visits: list[dict]) -> dict:
    good = [v for v in visits if "error" not in v]
    out = {"sessions": len(visits), "failed": len(visits) - len(good)}
    for key in (
        "first_s",
        "idle_s",
        "browser_cpu_s",
        "script_s",
        "server_cpu_s",
        "ws_messages",
        "ws_kb",
        "requests",
        "http_kb",
        "script_runs",
        "filter_s",
    ):
        values = [v[key] for v in good if v.get(key) is not None]
        if values:
            out[key] = median(values)
            out[key + "_range"] = [min(values), max(values)]
    others = sorted({u for v in good for u in v.get("others", [])})
    if others:
        out["other_hosts"] = others
    errors = [v["error"] for v in visits if "error" in v]
    if errors:
        out["errors"] = errors[:3]
    return out


def build_demo(folder: Path) -> Path:
    path = folder / "demo.duckdb"
    subprocess.run(
        [sys.executable, "-m", "dashboard", "init", "--demo", "--db", str(path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return path


def machine() -> dict:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), "")
    version = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, check=False).stdout
    return {"cpus": os.cpu_count(), "cpu_model": model, "chromium": version.strip(), "load_at_start": os.getloadavg()}


def run(args) -> dict:
    from playwright.sync_api import sync_playwright

    pages = declared_pages()
    report: dict = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "sessions": args.sessions,
    }
    env = {"COMMISSIONING_ROLE": args.role, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with tempfile.TemporaryDirectory(prefix="bench_browser_") as tmp:
        folder = Path(tmp)
        demo = Path(args.db) if args.db else build_demo(folder)
        floor, floor_url = start_server(FLOOR_APP, env, folder / "floor.log")
        app, app_url = start_server(APP, {**env, "COMMISSIONING_DB": str(demo)}, folder / "app.log")
        large = large_url = None
        if args.large_db:
            large, large_url = start_server(APP, {**env, "COMMISSIONING_DB": args.large_db}, folder / "large.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                # the first visit after a start fills the shared caches (metrics, queries): reported on its own
                report["first_visit_after_start"] = {"floor": visit(browser, floor_url, server_pid=floor.pid)}
                for p in pages:
                    selector = FIRST_FIGURE.get(p.slug, METRIC)
                    report["first_visit_after_start"][p.slug] = visit(
                        browser, f"{app_url}/{p.url_path}", selector, server_pid=app.pid
                    )
                if large_url:
                    report["first_visit_after_start"]["large_portfolio"] = visit(
                        browser, large_url, server_pid=large.pid
                    )
                visits: dict[str, list[dict]] = {"floor": [], **{p.slug: [] for p in pages}}
                large_visits: list[dict] = []
                for _ in range(args.sessions):
                    visits["floor"].append(visit(browser, floor_url, server_pid=floor.pid))
                    for p in pages:
                        selector = FIRST_FIGURE.get(p.slug, METRIC)
                        visits[p.slug].append(visit(browser, f"{app_url}/{p.url_path}", selector, server_pid=app.pid))
                    if large_url:
                        large_visits.append(visit(browser, large_url, then=filter_change, server_pid=large.pid))
                browser.close()
        finally:
            for server in (app, floor, large):
                if server is not None:
                    stop(server)
    report["pages"] = {name: summarise(v) for name, v in visits.items()}
    if large_url:
        report["large_portfolio"] = {"db": args.large_db, **summarise(large_visits)}
    report["machine"]["load_at_end"] = os.getloadavg()
    return report


def check_targets(report: dict) -> list[str]:
    """Each target as a line: met or missed, with the figure."""
    floor = report["pages"]["floor"]
    lines = []
    for name, row in report["pages"].items():
        if name == "floor" or "first_s" not in row:
            continue
        first, idle = row["first_s"] - floor["first_s"], row["idle_s"] - floor["idle_s"]
        ok = first <= TARGETS["first_over_floor_s"] and idle <= TARGETS["idle_over_floor_s"]
        verdict = "met   " if ok else "MISSED"
        lines.append(f"{verdict} {name}: first figure floor {first:+.2f} s, idle floor {idle:+.2f} s")
    large = report.get("large_portfolio")
    if large and "first_s" in large:
        first = large["first_s"] - floor["first_s"]
        ok = first <= TARGETS["large_first_over_floor_s"] and large.get("filter_s", 99) <= TARGETS["filter_s"]
        lines.append(
            f"{'met   ' if ok else 'MISSED'} large portfolio: first figure floor {first:+.2f} s, "
            f"filter change {large.get('filter_s', float('nan')):.2f} s"
        )
    return lines


def print_report(report: dict) -> None:
    m = report["machine"]
    print(
        f"{report['started']}: {m['cpus']} CPUs ({m['cpu_model']}), {m['chromium']}; "
        f"load average {m['load_at_start'][0]:.1f} at start, "
        f"{m['load_at_end'][0]:.1f} at end; {report['sessions']} fresh sessions a page, medians"
    )
    rows = dict(report["pages"])
    if "large_portfolio" in report:
        rows["large portfolio"] = report["large_portfolio"]
    heads = ("first", "idle", "br. CPU", "srv CPU", "ws msgs", "ws KB", "requests", "HTTP KB")
    print(f"{'page':16s} " + " ".join(f"{h:>8s}" for h in heads) + " runs")
    for name, row in rows.items():
        if "first_s" not in row:
            print(f"{name:16s} failed: {row.get('errors')}")
            continue
        cpu = " ".join(f"{row[k]:7.2f}s" if k in row else f"{'-':>8s}" for k in ("browser_cpu_s", "server_cpu_s"))
        print(
            f"{name:16s} {row['first_s']:6.2f}s {row['idle_s']:6.2f}s {cpu} {row['ws_messages']:8.0f} "
            f"{row['ws_kb']:7.0f} {row['requests']:8.0f} {row['http_kb']:8.0f} {row['script_runs']:4.0f}"
            + (f"  filter change {row['filter_s']:.2f}s" if "filter_s" in row else "")
        )
    print("br. CPU: the page's main-thread CPU until idle; srv CPU: the server process's, for the session")
    others = sorted({u for row in rows.values() for u in row.get("other_hosts", [])})
    print("requests to other hosts: " + (", ".join(others) if others else "none"))
    for line in check_targets(report):
        print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5, help="fresh sessions per page (interleaved rounds)")
    parser.add_argument("--db", help="database for the pages (default: the demo, built in a temporary folder)")
    parser.add_argument("--large-db", help="a large portfolio, e.g. from init --synthetic 1000000 --seed 1")
    parser.add_argument("--role", default="admin", help="local-mode role (admin sees every page)")
    parser.add_argument("--json", help="also write the full report here")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"skipped: no Chromium at {CHROMIUM}")
        return 0
    report = run(args)
    report["targets"] = check_targets(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

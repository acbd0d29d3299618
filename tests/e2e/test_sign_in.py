"""Sign-in tested for real: a local OpenID Connect provider, `st.login` configured against it, and people holding
each role signing in through Chromium.

The provider is panva's `oidc-provider` from the npm registry (tests/e2e/oidc/, installed by `make test` and
.ci/run with `npm ci`), on 127.0.0.1, started and stopped here. Its ID tokens carry the claims Microsoft Entra ID
sends: name, email, `oid` (the account's object id) and `groups`. The dashboard runs with its own secrets.toml
(`--secrets.files`, written into a temporary folder with the provider's address) and its own roles file, which
names people by `oid` and groups only, as the README asks. Each person signs in on the provider's login page in
a fresh browser context; the test checks the pages each may open and that a decision records the signed-in
account (name and oid), never a typed name.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.database import db
from dashboard.files.decisions import decision_history, get_decision
from tests.e2e.conftest import _free_port
from tests.e2e.streamlit_browser import ROOT, TIMEOUT_MS, open_page, rerun_after, wait_until_idle

expect = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements.txt").expect

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
START_SECONDS = 90
DECISION_MAKERS_GROUP = "5d1c0a9e-0000-4000-8000-00000000dm01"
USERS = {  # login on the provider's page -> the claims its ID token carries
    "val": {"name": "Val Viewer", "email": "val@exampleshire.test", "oid": "0a000000-0000-4000-8000-000000000001"},
    "cam": {
        "name": "Cam Commissioner",
        "email": "cam@exampleshire.test",
        "oid": "0a000000-0000-4000-8000-000000000002",
    },
    "fin": {"name": "Fin Finance", "email": "fin@exampleshire.test", "oid": "0a000000-0000-4000-8000-000000000003"},
    "dee": {
        "name": "Dee Director",
        "email": "dee@exampleshire.test",
        "oid": "0a000000-0000-4000-8000-000000000004",
        "groups": [DECISION_MAKERS_GROUP],
    },
    "ada": {"name": "Ada Admin", "email": "ada@exampleshire.test", "oid": "0a000000-0000-4000-8000-000000000005"},
    # someone of the council's tenant listed nowhere, whose e-mail is a listed person's: e-mail grants nothing
    "eve": {"name": "Eve Elsewhere", "email": "ada@exampleshire.test", "oid": "0a000000-0000-4000-8000-0000000000ee"},
}
ROLES = f"""
[sign_in]
default_role = "none"
required = true

[users]
"{USERS["val"]["oid"]}" = "viewer"
"{USERS["cam"]["oid"]}" = "commissioner"
"{USERS["fin"]["oid"]}" = "finance"
"{USERS["ada"]["oid"]}" = "admin"

[groups]
"{DECISION_MAKERS_GROUP}" = "decision-maker"
"""
# page url -> its heading: what each role may open
PAGES = {
    "summary": "Summary",
    "": "Portfolio",
    "project": None,  # the project's name
    "equity": "Equity: who benefits, and where",
    "decisions": "Funding decisions",
    "data": "Data",
    "budget": "Budget",
    "assumptions": "Assumptions",
    "scenarios": "Scenarios",
}
DETAIL = {"", "project", "decisions", "assumptions", "scenarios"}
MAY_OPEN = {
    "val": {"summary", "equity"},
    "cam": {"summary", "equity"} | DETAIL,
    "fin": {"summary", "equity", "budget"} | DETAIL,
    "dee": {"summary", "equity"} | DETAIL,
    "ada": set(PAGES),
}


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "the sign-in test needs Node.js (.ci/run installs it)"
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return "the sign-in test needs the test OpenID provider: npm ci --prefix tests/e2e/oidc (make test does it)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"exited with {process.returncode}:\n{log.read_text(encoding='utf-8')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url} did not answer within {START_SECONDS} s:\n{log.read_text(encoding='utf-8')}")
        time.sleep(0.2)  # polling a health endpoint, not waiting on a page


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def signed_in_app(tmp_path_factory):
    """The OpenID provider and a dashboard that signs people in with it; yields (app url, database path)."""
    folder = tmp_path_factory.mktemp("sign-in")
    provider_port, app_port = _free_port(), _free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    client = {
        "client_id": "commissioning-dashboard-test",
        "client_secret": "a-test-client-secret-for-the-local-provider-only",
        "redirect_uri": f"{app_url}/oauth2callback",
        "post_logout_redirect_uri": app_url,
    }
    provider_log = folder / "provider.log"
    with open(provider_log, "w", encoding="utf-8") as log:
        provider = subprocess.Popen(
            ["node", "provider.mjs"],
            cwd=OIDC_DIR,
            env={
                **os.environ,
                "OIDC_PORT": str(provider_port),
                "OIDC_CLIENT": json.dumps(client),
                "OIDC_USERS": json.dumps(USERS),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    metadata = f"http://127.0.0.1:{provider_port}/.well-known/openid-configuration"
    try:
        _wait_for(metadata, provider, provider_log)
        database = folder / "demo.duckdb"
        subprocess.run(
            [sys.executable, "-m", "dashboard", "init", "--demo", "--db", str(database)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "{client["redirect_uri"]}"\n'
            'cookie_secret = "a-test-cookie-secret-0123456789abcdef0123456789abcdef"\n'
            f'client_id = "{client["client_id"]}"\n'
            f'client_secret = "{client["client_secret"]}"\n'
            f'server_metadata_url = "{metadata}"\n'
            # the provider offers login and consent prompts; Streamlit asks for select_account unless told
            'client_kwargs = { prompt = "login" }\n'
            "\n[decision_record]\n"
            'key = "the sign-in test\'s decision-record key, from secrets.toml"\n',
            encoding="utf-8",
        )
        roles = folder / "roles.toml"
        roles.write_text(ROLES, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "COMMISSIONING_ROLE"}
        env.update(
            COMMISSIONING_DB=str(database),
            COMMISSIONING_ROLES=str(roles),
            STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        )
        app_log = folder / "streamlit.log"
        command = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true"]
        command += ["--server.address", "127.0.0.1", "--server.port", str(app_port)]
        command += ["--server.fileWatcherType", "none", "--secrets.files", str(secrets)]
        with open(app_log, "w", encoding="utf-8") as log:
            app = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(f"{app_url}/_stcore/health", app, app_log)
            yield app_url, database
        finally:
            _stop(app)
    finally:
        _stop(provider)


def sign_in(browser, app_url: str, login: str):
    """A fresh browser (own cookies) signed in as login on the provider's page; returns the page, back in the app."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(app_url, wait_until="domcontentloaded")
    wait_until_idle(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/interaction/" in url)  # the provider's own login page
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any password: the test provider checks none")
    page.locator('button[type="submit"]').click()
    page.wait_for_url(lambda url: url.startswith(app_url) and "/oauth2callback" not in url)
    page.wait_for_selector('[data-testid="stApp"]')
    wait_until_idle(page)
    return page


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip() if page.locator("h1").count() else ""


@pytest.mark.parametrize("login", ["val", "cam", "fin", "dee", "ada"])
def test_each_role_signed_in_opens_exactly_its_pages(browser, signed_in_app, login):
    app_url, _ = signed_in_app
    page = sign_in(browser, app_url, login)
    try:
        expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(f"Signed in as {USERS[login]['name']}")
        assert "LOCAL MODE" not in page.locator('[data-testid="stApp"]').inner_text()
        for url_path, title in PAGES.items():
            open_page(page, app_url, url_path, "project=P001" if url_path in ("project", "decisions") else "")
            text = page.locator('[data-testid="stMain"]').inner_text()
            if url_path in MAY_OPEN[login]:
                assert "You do not have access" not in text, (login, url_path)
                if title is not None:
                    assert heading(page) == title, (login, url_path)
            else:
                assert title is None or heading(page) != title, (login, url_path)
                assert "Drumkit" not in text, (login, url_path)  # no project detail leaks
        if login in ("cam", "fin", "dee", "ada"):
            open_page(page, app_url)
            exports = page.get_by_role("button", name="Download finance workbook (Excel)").count() > 0
            assert exports == (login in ("fin", "ada")), login
        if login in ("cam", "fin"):
            open_page(page, app_url, "decisions", "project=P001")
            assert page.get_by_role("button", name="Record the decision").count() == 0
    finally:
        page.context.close()


def test_a_listed_persons_email_on_another_account_gets_no_access(browser, signed_in_app):
    app_url, _ = signed_in_app
    page = sign_in(browser, app_url, "eve")
    try:
        assert heading(page) == "No access"
        assert "have not been given a role" in page.locator('[data-testid="stMain"]').inner_text()
    finally:
        page.context.close()


def test_a_decision_records_the_signed_in_account_not_a_typed_name(browser, signed_in_app):
    app_url, database = signed_in_app
    page = sign_in(browser, app_url, "dee")
    try:
        open_page(page, app_url, "decisions", "project=P003")
        signed = page.get_by_label("Decided by (from your sign-in; kept in the record, not published)")
        expect(signed).to_have_value("Dee Director")
        expect(signed).to_be_disabled()
        assert page.get_by_label("Decided by (kept in the record, not published)").count() == 0
        rationale = "Sign-in test: keep the service while the evaluation finishes, decided by the signed-in account."
        page.get_by_label("Rationale: why this decision (published)").fill(rationale)
        rerun_after(page, page.get_by_role("button", name="Record the decision").click)
        success = page.locator('[data-testid="stAlertContentSuccess"]')
        success.wait_for(state="visible")
        decision_id = success.inner_text().removeprefix("Recorded decision ").split(":")[0]
    finally:
        page.context.close()
    con = db.connect_read_only(database)
    try:
        record = get_decision(con, decision_id)
        assert len(decision_history(con)) == 1
    finally:
        con.close()
    assert record["rationale"] == rationale
    assert (record["decided_by"], record["decided_by_id"]) == ("Dee Director", USERS["dee"]["oid"])
    assert record["chain_scheme"] == "hmac-sha256"  # sealed under the key from the app's secrets
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "verify-decisions", "--db", str(database)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COMMISSIONING_DECISION_KEY": "the sign-in test's decision-record key, from secrets.toml"},
    )
    assert done.returncode == 0, done.stderr

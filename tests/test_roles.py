"""Each role sees and can do only what it should: the permission rules, the roles file, small-number suppression,
and the app itself in local mode and signed in (AppTest, with the role set the way the app resolves it)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.rules import access

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
PAGES = ROOT / "dashboard" / "views"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-secret-that-is-long-enough-0123456789",
    "client_id": "test-client",
    "client_secret": "test-secret",
    "server_metadata_url": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
}
ROLES_FILE = """
[local]
role = "viewer"
[sign_in]
default_role = "none"
[users]
"7F3C1A2E-5B6D-4E8F-9A0B-1C2D3E4F5A6B" = "finance"  # Sam's Entra ID object id (oid)
"pat-sub-0001" = "viewer"  # another provider's sub
[groups]
"group-decision-makers" = ["decision-maker"]
"""


# ---- the rules


def test_each_role_has_exactly_its_permissions():
    expected = {
        "viewer": {"view_aggregates"},
        "commissioner": {"view_aggregates", "view_project_detail", "use_scenarios"},
        "finance": {"view_aggregates", "view_project_detail", "use_scenarios", "export_finance"},
        "decision-maker": {"view_aggregates", "view_project_detail", "use_scenarios", "record_decisions"},
        "admin": set(access.PERMISSIONS),
    }
    assert {role: set(perms) for role, perms in access.ROLE_PERMISSIONS.items()} == expected
    assert not access.can(["commissioner"], "export_finance")
    assert not access.can(["finance"], "record_decisions")
    assert not access.can(["decision-maker"], "import_data")
    assert access.can(["finance", "decision-maker"], "record_decisions")  # several roles: every permission of each
    with pytest.raises(KeyError):
        access.can(["admin"], "delete_everything")


def test_every_pages_address_is_its_files_name_so_tests_and_permissions_name_the_same_page():
    """AppTest.switch_page finds a page by its file name before the first run: a page whose address differs (as
    the Summary's once did) silently opens the home page instead, and its tests check the wrong page."""
    from tests.e2e.streamlit_browser import declared_pages

    pages = declared_pages()
    assert len(pages) == len(list(PAGES.glob("*.py")))
    for page in pages:
        assert page.url_path in ("", Path(page.source).stem), page


def test_every_page_needs_a_permission_and_only_the_summary_and_equity_pages_are_for_viewers():
    stems = sorted(p.stem for p in PAGES.glob("*.py"))
    viewer_pages = [s for s in stems if access.can(["viewer"], access.page_permission(s))]
    assert viewer_pages == [s for s in ["equity", "summary"] if s in stems]
    assert access.page_permission("a_page_added_later") == "view_project_detail"  # hidden from viewers by default
    assert access.page_permission("data") == "import_data"
    assert access.page_permission("decisions") == "view_project_detail"  # the form inside needs record_decisions


SAM_OID = "7f3c1a2e-5b6d-4e8f-9a0b-1c2d3e4f5a6b"


def test_the_roles_file_maps_account_ids_in_any_case_and_groups_never_emails_by_default(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text(ROLES_FILE)
    config = access.load_roles_config(path)
    assert access.roles_for(config, "sam@exampleshire.gov.uk", [], account_id=SAM_OID) == ("finance",)
    assert access.roles_for(config, None, [], account_id=SAM_OID.upper()) == ("finance",)
    assert access.roles_for(config, None, [], account_id="pat-sub-0001") == ("viewer",)
    assert access.roles_for(config, "x@y.uk", ["group-decision-makers"], account_id="someone-else") == (
        "decision-maker",
    )
    assert access.roles_for(config, None, ["group-decision-makers"], account_id=SAM_OID) == (
        "finance",
        "decision-maker",
    )
    assert access.roles_for(config, "stranger@elsewhere.com", ["other-group"], account_id="x") == ()  # role "none"


def test_email_is_matched_only_when_the_roles_file_opts_in(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text('[sign_in]\ndefault_role = "none"\n[users]\n"Sam.Finance@Exampleshire.gov.uk" = "finance"\n')
    with pytest.raises(access.RolesConfigError, match="matched only with \\[sign_in\\] match_email = true"):
        access.load_roles_config(path)
    path.write_text(
        '[sign_in]\ndefault_role = "none"\nmatch_email = true\n[users]\n"Sam.Finance@Exampleshire.gov.uk" = "finance"\n'
    )
    config = access.load_roles_config(path)
    assert access.roles_for(config, "SAM.finance@exampleshire.gov.uk", [], account_id="any") == ("finance",)
    assert access.roles_for(config, "someone@exampleshire.gov.uk", [], account_id="any") == ()


def test_the_shipped_roles_file_is_valid_and_local_mode_is_commissioner(monkeypatch):
    monkeypatch.delenv("COMMISSIONING_ROLE", raising=False)
    config = access.load_roles_config(ROOT / "config" / "roles.toml")
    assert access.local_role(config) == "commissioner"
    assert access.roles_for(config, "someone@exampleshire.gov.uk", []) == ("viewer",)


@pytest.mark.parametrize(
    "text, message",
    [
        ('[users]\n"7f3c1a2e" = "superuser"', "unknown role 'superuser'"),
        ("[privacy]\nmin_projects_per_group = 0", "min_projects_per_group must be a whole number"),
        ('[local]\nrole = "none"', "not a role"),
        ("[everyone]\nrole = 1", "unknown section"),
        ("[users\n", "not valid TOML"),
    ],
)
def test_a_mistake_in_the_roles_file_is_an_error_naming_it_not_a_silent_grant(tmp_path, text, message):
    path = tmp_path / "roles.toml"
    path.write_text(text)
    with pytest.raises(access.RolesConfigError, match=message):
        access.load_roles_config(path)


def test_a_group_of_fewer_than_three_projects_is_hidden_from_viewers_with_the_next_smallest_if_alone():
    assert access.hidden_small_groups([1, 5, 9]) == [True, True, False]  # else total minus 5 and 9 gives it back
    assert access.hidden_small_groups([1, 2, 9]) == [True, True, False]
    assert access.hidden_small_groups([0, 3, 9]) == [False, False, False]
    assert access.hidden_small_groups([2, 4, 4, 9], min_projects=5) == [True, True, True, False]
    assert access.hidden_small_groups([1, 9], min_projects=1) == [False, False]  # people who see projects anyway


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_a_commissioner_sees_every_groups_figures_on_the_summary(app):
    at = app(role="commissioner", page="summary")
    at.run()
    assert not at.exception
    assert "*" not in at.dataframe[0].value["Committed funding"].tolist()


def test_counts_of_one_to_seven_people_are_shown_as_a_star():
    assert [access.suppress_count(n) for n in [0, 1, 7, 8, 1234, None]] == ["0", "*", "*", "8", "1,234", ""]
    frame = access.suppress_counts(pd.DataFrame({"people": [3, 12]}), ["people"])
    assert frame["people"].tolist() == ["*", "12"]


def test_a_lone_small_count_beside_a_total_takes_the_next_smallest_with_it():
    assert access.suppressed_column([1, 40, 10]) == ["*", "40", "*"]  # else total minus 40 and 10 gives 1 back
    assert access.suppressed_column([2, 3, 40]) == ["*", "*", "40"]  # two hidden already: nothing more
    assert access.suppressed_column([0, 40, 10]) == ["0", "40", "10"]


# ---- the app


@pytest.fixture
def app(tiny_db, monkeypatch, tmp_path):
    monkeypatch.setenv("COMMISSIONING_DB", str(tiny_db))
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES_FILE)
    monkeypatch.setenv("COMMISSIONING_ROLES", str(roles))
    monkeypatch.delenv("COMMISSIONING_ROLE", raising=False)

    def make(role: str | None = None, page: str | None = None, source: str = APP) -> AppTest:
        if role:
            monkeypatch.setenv("COMMISSIONING_ROLE", role)
        at = AppTest.from_file(source, default_timeout=60)
        at.query_params["as_of"] = "2026-11-22"
        if page:
            at.switch_page(f"views/{page}.py")
        return at

    return make


def form_key(at: AppTest, name: str) -> str:
    """The Decisions form's widget key for a field (each form has its own, by its submission token)."""
    return f"{name}_{at.session_state['decision_form_token']}"


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "warning", "error", "info") for e in getattr(at, kind)]
    parts += [str(df.value.to_dict()) for df in at.dataframe]
    return "\n".join(parts)


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_a_viewer_gets_the_summary_with_small_counts_hidden_and_never_a_project(app):
    at = app()  # the roles file's local role is viewer
    at.run()
    assert not at.exception
    assert titles(at) == ["Summary"]
    assert "LOCAL MODE" in texts(at) and "viewer" in texts(at)
    by_area = at.dataframe[0].value
    assert by_area["Service area"].tolist() == ["Carers", "Older people", "Physical disability"]
    # one project in each service area: a viewer would read each project's own figures, so every group is hidden
    assert by_area["Projects"].tolist() == ["1", "1", "1"]
    assert by_area["People reached"].tolist() == ["*", "*", "*"]
    assert by_area["Committed funding"].tolist() == ["*", "*", "*"]
    assert by_area["Projects at high risk"].tolist() == ["*", "*", "*"]
    assert next(m.value for m in at.metric if m.label == "People reached") == "51"
    assert next(m.value for m in at.metric if m.label == "Committed funding") != "*"  # three projects together
    assert "Drumkit" not in texts(at)
    for page in ["portfolio", "project", "decisions", "assumptions"]:
        at = app(page=page)
        at.query_params["project"] = "P001"
        at.run()
        assert not at.exception
        # the router does not offer the page, and the page itself refuses if reached anyway
        refused = any("You do not have access" in e.value for e in at.error)
        assert titles(at) == ["Summary"] or (refused and titles(at) == ["No access"]), page
        assert "Drumkit" not in texts(at) and not at.metric or titles(at) == ["Summary"]


@pytest.mark.parametrize(
    "role, page, allowed",
    [
        ("viewer", "project", False),
        ("commissioner", "project", True),
        ("commissioner", "assumptions", True),
        ("viewer", "decisions", False),
        ("commissioner", "decisions", True),
        ("finance", "decisions", True),
        ("decision-maker", "decisions", True),
        ("admin", "decisions", True),
        ("viewer", "equity", True),
        ("viewer", "scenarios", False),
        ("commissioner", "data", False),
        ("decision-maker", "data", False),
        ("admin", "data", True),
    ],
)
@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_each_page_itself_refuses_a_role_without_its_permission(app, role, page, allowed):
    at = app(role=role, source=str(PAGES / f"{page}.py"))  # opened directly, past the router
    at.query_params["project"] = "P001"
    at.run()
    assert not at.exception
    refused = any("You do not have access" in e.value for e in at.error)
    assert refused != allowed
    if not allowed:
        assert "Drumkit" not in texts(at) and titles(at) == ["No access"]


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_a_commissioner_in_local_mode_sees_the_cost_of_stopping_but_no_decision_form(app):
    at = app(role="commissioner")
    at.run()
    assert not at.exception
    assert titles(at) == ["Portfolio"]
    assert "LOCAL MODE" in texts(at)
    at = app(role="commissioner", page="decisions")
    at.query_params["project"] = "P001"
    at.run()
    assert not at.exception
    assert titles(at) == ["Funding decisions"]
    assert not [b for b in at.button if "Record the decision" in b.label]
    assert any("not record one" in i.value for i in at.info)


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_with_sign_in_configured_nobody_sees_data_before_signing_in(app):
    at = app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert "LOCAL MODE" not in texts(at)
    assert not at.metric and not at.dataframe


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_signed_in_roles_come_from_the_account_id_and_groups(app):
    sam = {"is_logged_in": True, "email": "SAM.finance@exampleshire.gov.uk", "name": "Sam", "oid": SAM_OID}
    at = app()
    at.secrets["auth"] = AUTH
    at.user = sam
    at.run()
    assert not at.exception
    assert titles(at) == ["Portfolio"]
    assert [c.value for c in at.sidebar.caption] == ["Signed in as Sam (finance)"]
    assert "LOCAL MODE" not in texts(at)

    at = app(page="decisions")
    at.secrets["auth"] = AUTH
    at.user = sam
    at.query_params["project"] = "P001"
    at.run()
    assert not at.exception
    assert not [b for b in at.button if "Record the decision" in b.label]  # finance may not record decisions

    at = app(page="decisions")
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "ann@exampleshire.gov.uk", "groups": ["group-decision-makers"]}
    at.query_params["project"] = "P001"
    at.run()
    assert not at.exception
    assert titles(at) == ["Funding decisions"]


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_a_signed_in_stranger_is_turned_away_when_the_default_role_is_none(app):
    at = app()
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "stranger@elsewhere.com"}
    at.run()
    assert not at.exception
    assert titles(at) == ["No access"]
    assert not at.metric and not at.dataframe


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
@pytest.mark.parametrize("role, shown", [("commissioner", False), ("decision-maker", False), ("finance", True)])
def test_only_finance_and_admin_get_the_finance_export_buttons(app, role, shown):
    at = app(role=role)
    at.run()
    assert not at.exception
    assert titles(at) == ["Portfolio"]
    assert ("Finance exports" in [s.value for s in at.subheader]) == shown


ANN_OID = "0b8e2f4a-1111-4c2d-9e3f-5a6b7c8d9e0f"


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_a_signed_in_decision_records_the_account_not_a_typed_name(app, tiny_db, read):
    at = app(page="decisions")
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "name": "Ann Director", "oid": ANN_OID, "groups": ["group-decision-makers"]}
    at.query_params["project"] = "P002"
    at.run()
    assert not at.exception
    assert not [t for t in at.text_input if t.key == form_key(at, "decided_by")]  # nothing to type a name into
    shown = next(t for t in at.text_input if t.label.startswith("Decided by (from your sign-in"))
    assert shown.value == "Ann Director" and shown.disabled
    at.selectbox(key=form_key(at, "decision")).set_value("continue")
    at.text_area(key=form_key(at, "rationale")).input(
        "The lunch club reduces loneliness; keep funding it for another year."
    )
    next(b for b in at.button if b.label == "Record the decision").click()
    at.run()
    assert not at.exception
    assert "Recorded decision D0001" in at.success[0].value
    from dashboard.files.decisions import get_decision

    record = get_decision(read(tiny_db), "D0001")
    assert (record["decided_by"], record["decided_by_id"]) == ("Ann Director", ANN_OID)


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_someone_using_another_persons_email_gets_nothing_by_it(app):
    at = app()
    at.secrets["auth"] = AUTH
    # the address of a listed person, but another account: Microsoft's warning about email and preferred_username
    at.user = {"is_logged_in": True, "email": "sam.finance@exampleshire.gov.uk", "oid": "another-tenant-oid"}
    at.run()
    assert not at.exception
    assert titles(at) == ["No access"]


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_local_mode_says_it_listens_only_on_this_computer(app):
    at = app(role="commissioner")
    at.run()
    assert not at.exception
    banner = next(w.value for w in at.warning if "LOCAL MODE" in w.value)
    assert "It listens only on this computer (127.0.0.1), so nobody else can reach it." in banner


def test_the_shipped_server_config_and_make_run_listen_on_this_computer_only():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "ADDRESS ?= 127.0.0.1" in makefile and "--server.address $(ADDRESS)" in makefile


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_a_signed_in_import_records_the_account_not_a_typed_name(tiny_db, monkeypatch, tmp_path):
    monkeypatch.setenv("COMMISSIONING_DB", str(tiny_db))
    roles = tmp_path / "roles.toml"
    roles.write_text(f'[sign_in]\ndefault_role = "none"\n[users]\n"{ANN_OID}" = "admin"\n')
    monkeypatch.setenv("COMMISSIONING_ROLES", str(roles))
    at = AppTest.from_file(str(PAGES / "data.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "name": "Ann Admin", "oid": ANN_OID}
    at.run()
    assert not at.exception
    assert [t.value for t in at.text_input if t.label == "Imported by (from your sign-in)"] == ["Ann Admin"]
    assert not [t for t in at.text_input if t.label.startswith("Your name")]
    at.file_uploader[0].set_value(
        ("projects.csv", (ROOT / "tests" / "data" / "tiny" / "projects.csv").read_bytes(), "text/csv")
    )
    at.button(key="FormSubmitter:upload_form-Check and import").click()
    at.run()
    assert not at.exception
    assert at.dataframe[-1].value["by"].tolist()[0] == f"Ann Admin (account {ANN_OID})"


@pytest.mark.slow  # runs the app's pages (Streamlit AppTest)
def test_a_viewer_sees_no_places_money_on_the_equity_page_when_it_is_one_projects_own(app):
    at = app(page="equity")  # the roles file's local role is viewer; the tiny portfolio has one project a place
    at.run()
    assert not at.exception
    by_locality = next(d.value for d in at.dataframe if "Locality" in d.value.columns)
    places = by_locality[by_locality["Locality"] != "Total"]
    assert len(places) >= 2
    assert set(places["Spend from now (present value of costs)"]) == {"*"}
    assert set(places["Spend per person"]) == {"*"}
    total = by_locality[by_locality["Locality"] == "Total"]
    assert total["Spend from now (present value of costs)"].iloc[0] != "*"  # three projects together
    assert "Spend per person ranges from" not in texts(at)  # no place's own figure reaches the spread or its chart

    at = app(role="commissioner", page="equity")
    at.run()
    by_locality = next(d.value for d in at.dataframe if "Locality" in d.value.columns)
    assert "*" not in set(by_locality["Spend from now (present value of costs)"])

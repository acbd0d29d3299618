"""Hardened defaults: what the browser is told and allowed (.streamlit/config.toml), and what a page query may do
(db.connect_read_only: read-only, no files outside the database, settings locked, a memory limit)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pytest

from dashboard.database import db
from dashboard.files.import_sources import MAX_UPLOAD_MB

ROOT = Path(__file__).resolve().parent.parent


def test_streamlit_config_hides_errors_caps_uploads_and_keeps_xsrf_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    client, server = config["client"], config["server"]
    assert client["showErrorDetails"] == "none"
    assert client["showErrorLinks"] is False
    assert client["disableDataExport"] is True  # exports only through the neutralising writer
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["enableStaticServing"] is False
    assert 0 < server["maxUploadSize"] <= 200
    assert server["maxUploadSize"] == MAX_UPLOAD_MB  # the server's cap and the importer's agree
    assert config["browser"]["gatherUsageStats"] is False


def test_the_sign_in_secrets_file_can_never_be_committed():
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('data/reference/council.csv')",
        "copy (select 1) to '/tmp/escaped.csv'",
        "install httpfs",
        "attach '/tmp/other.duckdb' as other",
        "set enable_external_access = true",
        "set memory_limit = '100GB'",
        "create table sneaky as select 1",
        "delete from projects",
    ],
)
def test_a_page_connection_cannot_touch_files_change_settings_or_write(tiny_db, read, sql):
    con = read(tiny_db)
    with pytest.raises(duckdb.Error):
        con.execute(sql).fetchall()
    assert con.execute("select count(*) from projects").fetchall() == [(3,)]


def test_a_page_connection_has_a_memory_limit_and_external_access_off(tiny_db, read):
    con = db.session_cursor(read(tiny_db))
    settings = dict(
        con.execute(
            "select name, value from duckdb_settings() where name in ('memory_limit', 'enable_external_access')"
        ).fetchall()
    )
    assert settings["enable_external_access"] == "false"
    assert settings["memory_limit"].endswith(("GiB", "GB", "MiB", "MB")) and not settings["memory_limit"].startswith(
        "0"
    )

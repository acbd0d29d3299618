"""Opening the commissioning database, running the SQL in queries/, and writing to it safely.

How the app shares DuckDB: readers (every page view, the CLI's reports) open the file read-only.
Every write (init, import, and later decisions) goes through `write_database`, which copies the
current file, applies the change to the copy inside one transaction, checkpoints it and then
atomically renames it over the original. So:

- a reader never sees half a change: it has the old file open or it opens the new one;
- a crash or kill part-way leaves the original untouched (only a stray temporary file);
- writers never wait on readers, because they never open the file readers hold;
- writers queue behind an exclusive lock file, so two imports cannot lose each other's rows.

Readers notice a new version by the file's identity (inode, size, modification time), which is
also what the app's caches are keyed on, so an import invalidates them without any signalling.

A database path may be a symbolic link (a container volume mounted as a file, or a link into one):
writes resolve it and work beside its target, so the rename replaces the target and the link still
names the database; the lock, the temporary copies and the decision log live beside the target too,
so two processes reaching the same file by different paths still queue behind one lock.

A writer killed part-way (SIGKILL, power loss) leaves its temporary copy behind. Every write removes
such leftovers first, while it holds the writers' lock: a live writer holds that lock for as long as
its copy exists, so whatever is found then belongs to nobody. `clean_leftovers` does the same at
start-up, only if it can take the lock at once (never waiting on, or touching, a write under way).
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
QUERIES_DIR = PROJECT_ROOT / "queries"
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
DEMO_DIR = DATA_DIR / "demo"
DEFAULT_DB_PATH = DATA_DIR / "commissioning.duckdb"

# Reference CSV file -> table it fills
REFERENCE_TABLES = {
    "optimism_bias.csv": "ref_optimism_bias",
    "discount_rates.csv": "ref_discount_rates",
    "gdp_deflators.csv": "ref_gdp_deflators",
    "projectitis_weights.csv": "ref_projectitis_weights",
    "projectitis_runway.csv": "ref_projectitis_runway",
    "projectitis_bands.csv": "ref_projectitis_bands",
    "council.csv": "ref_council",
    "budget_rag_thresholds.csv": "ref_budget_rag_thresholds",
}


def default_db_path() -> Path:
    """The database named by COMMISSIONING_DB, else data/commissioning.duckdb."""
    env = os.environ.get("COMMISSIONING_DB")
    return Path(env) if env else DEFAULT_DB_PATH


def resolve_db_path(path: Path | str | None = None) -> Path:
    """The file a database path really names: symbolic links followed (to the end of a chain), made absolute.

    Writes happen beside this file, so a link (for example a container volume) keeps naming the database.
    """
    return Path(os.path.realpath(Path(path) if path else default_db_path()))


# Names of the temporary files writers make beside a database (db.write_database's copy and its WAL,
# backup.restore's staged copy). Anything else beside it (the lock, the decision log, kept databases) is left alone.
LEFTOVER_SUFFIXES = (".tmp", ".restore")


def _leftovers(db_path: Path) -> list[Path]:
    found = []
    for suffix in LEFTOVER_SUFFIXES:
        found += [p for p in db_path.parent.glob(db_path.name + suffix + "*") if p.is_file() and not p.is_symlink()]
    return sorted(found)


def remove_leftovers(db_path: Path) -> list[Path]:
    """Remove the temporary files of killed writes; the caller holds the writers' lock."""
    removed = []
    for leftover in _leftovers(db_path):
        try:
            leftover.unlink()
        except FileNotFoundError:
            continue
        removed.append(leftover)
    return removed


def clean_leftovers(path: Path | str | None = None) -> list[Path]:
    """At start-up: remove temporary files left by killed writes, unless a write is under way now.

    Takes the writers' lock without waiting; if another process holds it, that writer may be using the files,
    so nothing is touched. Returns what was removed.
    """
    db_path = resolve_db_path(path)
    lock_path = _lock_path(db_path)
    if not db_path.parent.is_dir():
        return []
    try:
        lock_file = open(lock_path, "a")  # noqa: SIM115 (closed below; "a" never truncates another's lock file)
    except OSError:
        return []  # a read-only folder: nothing could be removed anyway
    with lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return []  # a write is under way: its files are in use
            raise
        try:
            return remove_leftovers(db_path)
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@cache
def load_query(name: str) -> str:
    """The text of queries/<name>.sql."""
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"No query named {name!r} in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


def query_df(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run queries/<name>.sql with named bind parameters and return a DataFrame."""
    return con.execute(load_query(name), params or {}).df()


class DatabaseMissingError(RuntimeError):
    pass


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create any missing tables (queries/schema/*.sql, in name order) and define the macros."""
    for path in sorted((QUERIES_DIR / "schema").glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    define_macros(con)


def define_macros(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Define the table macros in queries/macros/ on this connection (they are per connection)."""
    for sql in _macro_texts():
        con.execute(sql)
    return con


@cache
def _macro_texts() -> tuple[str, ...]:
    """Every macro's text, each after the macros it calls (DuckDB binds a macro's body when it is defined)."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((QUERIES_DIR / "macros").glob("*.sql"))}
    calls = {
        name: {other for other in texts if other != name and re.search(r"\b" + other + r"\s*\(", text)}
        for name, text in texts.items()
    }
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in ordered:
            return
        if name in path:
            raise ValueError("The macros call each other in a loop: " + " -> ".join((*path, name)))
        for other in sorted(calls[name]):
            visit(other, (*path, name))
        ordered.append(name)

    for name in texts:
        visit(name)
    return tuple(texts[name] for name in ordered)


def connect_read_only(path: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection for page views and reports.

    The file is attached to a private in-memory instance rather than opened directly, because DuckDB
    shares one instance per path within a process: a direct open after a write had swapped the file
    would keep seeing the old one. External file access is then switched off and the settings locked,
    so no page query can read or write files.
    """
    db_path = Path(path) if path else default_db_path()
    if not db_path.is_file():
        raise DatabaseMissingError(
            f"No database at {db_path}. Create one with: python -m dashboard init --demo --db {db_path}"
        )
    con = duckdb.connect(":memory:", config={"memory_limit": "4GB", "threads": 2})
    con.execute("attach ? as portfolio (read_only)", [str(db_path)])
    con.execute("use portfolio")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return define_macros(con)


def session_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a read-only connection, for one thread, with the database selected and macros defined."""
    cur = con.cursor()
    cur.execute("use portfolio")
    return define_macros(cur)


def describe_contents(path: Path | str) -> str:
    """What a database holds, in words, for a warning before it is replaced: "60 projects and 3 decisions"."""
    try:
        con = connect_read_only(path)
    except (DatabaseMissingError, duckdb.Error):
        return "not a readable database"
    try:
        counts = dict(con.execute(load_query("table_row_counts")).fetchall())
    finally:
        con.close()
    projects = counts.get("projects", 0)
    decisions = counts.get("decisions", 0)
    return (
        f"{projects:,} project{'s' if projects != 1 else ''} and {decisions:,} decision{'s' if decisions != 1 else ''}"
    )


def database_version(path: Path | str | None = None) -> tuple[str, int, int, int]:
    """An identity that changes whenever a write replaces the file; caches are keyed on it."""
    db_path = Path(path) if path else default_db_path()
    st = db_path.stat()
    return (str(db_path.resolve()), st.st_ino, st.st_size, st.st_mtime_ns)


def _lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


# Work every write must do on its own data just before it commits, registered by the modules above this one
# (appraisal registers storing its reference figures when it is imported), so this module calls nothing above it.
# Keyed by the function's module and name, so registering again (or after a module reload) replaces it.
_before_commit_hooks: dict[str, Callable[[duckdb.DuckDBPyConnection], object]] = {}


def register_before_commit(hook: Callable[[duckdb.DuckDBPyConnection], object]) -> None:
    """Run hook(con) inside every write_database transaction, after its block and just before it commits.

    A hook sees the data as it will be committed; if it raises, the write is rolled back and nothing is replaced.
    A module that registers one must be imported by every program that writes (the command line, the app and the
    importer import dashboard.rules.appraisal; tests/test_import_direction.py checks it).
    """
    _before_commit_hooks[f"{hook.__module__}.{hook.__qualname__}"] = hook


@contextmanager
def writer_lock(db_path: Path) -> Iterator[None]:
    """The writers' exclusive lock for the database file db_path (already resolved: see resolve_db_path).

    Held by every write for as long as its copy exists; backup and restore hold it too, so neither overlaps a write.
    """
    with open(_lock_path(db_path), "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


@contextmanager
def write_database(
    path: Path | str | None = None,
    *,
    fresh: bool = False,
    before_swap: Callable[[], None] | None = None,
    after_swap: Callable[[], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of the database, swapped in only if the block succeeds.

    The block runs inside one transaction. With fresh=True the copy starts empty (used by init). Before the
    transaction commits, every before-commit hook runs on the connection (see register_before_commit: the
    appraisal stores its figures at the council's reference assumptions for the data as it now is).

    before_swap runs once the copy is committed and on disk, just before it replaces the database; if it
    raises, nothing is replaced. after_swap runs just after. Both run under the writers' lock (the decision
    log uses them to note a change before it happens and confirm it after).
    """
    db_path = resolve_db_path(path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(db_path):
        remove_leftovers(db_path)
        fd, tmp_name = tempfile.mkstemp(prefix=db_path.name + ".tmp", dir=db_path.parent)
        os.close(fd)
        tmp_path = Path(tmp_name)
        tmp_path.unlink()  # DuckDB must create the file itself
        try:
            if db_path.exists() and not fresh:
                shutil.copyfile(db_path, tmp_path)
            con = duckdb.connect(str(tmp_path))
            try:
                create_schema(con)
                con.begin()
                try:
                    yield con
                    for hook in tuple(_before_commit_hooks.values()):
                        hook(con)
                except BaseException:
                    con.rollback()
                    raise
                con.commit()
                con.execute("checkpoint")
            finally:
                con.close()
            with open(tmp_path, "rb+") as f:
                os.fsync(f.fileno())
            if before_swap is not None:
                before_swap()
            os.replace(tmp_path, db_path)
            fsync_directory(db_path.parent)
            if after_swap is not None:
                after_swap()
        finally:
            for leftover in (tmp_path, tmp_path.with_name(tmp_path.name + ".wal")):
                leftover.unlink(missing_ok=True)


def fsync_directory(folder: Path) -> None:
    """Make a rename or a new file in folder durable (the directory entry itself reaches the disk)."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def connection_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file the connection's current database is, or None for an in-memory one."""
    rows = con.execute(load_query("current_database_path")).fetchall()
    return Path(rows[0][0]) if rows and rows[0][0] else None


def load_reference_tables(con: duckdb.DuckDBPyConnection, reference_dir: Path = REFERENCE_DIR) -> None:
    """Replace the reference tables with the CSVs in data/reference/."""
    for file_name, table in REFERENCE_TABLES.items():
        frame = pd.read_csv(reference_dir / file_name, encoding="utf-8-sig")
        upsert_rows(con, table, frame, key=None)


def upsert_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, key: str | None) -> int:
    """Insert frame's rows into table by column name, replacing rows with the same key; return how many were replaced.

    With key=None every existing row is replaced. The table and key are identifiers checked against
    the database's own catalogue, never user text, and are quoted before they are spliced in.
    """
    columns = {r[0] for r in con.execute(load_query("table_columns"), {"table_name": table}).fetchall()}
    if not columns:
        raise ValueError(f"Unknown table {table!r}")
    if key is not None and key not in columns:
        raise ValueError(f"{key!r} is not a column of {table}")
    t = '"' + table + '"'
    con.register("incoming_rows", frame)
    try:
        if key is None:
            replaced = con.execute("select count(*) from " + t).fetchall()[0][0]  # noqa: S608
            con.execute("delete from " + t)  # noqa: S608
        else:
            k = '"' + key + '"'
            matching = " where " + k + " in (select " + k + " from incoming_rows)"  # noqa: S608
            replaced = con.execute("select count(*) from " + t + matching).fetchall()[0][0]  # noqa: S608
            con.execute("delete from " + t + matching)  # noqa: S608
        con.execute("insert into " + t + " by name select * from incoming_rows")  # noqa: S608
    finally:
        con.unregister("incoming_rows")
    return int(replaced)

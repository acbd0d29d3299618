"""Who may see and do what: roles, their permissions, the roles config file and small-number suppression.

The tool holds a council's spending decisions and, through the projects, traces of people who draw on care,
so not everyone who can open it should see project detail, export finance figures, record a decision or
replace the data. Five roles, each a set of permissions:

- viewer: aggregates only (totals by service area and place), with counts of people from 1 to 7 shown as '*';
- commissioner: project detail and scenarios (the Portfolio, Project and Assumptions pages);
- finance: what a commissioner sees, plus finance exports;
- decision-maker: what a commissioner sees, plus recording funding decisions;
- admin: everything, including imports and backups.

A person may hold several roles; they get every permission of each. Who holds which role comes from a TOML
file (config/roles.toml, or the file named by $COMMISSIONING_ROLES) mapping accounts and identity-provider groups
to roles. An account is named by its immutable id: Microsoft Entra ID's `oid` claim (the object id, the same in
every app of the tenant), or the token's `sub` from another provider. Groups are Entra ID group object ids from
the `groups` claim (or app roles from `roles`). E-mail addresses can be listed only as a fallback switched on with
`[sign_in] match_email = true`: Microsoft advises against authorising on `email` or `preferred_username`, which
can be changed by the user or an administrator of another tenant. Without sign-in configured the app runs in
local mode with one role for everyone, from that file or $COMMISSIONING_ROLE.

Plain Python (no streamlit), so the rules can be tested directly and reused by the CLI.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROLES_FILE = PROJECT_ROOT / "config" / "roles.toml"

VIEW_AGGREGATES = "view_aggregates"
VIEW_PROJECT_DETAIL = "view_project_detail"
USE_SCENARIOS = "use_scenarios"
EXPORT_FINANCE = "export_finance"
RECORD_DECISIONS = "record_decisions"
IMPORT_DATA = "import_data"
MANAGE_BACKUPS = "manage_backups"

PERMISSIONS: dict[str, str] = {
    VIEW_AGGREGATES: "see totals by service area and place, with small numbers of people suppressed",
    VIEW_PROJECT_DETAIL: "see each project's figures, lines and risk",
    USE_SCENARIOS: "change the assumptions and try scenarios",
    EXPORT_FINANCE: "download finance exports",
    RECORD_DECISIONS: "record funding decisions",
    IMPORT_DATA: "import or replace the portfolio data",
    MANAGE_BACKUPS: "back up and restore the database",
}

_COMMISSIONER = frozenset({VIEW_AGGREGATES, VIEW_PROJECT_DETAIL, USE_SCENARIOS})
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({VIEW_AGGREGATES}),
    "commissioner": _COMMISSIONER,
    "finance": _COMMISSIONER | {EXPORT_FINANCE},
    "decision-maker": _COMMISSIONER | {RECORD_DECISIONS},
    "admin": frozenset(PERMISSIONS),
}
ROLES = tuple(ROLE_PERMISSIONS)

# Local mode (no sign-in configured): one role for whoever can reach the app. Commissioner lets an officer
# explore the portfolio on their own machine, but nobody can export, record a decision or replace the data
# without either signing in or the person running the server choosing a role on purpose.
DEFAULT_LOCAL_ROLE = "commissioner"
# Signed in but not named in the roles file: aggregates only (safe to show anyone in the council's tenant).
DEFAULT_SIGNED_IN_ROLE = "viewer"
NO_ROLE = "none"  # a default of "none" turns unlisted people away

SUPPRESS_UP_TO = 7  # counts of people from 1 to this are shown as SUPPRESSED
SUPPRESSED = "*"
# Viewers' totals by place or service area: a group of fewer projects than this would show those projects' own
# figures, so it is pooled with others (see pool_small_groups). Set with [privacy] min_projects_per_group.
MIN_PROJECTS_PER_GROUP = 3


class RolesConfigError(ValueError):
    """The roles file is missing a required part or names an unknown role; the message says where."""


@dataclass(frozen=True)
class RolesConfig:
    """The roles file, read and checked."""

    local_role: str = DEFAULT_LOCAL_ROLE
    signed_in_default: str = DEFAULT_SIGNED_IN_ROLE
    require_sign_in: bool = False
    provider: str | None = None  # a named [auth.<provider>] section in secrets.toml, when there are several
    users: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case account id (oid or sub) -> roles
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # group id or name -> roles
    emails: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case e-mail -> roles (fallback)
    match_email: bool = False  # whether the e-mail entries are used at all
    min_projects_per_group: int = MIN_PROJECTS_PER_GROUP
    source: str = "(built-in defaults)"


def roles_file() -> Path:
    env = os.environ.get("COMMISSIONING_ROLES")
    return Path(env) if env else DEFAULT_ROLES_FILE


def _role_list(value, where: str, source: str) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RolesConfigError(f"{source}: {where} must be a role name or a list of role names")
    roles = tuple(n.strip().lower() for n in names)
    for role in roles:
        if role not in ROLE_PERMISSIONS:
            raise RolesConfigError(f"{source}: {where} names unknown role {role!r}; use one of {', '.join(ROLES)}")
    return roles


def _single_role(value, where: str, source: str, allow_none: bool = False) -> str:
    if not isinstance(value, str):
        raise RolesConfigError(f"{source}: {where} must be one role name")
    role = value.strip().lower()
    if allow_none and role == NO_ROLE:
        return role
    if role not in ROLE_PERMISSIONS:
        allowed = ", ".join(ROLES + ((NO_ROLE,) if allow_none else ()))
        raise RolesConfigError(f"{source}: {where} is {value!r}, which is not a role; use one of {allowed}")
    return role


def parse_roles_config(data: Mapping, source: str = "roles.toml") -> RolesConfig:
    """Check a parsed roles file; unknown roles are an error rather than silently granting nothing or everything."""
    local = data.get("local", {})
    sign_in = data.get("sign_in", {})
    users = data.get("users", {})
    groups = data.get("groups", {})
    privacy = data.get("privacy", {})
    parts = (("local", local), ("sign_in", sign_in), ("users", users), ("groups", groups), ("privacy", privacy))
    for name, part in parts:
        if not isinstance(part, Mapping):
            raise RolesConfigError(f"{source}: [{name}] must be a table")
    unknown = set(data) - {name for name, _ in parts}
    if unknown:
        raise RolesConfigError(f"{source}: unknown section(s) {', '.join(sorted(unknown))}")
    provider = sign_in.get("provider")
    if provider is not None and not isinstance(provider, str):
        raise RolesConfigError(f"{source}: [sign_in] provider must be text")
    match_email = sign_in.get("match_email", False)
    if not isinstance(match_email, bool):
        raise RolesConfigError(f"{source}: [sign_in] match_email must be true or false")
    accounts = {str(k).strip().lower(): v for k, v in users.items() if "@" not in str(k)}
    emails = {str(k).strip().lower(): v for k, v in users.items() if "@" in str(k)}
    if emails and not match_email:
        raise RolesConfigError(
            f"{source}: [users] lists e-mail addresses ({', '.join(sorted(emails)[:3])}), which are matched only with "
            "[sign_in] match_email = true. Prefer each person's account id (the Entra ID object id, oid): Microsoft "
            "advises against granting access by e-mail, which a user or another tenant's administrator can change "
            "(README.md, Security and access)"
        )
    min_projects = privacy.get("min_projects_per_group", MIN_PROJECTS_PER_GROUP)
    if not isinstance(min_projects, int) or isinstance(min_projects, bool) or not 1 <= min_projects <= 1000:
        raise RolesConfigError(f"{source}: [privacy] min_projects_per_group must be a whole number from 1 to 1000")
    return RolesConfig(
        local_role=_single_role(local.get("role", DEFAULT_LOCAL_ROLE), "[local] role", source),
        signed_in_default=_single_role(
            sign_in.get("default_role", DEFAULT_SIGNED_IN_ROLE), "[sign_in] default_role", source, allow_none=True
        ),
        require_sign_in=bool(sign_in.get("required", False)),
        provider=provider or None,
        users={k: _role_list(r, f"[users] {k!r}", source) for k, r in accounts.items()},
        groups={str(g).strip(): _role_list(r, f"[groups] {g!r}", source) for g, r in groups.items()},
        emails={k: _role_list(r, f"[users] {k!r}", source) for k, r in emails.items()},
        match_email=match_email,
        min_projects_per_group=min_projects,
        source=source,
    )


def load_roles_config(path: Path | str | None = None) -> RolesConfig:
    """The roles file at path (default: $COMMISSIONING_ROLES or config/roles.toml); built-in defaults if absent."""
    path = Path(path) if path else roles_file()
    if not path.is_file():
        return RolesConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RolesConfigError(f"{path}: is not valid TOML ({exc})") from None
    return parse_roles_config(data, str(path))


def local_role(config: RolesConfig) -> str:
    """The role everyone has in local mode: $COMMISSIONING_ROLE (set by whoever runs the server), else the file's."""
    env = os.environ.get("COMMISSIONING_ROLE")
    if env:
        return _single_role(env, "$COMMISSIONING_ROLE", "environment")
    return config.local_role


def roles_for(
    config: RolesConfig, email: str | None = None, groups: Iterable[str] = (), account_id: str | None = None
) -> tuple[str, ...]:
    """Every role a signed-in person holds: by account id (oid, else sub), by each group, by e-mail only when the
    file says match_email = true, else the default (maybe none)."""
    found: list[str] = []
    if account_id:
        found += config.users.get(str(account_id).strip().lower(), ())
    if email and config.match_email:
        found += config.emails.get(email.strip().lower(), ())
    for group in groups or ():
        found += config.groups.get(str(group).strip(), ())
    if not found and config.signed_in_default != NO_ROLE:
        found = [config.signed_in_default]
    return tuple(dict.fromkeys(r for r in ROLES if r in found))  # in the order of ROLES, once each


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def can(roles: Iterable[str], permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}; known: {', '.join(PERMISSIONS)}")
    return permission in permissions_for(roles)


# Which permission each page (by file stem in dashboard/views/) needs. A page not listed needs project detail,
# so a new page is hidden from viewers until someone decides it shows aggregates only.
PAGE_PERMISSIONS: dict[str, str] = {
    "summary": VIEW_AGGREGATES,
    "portfolio": VIEW_PROJECT_DETAIL,
    "project": VIEW_PROJECT_DETAIL,
    "assumptions": USE_SCENARIOS,
    "scenarios": USE_SCENARIOS,
    "finance": EXPORT_FINANCE,
    "budget": EXPORT_FINANCE,  # budget monitoring: finance and admin
    "decisions": VIEW_PROJECT_DETAIL,  # the cost of stopping and past decisions; the form needs RECORD_DECISIONS
    "data": IMPORT_DATA,
    "equity": VIEW_AGGREGATES,  # by place only, with its own small-number suppression
}


def page_permission(stem: str) -> str:
    return PAGE_PERMISSIONS.get(stem, VIEW_PROJECT_DETAIL)


# ---------------------------------------------------------------- small-number suppression


def suppress_count(value, up_to: int = SUPPRESS_UP_TO) -> str:
    """A count of people as shown to viewers: '' when missing, '*' from 1 to up_to, else '1,234'."""
    if value is None or pd.isna(value):
        return ""
    n = int(value)
    if 1 <= n <= up_to:
        return SUPPRESSED
    return f"{n:,}"


def suppress_counts(frame: pd.DataFrame, columns: Iterable[str], up_to: int = SUPPRESS_UP_TO) -> pd.DataFrame:
    """A copy of frame with each named count-of-people column as text, 1..up_to shown as '*'."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].map(lambda v: suppress_count(v, up_to)).astype(object)
    return out


def _with_secondary(counts: list[int], hidden: list[bool]) -> list[bool]:
    """If only one entry of a table whose total is shown is hidden, the total minus the others gives it back:
    hide the smallest other non-zero entry as well (secondary suppression)."""
    hidden = list(hidden)
    if sum(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if not hidden[i] and n > 0]
        if others:
            hidden[min(others)[1]] = True
    return hidden


def _counts(values: Iterable) -> list[int]:
    return [0 if v is None or pd.isna(v) else int(v) for v in values]


def hidden_with_total(values: Iterable, up_to: int = SUPPRESS_UP_TO) -> list[bool]:
    """Which counts of a one-way table to hide when its total is shown too.

    Counts from 1 to up_to are hidden (primary suppression). If only one count is hidden, the total minus the
    others would give it back, so the smallest other non-zero count is hidden as well (secondary suppression).
    """
    counts = _counts(values)
    return _with_secondary(counts, [1 <= n <= up_to for n in counts])


def hidden_small_groups(project_counts: Iterable, min_projects: int = MIN_PROJECTS_PER_GROUP) -> list[bool]:
    """Which groups (places, service areas) of a one-way table a viewer may not see the figures of.

    A group of 1 to min_projects - 1 projects would show those projects' own money, risk and reach, which a
    viewer may not see, so its figures are hidden; if only one group is hidden, the smallest other group is
    hidden too, so the table's total cannot give it back. A group with no projects has nothing to hide.
    """
    counts = _counts(project_counts)
    return _with_secondary(counts, [0 < n < min_projects for n in counts])


def suppressed_column(values: Iterable, up_to: int = SUPPRESS_UP_TO) -> list[str]:
    """A one-way table's counts of people as text for viewers, hidden as hidden_with_total says."""
    counts = list(values)
    hidden = hidden_with_total(counts, up_to)
    return [SUPPRESSED if h else suppress_count(v, up_to) for v, h in zip(counts, hidden, strict=True)]

"""Sign-in and roles in the app: who is using it, which pages they get, and a stop for what they may not do.

With an `[auth]` section in .streamlit/secrets.toml the app signs people in through that OpenID Connect
provider (Microsoft Entra ID for most councils: see README.md, "Security and access") with st.login, and
their roles come from config/roles.toml by account id (Entra ID `oid`, else `sub`) or group, and by e-mail only
where that file opts in. Records name the signed-in account (`signed_in_person`: its name and immutable id),
never a name typed in. Without sign-in the app runs in LOCAL MODE, labelled on every page with the address it
listens on (127.0.0.1, this computer only, unless the operator chose otherwise), with one role for everyone
(dashboard/access.py says which and why).

If a secrets file exists but cannot be read, the app stops rather than falling back to local mode, so a
typo in the sign-in settings can never open the data to everyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard.rules import access
from dashboard.rules.formatting import escape_markdown


@dataclass(frozen=True)
class Identity:
    mode: str  # "local" or "signed_in"
    roles: tuple[str, ...]
    email: str | None = None
    name: str | None = None
    account_id: str | None = None  # the immutable account id: Entra ID's oid claim, else the token's sub

    def can(self, permission: str) -> bool:
        return access.can(self.roles, permission)

    @property
    def role_label(self) -> str:
        return ", ".join(self.roles) if self.roles else "no role"


def _secrets_files_exist() -> bool:
    return any(Path(p).expanduser().is_file() for p in st.get_option("secrets.files"))


def auth_section() -> Mapping | None:
    """The [auth] settings from secrets.toml, None when sign-in is not configured."""
    try:
        if "auth" not in st.secrets:
            return None
        return st.secrets["auth"]
    except FileNotFoundError:  # StreamlitSecretNotFoundError: no secrets file, or one that cannot be parsed
        if _secrets_files_exist():
            st.error(
                "The sign-in settings in .streamlit/secrets.toml could not be read, so the app will not open. "
                "An administrator needs to fix that file (see README.md, Security and access)."
            )
            st.stop()
        return None


def _roles_config() -> access.RolesConfig:
    try:
        return access.load_roles_config()
    except access.RolesConfigError as exc:
        st.error(f"The roles file has a problem, so the app will not open: {exc}")
        st.stop()


def _provider(auth: Mapping, config: access.RolesConfig) -> str | None:
    if config.provider:
        return config.provider
    if "client_id" in auth:
        return None
    named = [k for k, v in auth.items() if isinstance(v, Mapping)]
    return named[0] if named else None


def _claim_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def identity() -> Identity:
    """Who is using this session and their roles; shows the sign-in screen and stops when they must sign in."""
    config = _roles_config()
    auth = auth_section()
    if auth is None:
        if config.require_sign_in:
            st.error(
                "Sign-in is required (config/roles.toml, [sign_in] required = true) but is not configured: add an "
                "[auth] section to .streamlit/secrets.toml (README.md, Security and access)."
            )
            st.stop()
        try:
            role = access.local_role(config)
        except access.RolesConfigError as exc:
            st.error(f"The role for local mode is not valid, so the app will not open: {exc}")
            st.stop()
        return Identity(mode="local", roles=(role,))
    if not st.user.is_logged_in:
        _sign_in_screen(_provider(auth, config))
        st.stop()
    email = st.user.get("email") or st.user.get("preferred_username")
    account_id = st.user.get("oid") or st.user.get("sub")
    groups = _claim_list(st.user.get("groups")) + _claim_list(st.user.get("roles"))
    roles = access.roles_for(config, email, groups, account_id=account_id)
    name = st.user.get("name")
    return Identity(mode="signed_in", roles=roles, email=email, name=name, account_id=account_id)


@dataclass(frozen=True)
class Person:
    """The signed-in account, as records name it: who decided, who imported."""

    name: str
    account_id: str | None
    email: str | None = None

    @property
    def audit_label(self) -> str:
        """One line for a record that has a single "by" field: the name and the account id."""
        return f"{self.name} (account {self.account_id})" if self.account_id else self.name


def signed_in_person() -> Person | None:
    """Who is signed in, for "decided by" and "imported by"; None in local mode, where people type their name.

    Both the Decisions and Data pages call this, so a record's "by" always comes from sign-in when there is one.
    """
    who = identity()
    if who.mode != "signed_in":
        return None
    return Person(
        name=who.name or who.email or who.account_id or "signed-in user", account_id=who.account_id, email=who.email
    )


def min_projects_per_group() -> int:
    """The fewest projects a place or service area must hold before a viewer sees its figures (roles file)."""
    return _roles_config().min_projects_per_group


LOOPBACK_ADDRESSES = ("127.0.0.1", "localhost", "::1")


def listening_on() -> str:
    """The address the server listens on, in words, for the LOCAL MODE banner."""
    address = (st.get_option("server.address") or "").strip()
    if address in LOOPBACK_ADDRESSES:
        return f"It listens only on this computer ({address}), so nobody else can reach it."
    shown = address or "every network interface"
    return (
        f"It listens on {shown}, so **anyone who can reach this machine** gets that role. Set "
        '`server.address = "127.0.0.1"` (or configure sign-in) unless that is intended.'
    )


def _sign_in_screen(provider: str | None) -> None:
    st.title("Adult social care commissioning")
    st.write("This dashboard holds the council's funding decisions. Sign in with your council account to continue.")
    st.button("Sign in", type="primary", on_click=st.login, args=(provider,) if provider else ())


def show_identity(who: Identity) -> None:
    """The LOCAL MODE banner, or who is signed in with their roles and a sign-out button, in the sidebar."""
    if who.mode == "local":
        st.warning(
            f"**LOCAL MODE**: sign-in is not configured, so everyone who can open this app is treated as "
            f"**{who.role_label}**. {listening_on()} To use it with colleagues, set up sign-in (README.md, "
            "Security and access).",
            icon=":material/lock_open:",
        )
        return
    with st.sidebar:
        person = who.name or who.email or "you"
        st.caption(f"Signed in as {escape_markdown(person)} ({escape_markdown(who.role_label)})")
        st.button("Sign out", on_click=st.logout, key="auth_sign_out")


def gate() -> Identity:
    """Call once per run before st.navigation: signs in (or labels local mode) and returns who it is."""
    who = identity()
    if not who.roles:
        st.title("No access")
        st.error(
            f"You are signed in as {escape_markdown(who.email or who.name or 'an unknown user')} but have not been "
            "given a role in this dashboard. Ask the dashboard's administrator to add you to config/roles.toml."
        )
        st.button("Sign out", on_click=st.logout)
        st.stop()
    show_identity(who)
    return who


def page_stem(page) -> str:
    """The file stem of an st.Page made from a file (portfolio.py -> 'portfolio'), else its url path."""
    source = getattr(page, "_page", None)
    if isinstance(source, str | Path):
        return Path(source).stem
    return page.url_path


def allowed_pages(pages: Mapping[str, Sequence], who: Identity | None = None) -> dict[str, list]:
    """The router's sections with only the pages this person may open (empty sections dropped)."""
    who = who or gate()
    shown = {}
    for section, section_pages in pages.items():
        kept = [p for p in section_pages if who.can(access.page_permission(page_stem(p)))]
        if kept:
            shown[section] = kept
    return shown


def can(permission: str) -> bool:
    return identity().can(permission)


def require(permission: str) -> Identity:
    """Stop this page with a clear message unless the person's roles include the permission."""
    who = identity()
    if not who.can(permission):
        st.title("No access")  # every page, a refusal too, has one heading naming it (WCAG 2.4.6)
        st.error(
            f"You do not have access to this: it needs permission to {access.PERMISSIONS[permission]}, which your "
            f"role ({who.role_label}) does not give. Ask the dashboard's administrator if you need it.",
            icon=":material/block:",
        )
        st.stop()
    return who

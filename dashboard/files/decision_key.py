"""The secret key that seals the decision record, kept outside the database.

An unkeyed hash chain proves only that the record is consistent with itself: anyone holding the file can change a
decision and recompute every hash with the project's own code. Each record is therefore sealed with HMAC-SHA-256
under a secret that never enters the database, its backups or its exports, so a rewrite without the key is found.

Where the key comes from, first found wins:

1. the app's Streamlit secrets, `[decision_record] key = "..."` (the app passes it in with `configure`);
2. the environment variable `COMMISSIONING_DECISION_KEY` (the key itself);
3. the file named by `COMMISSIONING_DECISION_KEY_FILE`;
4. the default key file, `$XDG_CONFIG_HOME/commissioning-dashboard/decision-record.key` (else under
   `~/.config/`): the server account's own configuration folder, away from the database folder, its backups and
   the published register.

If none exists when a decision is first recorded, a random key is generated into the key file (3 or 4), readable
by its owner only, and a warning says so and asks for a copy to be kept safe: without the key the seals cannot be
checked, and a new key cannot vouch for records sealed under the old one. Each key has a short public id (an HMAC
of a fixed label), stored with every seal, so a wrong or lost key is reported as that rather than as tampering.

Plain Python (no streamlit): the CLI, the app and the tests share it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_ENV = "COMMISSIONING_DECISION_KEY"
KEY_FILE_ENV = "COMMISSIONING_DECISION_KEY_FILE"
MIN_KEY_CHARACTERS = 32
_KEY_ID_LABEL = b"commissioning-dashboard decision record key id"


class DecisionKeyError(ValueError):
    """A key that is configured but cannot be used (too short, unreadable); the message says where and why."""


@dataclass(frozen=True)
class RecordKey:
    secret: bytes
    source: str  # where it came from, in words, for messages and the audit
    path: Path | None = None  # the key file, when it came from one
    generated: bool = False  # generated just now, because none was configured

    @property
    def key_id(self) -> str:
        """A public name for this key: the same key always gives the same id; the id gives nothing away."""
        return hmac.new(self.secret, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]

    @property
    def configured(self) -> bool:
        """False when the key is the generated default file (nobody chose where it is kept)."""
        return self.path is None or os.environ.get(KEY_FILE_ENV) is not None

    def mac(self, label: str, text: str) -> str:
        """HMAC-SHA-256 of a labelled message (the label keeps one kind of MAC from standing in for another)."""
        message = (label + "\n" + text).encode("utf-8")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def check(self, label: str, text: str, mac: str | None) -> bool:
        return mac is not None and hmac.compare_digest(self.mac(label, text), str(mac))

    def __repr__(self) -> str:  # never print the secret
        return f"RecordKey(key_id={self.key_id!r}, source={self.source!r})"


_configured: tuple[str, str] | None = None
generated_here: RecordKey | None = None  # the key this process generated, if it had to: say so to whoever runs it


def configure(secret_text: str | None, source: str) -> None:
    """Use this key in this process before any other source (the app passes its Streamlit secret); None clears it."""
    global _configured
    if secret_text is None:
        _configured = None
        return
    _check_length(str(secret_text), source)
    _configured = (str(secret_text), source)


def default_key_file() -> Path:
    env = os.environ.get(KEY_FILE_ENV)
    if env:
        return Path(env).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "commissioning-dashboard" / "decision-record.key"


def _check_length(text: str, source: str) -> None:
    if len(text.strip()) < MIN_KEY_CHARACTERS:
        raise DecisionKeyError(
            f"The decision-record key from {source} is too short: use at least {MIN_KEY_CHARACTERS} characters, "
            "for example from: python -c 'import secrets; print(secrets.token_hex(32))'"
        )


def load_key(create: bool = False) -> RecordKey | None:
    """The key to seal and check decisions with; with create=True, a new one is generated if there is none.

    Returns None only when there is no key and create is False (verification then says what it could not check).
    """
    if _configured is not None:
        text, source = _configured
        return RecordKey(text.strip().encode("utf-8"), source)
    env = os.environ.get(KEY_ENV)
    if env is not None:
        _check_length(env, f"${KEY_ENV}")
        return RecordKey(env.strip().encode("utf-8"), f"the environment variable {KEY_ENV}")
    path = default_key_file()
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DecisionKeyError(f"The decision-record key file {path} cannot be read: {exc}") from None
        _check_length(text, str(path))
        return RecordKey(text.strip().encode("utf-8"), f"the key file {path}", path=path)
    if not create:
        return None
    return _generate(path)


def _generate(path: Path) -> RecordKey:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process generated it first: use theirs
        return load_key(create=False)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
        f.flush()
        os.fsync(f.fileno())
    global generated_here
    generated_here = RecordKey(text.encode("utf-8"), f"the key file {path}", path=path, generated=True)
    return generated_here


def generated_warning(key: RecordKey) -> str:
    """What to tell the person running the app when a key had to be generated."""
    return (
        f"No decision-record key was configured, so a new one was generated in {key.path} (key id {key.key_id}). "
        "Keep a copy of that file somewhere safe and separate from the database backups: without it the record's "
        "seals cannot be checked. On a server, set the key in .streamlit/secrets.toml ([decision_record] key) or "
        f"${KEY_ENV} instead (README.md, Security and access)."
    )

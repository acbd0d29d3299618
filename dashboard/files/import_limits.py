"""How much one import may read: a cap on uncompressed bytes and a cap on rows, counted while reading.

An upload is hostile until proven otherwise: a 917 KB zip can unpack to 900 MB of blank lines, and pandas
spends about 105 bytes on every blank CSV line. So every reader counts what it takes from a Budget before
it parses anything: the bytes of every file and zip member as they are unpacked (in chunks, never the whole
member first) and every row as it is met, blank rows and the extra lines of text quoted over several lines
included. The first count over a cap stops the import with a problem naming the file, so any upload is
refused within seconds and within memory proportional to the caps.

The caps are the same for the Data page and the command line; the operator sets them with
$COMMISSIONING_IMPORT_MAX_MB and $COMMISSIONING_IMPORT_MAX_ROWS, and the CLI's --max-mb and --max-rows raise
them for one trusted bulk load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_MAX_MB = 256
DEFAULT_MAX_ROWS = 2_000_000
MAX_MB_ENV = "COMMISSIONING_IMPORT_MAX_MB"
MAX_ROWS_ENV = "COMMISSIONING_IMPORT_MAX_ROWS"
CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    max_mb: int = DEFAULT_MAX_MB
    max_rows: int = DEFAULT_MAX_ROWS

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024

    @classmethod
    def from_environment(cls) -> ImportLimits:
        """The operator's caps ($COMMISSIONING_IMPORT_MAX_MB, $COMMISSIONING_IMPORT_MAX_ROWS), else the defaults."""
        return cls(_env_int(MAX_MB_ENV, DEFAULT_MAX_MB), _env_int(MAX_ROWS_ENV, DEFAULT_MAX_ROWS))

    def describe(self) -> str:
        return f"{self.max_mb:,} MB uncompressed and {self.max_rows:,} rows"


def _env_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"${name} must be a whole number, not {text!r}") from None
    if value < 1:
        raise ValueError(f"${name} must be 1 or more, not {value}")
    return value


class LimitExceeded(Exception):
    """Reading stopped: the import is over one of its caps. Carries the file and the reason to report."""

    def __init__(self, source: str, reason: str):
        self.source, self.reason = source, reason
        super().__init__(f"{source}: {reason}")


RAISE_HINT = (
    "split the file, or, for a trusted bulk load on the server, raise the limit: "
    "python -m dashboard import PATH --max-mb N --max-rows N"
)


class Budget:
    """What one import may still read; every reader takes from it before parsing."""

    def __init__(self, limits: ImportLimits | None = None):
        self.limits = limits or ImportLimits.from_environment()
        self.bytes = 0
        self.rows = 0

    def take_bytes(self, n: int, source: str) -> None:
        self.bytes += n
        if self.bytes > self.limits.max_bytes:
            raise LimitExceeded(
                source,
                f"takes this import over its limit of {self.limits.max_mb:,} MB of uncompressed data "
                f"(every file and zip member counts as unpacked); nothing was imported: {RAISE_HINT}",
            )

    def take_rows(self, n: int, source: str) -> None:
        self.rows += n
        if self.rows > self.limits.max_rows:
            raise LimitExceeded(
                source,
                f"takes this import over its limit of {self.limits.max_rows:,} rows (blank rows and the lines "
                f"of text over several lines count); nothing was imported: {RAISE_HINT}",
            )

    def check_declared(self, declared: int, source: str) -> None:
        """Refuse at once when what a zip says it unpacks to is already over the byte cap (nothing unpacked)."""
        if self.bytes + declared > self.limits.max_bytes:
            raise LimitExceeded(
                source,
                f"unpacks to {declared / 1024 / 1024:,.1f} MB, over this import's limit of "
                f"{self.limits.max_mb:,} MB of uncompressed data; nothing was imported: {RAISE_HINT}",
            )


def count_lines(data: bytes | bytearray | memoryview, ends_with_cr: bool = False) -> tuple[int, bool]:
    """Line breaks in a chunk (LF, CRLF and a lone CR each count once, as CSV readers split them).

    Returns (breaks, whether the chunk ends with CR) so chunks can be counted one after another: a CRLF
    split across two chunks counts once.
    """
    if not data:
        return 0, ends_with_cr
    view = bytes(data) if not isinstance(data, bytes) else data
    breaks = view.count(b"\n") + view.count(b"\r") - view.count(b"\r\n")
    if ends_with_cr and view[:1] == b"\n":
        breaks -= 1
    return breaks, view[-1:] == b"\r"


def rows_in(data: bytes) -> int:
    """How many rows a CSV held in memory has below its header: every line counts, blank or not."""
    if not data:
        return 0
    breaks, _ = count_lines(data)
    lines = breaks + (0 if data[-1:] in (b"\n", b"\r") else 1)
    return max(0, lines - 1)


def read_stream(stream, source: str, budget: Budget) -> bytes:
    """Read a binary stream (a zip member, a file) in chunks, counting bytes and rows as they arrive.

    Stops at the first chunk that takes the import over a cap, so a member that unpacks to gigabytes is
    never unpacked beyond the cap. Rows are the lines after the first (the header), as rows_in counts them.
    """
    chunks: list[bytes] = []
    ends_with_cr = False
    breaks = counted = 0
    last = b""
    while True:
        chunk = stream.read(CHUNK_BYTES)
        if not chunk:
            break
        budget.take_bytes(len(chunk), source)
        found, ends_with_cr = count_lines(chunk, ends_with_cr)
        breaks += found
        rows = max(0, breaks - 1)
        budget.take_rows(rows - counted, source)
        counted = rows
        chunks.append(chunk)
        last = chunk[-1:]
    if breaks and last not in (b"\n", b"\r"):
        budget.take_rows(1, source)  # a last line without a line break
    return b"".join(chunks)

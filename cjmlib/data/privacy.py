"""Privacy: customer ids pseudonymized with a per-project secret, personal data kept out of deliverables.

A project's secret comes from the environment variable ``CJM_SECRET`` or, when it is not set,
from the git-ignored file ``.cjm-secret`` that ``cjm new`` writes (64 hexadecimal characters,
readable by its owner only). Customer ids are replaced at load by
``c_`` + the first 12 hexadecimal characters of HMAC-SHA256(secret, id): the same customer gets
the same pseudonym in every table and every run of the project (joins still work), and nobody
without the secret can go back from a pseudonym to the id or test a guessed id.

The secret is never printed, logged, written into a notebook, a manifest or a report.

Examples
--------
>>> key = bytes(range(32))
>>> pseudonym(key, "U000123")
'c_587325c1810f'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

from ..personal import CANDIDATE, mask_personal
from .sql import quote_ident, quote_literal

__all__ = [
    "KEY_COLUMNS",
    "PSEUDONYM_LENGTH",
    "PSEUDONYM_PATTERN",
    "PSEUDONYM_PREFIX",
    "SECRET_ENV",
    "SECRET_FILE",
    "ensure_secret",
    "mask_personal_values",
    "pseudonym",
    "pseudonym_sql",
    "read_secret",
]

SECRET_ENV = "CJM_SECRET"
SECRET_FILE = ".cjm-secret"
PSEUDONYM_PREFIX = "c_"
PSEUDONYM_LENGTH = 12  # hexadecimal characters kept (48 bits)
PSEUDONYM_PATTERN = re.compile(rf"\b{PSEUDONYM_PREFIX}[0-9a-f]{{{PSEUDONYM_LENGTH}}}\b")

_BLOCK = 64  # SHA-256 block size in bytes
_HEX_KEY = re.compile(r"[0-9a-fA-F]{32,}")


def _key(text: str) -> bytes | None:
    text = text.strip()
    if not text:
        return None
    if _HEX_KEY.fullmatch(text) and len(text) % 2 == 0:
        return bytes.fromhex(text)
    return text.encode("utf-8")


def read_secret(project_dir: str | os.PathLike) -> bytes | None:
    """Return the project's secret key, or None when the project has none.

    Parameters
    ----------
    project_dir
        The journey project folder.

    Returns
    -------
    bytes or None
        ``CJM_SECRET`` when set (hexadecimal text is decoded), else the content of
        ``<project_dir>/.cjm-secret``; None when neither holds a value.
    """
    env = os.environ.get(SECRET_ENV)
    if env is not None and env.strip():
        return _key(env)
    path = Path(project_dir) / SECRET_FILE
    if path.is_file():
        return _key(path.read_text(encoding="utf-8", errors="replace"))
    return None


def ensure_secret(project_dir: str | os.PathLike) -> bool:
    """Create ``.cjm-secret`` (32 random bytes as hexadecimal, mode 600) when the project has no secret.

    Returns True when a secret was created. The project's ``.gitignore`` gets the file's name
    when it does not list it yet.

    Parameters
    ----------
    project_dir
        The journey project folder; nothing is written when it already has a secret (or ``CJM_SECRET`` is set).
    """
    if read_secret(project_dir) is not None:
        return False
    project_dir = Path(project_dir)
    path = project_dir / SECRET_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(os.urandom(32).hex() + "\n")
    ignore = project_dir / ".gitignore"
    listed = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if SECRET_FILE not in listed:
        with open(ignore, "a", encoding="utf-8") as fh:
            fh.write(("\n" if listed and not ignore.read_text(encoding="utf-8").endswith("\n") else "")
                     + SECRET_FILE + "\n")
    return True


def pseudonym(key: bytes, customer_id: str) -> str:
    """Return the pseudonym of one customer id: ``c_`` + 12 hex characters of HMAC-SHA256(key, id).

    Parameters
    ----------
    key
        The project's secret (:func:`read_secret`).
    customer_id
        The customer id as the export writes it (any value; hashed as UTF-8 text).
    """
    digest = hmac.new(key, str(customer_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_LENGTH]


def pseudonym_sql(expression: str, key: bytes) -> str:
    """Return a DuckDB expression computing :func:`pseudonym` of the text ``expression`` in the engine.

    HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); the two padded key blocks are computed here
    once, so the engine hashes every id without a Python loop. NULL stays NULL.
    """
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = bytes(b ^ 0x36 for b in key).hex()
    outer = bytes(b ^ 0x5C for b in key).hex()
    digest = f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode({expression}))))"
    return f"('{PSEUDONYM_PREFIX}' || left({digest}, {PSEUDONYM_LENGTH}))"


# ---------------------------------------------------------------- personal data in values

KEY_COLUMNS = ("user_id", "session_id", "order_id", "id")  # pseudonymized or never published


def mask_personal_values(con, table: str) -> dict[str, int]:
    """Mask personal data in every text column of a loaded table but its keys; return rows masked per column.

    A UTM tag, a page path or a campaign name can carry an e-mail address or a phone number: those
    values reach tables and charts, so they are masked where they are stored, once, with
    :func:`cjmlib.personal.mask_personal` (the detector free text goes through). The engine picks
    the candidate values; Python masks the distinct ones.

    Parameters
    ----------
    con
        The DuckDB connection holding ``table``.
    table
        A loaded table (``kept_events``, ``feedback``, ...); its ``VARCHAR`` columns but
        :data:`KEY_COLUMNS` are read.
    """
    masked = {}
    columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()
               if r[1] == "VARCHAR" and r[0] not in KEY_COLUMNS]
    for column in columns:
        quoted = quote_ident(column)
        values = con.execute(f"SELECT DISTINCT {quoted} FROM {table} "
                             f"WHERE regexp_matches({quoted}, {quote_literal(CANDIDATE)})").fetchall()
        pairs = [(v, mask_personal(v)) for (v,) in values]
        pairs = [(v, m) for v, m in pairs if m != v]
        if not pairs:
            continue
        con.execute("CREATE OR REPLACE TEMP TABLE __masked (original VARCHAR, masked VARCHAR)")
        con.executemany("INSERT INTO __masked VALUES (?, ?)", pairs)
        rows = con.execute(f"UPDATE {table} SET {quoted} = m.masked FROM __masked m "
                           f"WHERE {table}.{quoted} = m.original").fetchone()
        masked[column] = int(rows[0]) if rows else 0
        con.execute("DROP TABLE __masked")
    return masked

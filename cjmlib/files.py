"""Writing files so that a reader never sees half of one.

Every file the workbench writes for someone else to read (the spec, a step's results, a page of
the report) goes through :func:`write_atomically`: the bytes go to a temporary file in the same
folder, which then replaces the target in one system call (``os.replace``). A reader sees the old
file or the new one, never a mix; a failed write leaves the old file untouched and no temporary
file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Parameters
    ----------
    path
        The file to write; its folder is created when missing.
    data
        The content: bytes as they are, text encoded as UTF-8.

    Returns
    -------
    Path
        ``path``. The file is readable by everyone, writable by its owner (mode 644).

    Examples
    --------
    >>> write_atomically("reports/notes.txt", "Run of Monday\\n")   # doctest: +SKIP
    PosixPath('reports/notes.txt')
    """
    path = Path(path)
    content = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

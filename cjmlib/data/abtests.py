"""A/B test results exported by the client's testing tool: read, checked and masked.

``experiments/results.csv`` holds one row per experiment and variant (``experiment``, ``variant``,
``users``, ``conversions``). It is checked by ``cjm validate`` with the data (every problem with
its row and column) and read by step 06 for the read-outs (:func:`cjmlib.readout`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Issue
from ..personal import mask_personal

__all__ = ["RESULTS_FILE", "read_results", "results_issues"]

RESULTS_FILE = Path("experiments") / "results.csv"

_RESULT_COLUMNS = ("experiment", "variant", "users", "conversions")


def read_results(path, *, missing_ok: bool = True) -> pd.DataFrame:
    """Read an A/B results file: one row per experiment and variant.

    Columns ``experiment``, ``variant`` (one of them ``control`` per experiment), ``users`` (units
    exposed) and ``conversions`` (of those, units converting). Every problem is reported at once
    with its file, row (as a spreadsheet shows it), column and fix. A missing file gives an empty
    table when ``missing_ok``.

    Parameters
    ----------
    path
        The CSV file of results (read as text; counts must be whole numbers of 0 or more).
    missing_ok
        Whether a missing file gives an empty table (True, the default) rather than a DataError.
    """
    path = Path(path)
    name = f"{path.parent.name}/{path.name}"
    if not path.exists():
        if missing_ok:
            return pd.DataFrame(columns=list(_RESULT_COLUMNS))
        raise DataError([Issue(code="missing_file", file=name, problem="the results file does not exist.",
                               fix="Export the test tool's results with columns " + ", ".join(_RESULT_COLUMNS))])
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise DataError([Issue(code="unreadable_file", file=name, problem=(
            f"the file cannot be read as CSV ({type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''})."),
            fix="Export it again as UTF-8 CSV with columns " + ", ".join(_RESULT_COLUMNS) + ".")]) from None
    missing = [c for c in _RESULT_COLUMNS if c not in table.columns]
    if missing:
        raise DataError([Issue(code="missing_column", file=name, row=1, column=c,
                               problem=f"the header has no column `{c}`.",
                               fix=f"Add it; the columns are: {', '.join(_RESULT_COLUMNS)}.") for c in missing])
    for col in ("experiment", "variant"):  # names reach the page: no personal data in them
        table[col] = table[col].map(mask_personal)
    issues = []
    for col in ("users", "conversions"):
        numbers = pd.to_numeric(table[col], errors="coerce")
        for i in np.flatnonzero(numbers.isna() | (numbers < 0) | (numbers % 1 != 0)):
            issues.append(Issue(code="bad_count", file=name, row=int(i) + 2, column=col, value=table[col].iat[i],
                                problem=f"'{table[col].iat[i]}' is not a count.",
                                fix="Write a whole number of 0 or more."))
        table[col] = numbers
    for i in np.flatnonzero(table.conversions > table.users):
        issues.append(Issue(code="too_many_conversions", file=name, row=int(i) + 2, column="conversions",
                            value=str(table.conversions.iat[i]), problem="more conversions than users.",
                            fix="Conversions count users who converted: at most `users`."))
    for name, sub in table.groupby("experiment", sort=False):
        if not sub.variant.str.lower().eq("control").any():
            issues.append(Issue(code="no_control", file=name, row=int(sub.index[0]) + 2, column="variant",
                                value=name, problem=f"experiment '{name}' has no `control` variant.",
                                fix="Name the arm without the change `control`."))
    if issues:
        raise DataError(issues)
    table[["users", "conversions"]] = table[["users", "conversions"]].astype(int)
    return table[list(_RESULT_COLUMNS)]


def results_issues(project_dir) -> list[Issue]:
    """Return the problems of the project's A/B results file (none when there is no such file).

    Parameters
    ----------
    project_dir
        The project folder; the file read is ``experiments/results.csv`` in it.
    """
    try:
        read_results(Path(project_dir) / RESULTS_FILE)
    except DataError as err:
        return list(err.issues)
    return []

"""Show tables in a deliverable: escaped, formatted, without the index."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["as_table", "show_image", "show_table"]


def show_table(table: pd.DataFrame, *, percent: tuple[str, ...] = (), decimals: dict[str, int] | None = None,
               columns: dict[str, str] | None = None, caption: str = ""):
    """Return a Styler that escapes every text as HTML, formats rates as percentages and hides the index.

    Parameters
    ----------
    table
        The table to show (never row-level customer data).
    percent
        Columns shown as percentages with one decimal.
    decimals
        Columns shown with this many decimals.
    columns
        Renames for display (e.g. ``{"units": "sessions"}``).
    caption
        A caption that says what the numbers are.
    """
    decimals = decimals or {}
    # the Styler escapes text cells only: lists (quotes, keywords) become escaped text here too
    shown = table.rename(columns=columns or {}).apply(
        lambda col: col.map(lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple | np.ndarray) else v)
        if col.dtype == object else col)
    rename = columns or {}
    formats = {rename.get(c, c): "{:.1%}" for c in percent if c in table}
    formats.update({rename.get(c, c): f"{{:,.{d}f}}" for c, d in decimals.items() if c in table})
    styler = shown.style.format(formats, na_rep="–", escape="html", thousands=",")
    styler = styler.format_index(escape="html", axis=1).hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler


def as_table(records: list[dict]) -> pd.DataFrame:
    """Turn metric records (dicts with value, numerator, denominator, ...) into a table to show."""
    return pd.DataFrame(records)


def show_image(path):
    """Return an image file as a displayable object (embedded in the exported page)."""
    from IPython.display import Image

    return Image(filename=str(path))

"""Why two counts of the "same" funnel differ: one funnel counted the way each vendor counts it.

Each vendor's counting is a preset of :mod:`cjmlib.analytics.vendors`; :func:`reconcile_funnels`
counts the funnel with each preset (:func:`cjmlib.funnel_table`) and names, for every vendor, the
settings that set its count apart from a reference vendor's, with their effect.
"""

from __future__ import annotations

import pandas as pd

from .funnel import funnel_table
from .vendors import VENDORS, vendor_options

__all__ = ["reconcile_funnels"]

_WHY = {
    "order": "order: {a} lets other events come between steps; {b} does not (or ignores order)",
    "entry": "entry: a closed funnel counts only units starting at step 1; an open one counts entries at any step",
    "counting": "counting: uniques count each unit once; totals count every attempt",
    "reentry": ("re-entry: 'first' starts the window at the first entry event and never restarts it; "
                "'best' lets a later entry start a more successful attempt"),
    "window_days": "window: {a} days vs {b} days from entry — conversions later than the shorter window are lost",
    "tie_seconds": "ties: events within {b} s count in either order for one and not for the other",
}


def _reasons(reference: dict, other: dict) -> str:
    out = []
    for key, text in _WHY.items():
        a, b = reference[key], other[key]
        if a != b:
            out.append(text.format(a="no limit" if a is None else a, b="no limit" if b is None else b))
    return "; ".join(out)


def reconcile_funnels(source, steps: list[str], *, vendors: tuple[str, ...] = tuple(VENDORS),
                      reference: str | None = None, **options) -> pd.DataFrame:
    """Count one funnel the way each vendor does and explain where the counts differ.

    Parameters
    ----------
    source
        A Project or an Ibis table of events (see :func:`cjmlib.funnel_table`).
    steps
        The funnel's steps.
    vendors
        The vendors to compare.
    reference
        The vendor the others are compared with (the first of ``vendors`` when omitted).
    **options
        Options shared by every count (``by``, ``unit``, ``labels``, ``data_end``…); they must
        not be vendor settings.

    Returns
    -------
    DataFrame
        One row per vendor and step: ``vendor``, ``step``, ``key``, ``label``, ``units``,
        ``denominator``, ``rate`` (units ÷ units at step 1), ``ci_low``, ``ci_high``, ``order``,
        ``entry``, ``counting``, ``reentry``, ``window_days``, ``tie_seconds``, ``reference``,
        ``reference_units``, ``difference`` (units − reference units) and ``why`` (the settings
        that differ from the reference's, each with its effect; empty when none differ).
    """
    clash = set(options) & set(next(iter(VENDORS.values())))
    if clash:
        raise ValueError(f"{', '.join(sorted(clash))} is set by each vendor; remove it from the options")
    reference = reference or vendors[0]
    frames = []
    for vendor in dict.fromkeys([reference, *vendors]):
        table = funnel_table(source, steps, emulate=vendor, **options)
        settings = vendor_options(vendor)
        frames.append(table.assign(vendor=vendor, reentry=settings["reentry"], tie_seconds=settings["tie_seconds"],
                                   why=_reasons(vendor_options(reference), settings)))
    out = pd.concat(frames, ignore_index=True)
    ref = out.loc[out.vendor == reference].set_index("step")["units"]
    out["reference"] = reference
    out["reference_units"] = out.step.map(ref).astype(int)
    out["difference"] = out.units - out.reference_units
    cols = ["vendor", "step", "key", "label", "units", "denominator", "rate", "ci_low", "ci_high", "order",
            "entry", "counting", "reentry", "window_days", "tie_seconds", "reference", "reference_units",
            "difference", "why"]
    return out[cols]

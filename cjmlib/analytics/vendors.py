"""How analytics vendors count a funnel: their documented defaults as funnel options.

Each preset holds the options of :func:`cjmlib.funnel_table` that reproduce a vendor's documented
defaults (sources and caveats in docs/adr/0001-how-a-funnel-counts.md):

==========  =========  ========  ========  ==========  ===========  ============
vendor      order      entry     counting  reentry     window_days  tie_seconds
==========  =========  ========  ========  ==========  ===========  ============
ga4         ordered    closed    uniques   first       none         0
mixpanel    ordered    closed    uniques   first       30           0
amplitude   ordered    closed    uniques   best        1            1
posthog     ordered    closed    uniques   best        14           0
==========  =========  ========  ========  ==========  ===========  ============

Why two counts of the "same" funnel differ is told by :func:`cjmlib.reconcile_funnels`
(:mod:`cjmlib.analytics.reconcile`).
"""

from __future__ import annotations

__all__ = ["VENDORS", "vendor_options"]

VENDORS: dict[str, dict] = {
    "ga4": {"order": "ordered", "entry": "closed", "counting": "uniques", "reentry": "first",
            "window_days": None, "tie_seconds": 0.0},
    "mixpanel": {"order": "ordered", "entry": "closed", "counting": "uniques", "reentry": "first",
                 "window_days": 30.0, "tie_seconds": 0.0},
    "amplitude": {"order": "ordered", "entry": "closed", "counting": "uniques", "reentry": "best",
                  "window_days": 1.0, "tie_seconds": 1.0},
    "posthog": {"order": "ordered", "entry": "closed", "counting": "uniques", "reentry": "best",
                "window_days": 14.0, "tie_seconds": 0.0},
}


def vendor_options(emulate: str) -> dict:
    """Return the funnel options that reproduce a vendor's documented counting.

    Parameters
    ----------
    emulate
        ``"ga4"``, ``"mixpanel"``, ``"amplitude"`` or ``"posthog"``.

    Returns
    -------
    dict
        ``order``, ``entry``, ``counting``, ``reentry``, ``window_days``, ``tie_seconds``.
    """
    if emulate not in VENDORS:
        raise ValueError(f"emulate must be one of {', '.join(map(repr, VENDORS))}, not {emulate!r}")
    return dict(VENDORS[emulate])

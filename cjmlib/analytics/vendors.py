"""How analytics vendors count a funnel: their documented defaults as values of :class:`FunnelOptions`.

Each preset holds the options of :func:`cjmlib.funnel_table` that reproduce a vendor's documented
defaults, rule by rule (each rule's source is cited in docs/adr/0001-how-a-funnel-counts.md):

=========  =======  ======  ========  =======  ======  ====  =========  =========
vendor     order    entry   counting  reentry  window  ties  exclusion  any order
=========  =======  ======  ========  =======  ======  ====  =========  =========
ga4        ordered  closed  uniques   first    none    0 s   reached    first_k
mixpanel   ordered  closed  uniques   first    7 d     2 s   stop       first_k
amplitude  ordered  closed  uniques   best     1 d     1 s   reached    first_k
posthog    ordered  closed  uniques   best     14 d    0 s   window     any_k
=========  =======  ======  ========  =======  ======  ====  =========  =========

Every preset counts events at the same instant as in the funnel's order ("at or after"), as the
workbench does; ``tie_seconds`` widens that to either order within a few seconds. Why two counts of
the "same" funnel differ is told by :func:`cjmlib.reconcile_funnels` (:mod:`cjmlib.analytics.reconcile`).
"""

from __future__ import annotations

from .options import FunnelOptions

__all__ = ["PRESETS", "VENDORS", "vendor_options", "vendor_preset"]

PRESETS: dict[str, FunnelOptions] = {
    "ga4": FunnelOptions(order="ordered", entry="closed", counting="uniques", reentry="first",
                         window_days=None, tie_seconds=0.0, exclusion_scope="reached", any_order="first_k"),
    "mixpanel": FunnelOptions(order="ordered", entry="closed", counting="uniques", reentry="first",
                              window_days=7.0, tie_seconds=2.0, exclusion_scope="stop", any_order="first_k"),
    "amplitude": FunnelOptions(order="ordered", entry="closed", counting="uniques", reentry="best",
                               window_days=1.0, tie_seconds=1.0, exclusion_scope="reached", any_order="first_k"),
    "posthog": FunnelOptions(order="ordered", entry="closed", counting="uniques", reentry="best",
                             window_days=14.0, tie_seconds=0.0, exclusion_scope="window", any_order="any_k"),
}
_PRESET_KEYS = ("order", "entry", "counting", "reentry", "window_days", "tie_seconds", "exclusion_scope", "any_order")
#: The presets as plain settings (vendor -> option -> value): what existing callers read.
VENDORS: dict[str, dict] = {name: {k: getattr(p, k) for k in _PRESET_KEYS} for name, p in PRESETS.items()}


def vendor_preset(emulate: str) -> FunnelOptions:
    """Return the :class:`FunnelOptions` that reproduce a vendor's documented counting.

    Parameters
    ----------
    emulate
        ``"ga4"``, ``"mixpanel"``, ``"amplitude"`` or ``"posthog"``.
    """
    if emulate not in PRESETS:
        raise ValueError(f"emulate must be one of {', '.join(map(repr, PRESETS))}, not {emulate!r}")
    return PRESETS[emulate]


def vendor_options(emulate: str) -> dict:
    """Return the funnel options that reproduce a vendor's documented counting, as a dict.

    Parameters
    ----------
    emulate
        ``"ga4"``, ``"mixpanel"``, ``"amplitude"`` or ``"posthog"``.

    Returns
    -------
    dict
        ``order``, ``entry``, ``counting``, ``reentry``, ``window_days``, ``tie_seconds``,
        ``exclusion_scope``, ``any_order``.
    """
    vendor_preset(emulate)
    return dict(VENDORS[emulate])

"""Why two counts of the "same" funnel differ: one funnel counted the way each vendor counts it.

Each vendor's counting is a preset of :mod:`cjmlib.analytics.vendors`; :func:`reconcile_funnels`
counts the funnel with each preset (:func:`cjmlib.funnel_table`) and names, for every vendor, the
rules that set its count apart from a reference's, with their effect (``why``), and, for each
step whose count differs, the rules that cause the difference on these data (``cause``): the rules
which, changed alone from the reference's value to the vendor's, change that step's count. The
reference is a vendor, or a funnel's own counting (a :class:`FunnelOptions`, named ``"workbench"``).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .funnel import funnel_table
from .options import FunnelOptions
from .vendors import VENDORS, vendor_options, vendor_preset

__all__ = ["OWN", "reconcile_funnels"]

#: The name of the reference's rows when the reference is a funnel's own counting (a FunnelOptions).
OWN = "workbench"

_WHY = {
    "order": "order: {a} lets other events come between steps; {b} does not (or ignores order)",
    "entry": "entry: a closed funnel counts only units starting at step 1; an open one counts entries at any step",
    "counting": "counting: uniques count each unit once; totals count every attempt",
    "reentry": ("re-entry: 'first' starts the window at the first entry event and never restarts it; "
                "'best' lets a later entry start a more successful attempt"),
    "window_days": "window: {a} days vs {b} days from entry — conversions later than the shorter window are lost",
    "tie_seconds": "ties: events within {a} s vs {b} s of each other count in either order",
    "exclusion_scope": ("exclusions: '{a}' vs '{b}' — 'reached' drops an attempt excluded before its last step "
                        "reached, 'window' also within the rest of its conversion window, 'stop' keeps the steps "
                        "reached before the excluded event"),
    "any_order": ("any order: '{a}' vs '{b}' — 'first_k' counts at step k the units that did steps 1…k, "
                  "'any_k' those that did any k of the steps"),
}


def _reasons(reference: dict, other: dict) -> str:
    out = []
    for key, text in _WHY.items():
        a, b = reference[key], other[key]
        if a != b:
            out.append(text.format(a="no limit" if a is None else a, b="no limit" if b is None else b))
    return "; ".join(out)


def _settings(counting: str | FunnelOptions, options: dict) -> dict:
    """The preset rules of a vendor (by name) or of a FunnelOptions, with the shared ``order`` if given."""
    settings = vendor_options(counting) if isinstance(counting, str) else \
        {key: getattr(counting, key) for key in next(iter(VENDORS.values()))}
    return {**settings, **({"order": options["order"]} if options.get("order") else {})}


def reconcile_funnels(source, steps: list[str], *, vendors: tuple[str, ...] = tuple(VENDORS),
                      reference: str | FunnelOptions | None = None, **options) -> pd.DataFrame:
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
        The vendor the others are compared with (the first of ``vendors`` when omitted), or a
        :class:`FunnelOptions`: a funnel's own counting (e.g. a declared funnel's
        :func:`cjmlib.funnel_options`), whose rows are named ``"workbench"``.
    **options
        Options shared by every count (``by``, ``unit``, ``labels``, ``data_end``, ``exclude``, and
        ``order``: the kind of funnel, ordered, strict or any); the other vendor settings may not be given.

    Returns
    -------
    DataFrame
        One row per vendor and step: ``vendor``, ``step``, ``key``, ``label``, ``units``,
        ``denominator``, ``rate`` (units ÷ units at step 1), ``ci_low``, ``ci_high``, ``order``,
        ``entry``, ``counting``, ``reentry``, ``window_days``, ``tie_seconds``, ``exclusion_scope``,
        ``any_order``, ``reference``, ``reference_units``, ``difference`` (units − reference units),
        ``why`` (the rules that differ from the reference's, each with its effect; empty when none
        differ) and ``cause`` (on rows whose count differs: the rules that, changed alone from the
        reference's value to this vendor's, change this step's count — the rule behind the
        difference; "several rules together" when no rule does alone; empty when no difference).
    """
    clash = set(options) & (set(next(iter(VENDORS.values()))) - {"order"})
    if clash:
        raise ValueError(f"{', '.join(sorted(clash))} is set by each vendor; remove it from the options")
    reference = reference or vendors[0]
    ref_name = reference if isinstance(reference, str) else OWN
    ref_settings = _settings(reference, options)
    frames = []
    for vendor in dict.fromkeys([ref_name, *vendors]):
        if vendor == ref_name and not isinstance(reference, str):
            table = funnel_table(source, steps, options=reference, **options)
        else:
            table = funnel_table(source, steps, emulate=vendor, **options)
        settings = ref_settings if vendor == ref_name else _settings(vendor, options)
        frames.append(table.assign(vendor=vendor, reentry=settings["reentry"], tie_seconds=settings["tie_seconds"],
                                   exclusion_scope=settings["exclusion_scope"], any_order=settings["any_order"],
                                   why=_reasons(ref_settings, settings)))
    out = pd.concat(frames, ignore_index=True)
    ref = out.loc[out.vendor == ref_name].set_index("step")["units"]
    out["reference"] = ref_name
    out["reference_units"] = out.step.map(ref).astype(int)
    out["difference"] = out.units - out.reference_units
    out["cause"] = _causes(out, source, steps, reference, options)
    cols = ["vendor", "step", "key", "label", "units", "denominator", "rate", "ci_low", "ci_high", "order",
            "entry", "counting", "reentry", "window_days", "tie_seconds", "exclusion_scope", "any_order",
            "reference", "reference_units", "difference", "why", "cause"]
    return out[cols]


def _causes(out, source, steps, reference, options) -> list[str]:
    """Per row, the rules that alone move the step's count from the reference's (empty when none differs)."""
    causes = [""] * len(out)
    ref_name = reference if isinstance(reference, str) else OWN
    ref_settings, ref_units = _settings(reference, options), out.loc[out.vendor == ref_name].set_index("step")["units"]
    ref_options = vendor_preset(reference) if isinstance(reference, str) else reference
    for vendor, rows in out.groupby("vendor", sort=False):
        if vendor == ref_name or not rows.difference.any():
            continue
        settings = _settings(vendor, options)
        moved: dict[int, list[str]] = {}
        for key in _WHY:
            if settings[key] == ref_settings[key]:
                continue
            one = dataclasses.replace(ref_options, **{key: settings[key]})
            try:
                units = funnel_table(source, steps, options=one, **options).set_index("step")["units"]
            except ValueError:  # a combination funnel_table refuses alone (e.g. totals with best re-entry)
                continue
            for step in units.index[units != ref_units.reindex(units.index)]:
                moved.setdefault(int(step), []).append(key)
        for i, step, diff in zip(rows.index, rows.step, rows.difference):
            if diff:
                causes[i] = ", ".join(moved.get(int(step), [])) or "several rules together"
    return causes

"""A declared funnel as GA4, Mixpanel, Amplitude and PostHog would count it, for a client's page.

- :func:`vendor_comparison`: one row per step, the workbench's count (the funnel as ``journey.yml``
  declares it) beside each vendor's;
- :func:`vendor_differences`: one row per vendor and step whose count differs from the workbench's,
  with the rule behind the difference in the report's language.

Both read :func:`cjmlib.reconcile_funnels` with the declared funnel's own counting as the reference:
the steps, unit, kind of funnel (``order``), exclusions and step windows are the funnel's; each vendor
brings its documented defaults for the rest (docs/adr/0001-how-a-funnel-counts.md). The words come
from the catalogue (``cjmlib/i18n/<language>/vendors.yml``).

Examples
--------
>>> vendor_comparison(project)                                     # doctest: +SKIP
>>> vendor_differences(project, "purchase", language="fr")         # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from ..i18n.catalogue import check_language, say
from ..spec.funnels import funnel_labels, journey_funnels
from .declared import funnel_options, resolve_funnel
from .reconcile import OWN, reconcile_funnels
from .vendors import VENDORS

__all__ = ["vendor_comparison", "vendor_differences"]

_SEVERAL = "several rules together"  # what reconcile_funnels writes when no rule alone moves a count
_VALUE_KEYS = {"window_days": "window", "tie_seconds": "ties", "exclusion_scope": "exclusion"}


def _reconciled(project, funnel) -> tuple[pd.DataFrame, object]:
    """The declared funnel (the first when omitted) counted by the workbench and by each vendor, once per
    project and funnel."""
    spec = project.spec
    funnel = journey_funnels(spec)[0] if funnel is None else resolve_funnel(spec, funnel)
    own = funnel_options(funnel)
    shared = {"order": own.order, "exclude": list(own.exclude) if own.exclude else None,
              "step_window_days": list(own.step_window_days) if own.step_window_days else None}
    cache, key = getattr(project, "cache", None), ("vendor_reconciled", funnel.model_dump_json())
    if cache is not None and key in cache:  # the comparison and the differences share one count
        return cache[key].copy(), funnel
    table = reconcile_funnels(project, list(funnel.steps), reference=own, by=funnel.by, unit=funnel.unit,
                              labels=funnel_labels(spec, funnel), **shared)
    if cache is not None:
        cache[key] = table.copy()
    return table, funnel


def vendor_comparison(project, funnel=None) -> pd.DataFrame:
    """Count a declared funnel as the workbench does and as GA4, Mixpanel, Amplitude and PostHog would.

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A funnel's id or :class:`~cjmlib.spec.model.Funnel`; the first of ``journey.yml``'s funnels
        (or the default funnel over the stages) when omitted.

    Returns
    -------
    DataFrame
        One row per step, in the funnel's order: ``step`` (the step's id), ``label``, ``workbench``
        (units at the step as the funnel is declared in ``journey.yml``), ``ga4``, ``mixpanel``,
        ``amplitude``, ``posthog`` (units at the step under each vendor's documented defaults, on the
        funnel's steps, unit, order, exclusions and step windows), ``unit`` (``user`` or ``session``:
        what every count counts), ``position`` (1-based) and ``funnel`` (its id).

    Examples
    --------
    >>> vendor_comparison(project).columns[:3].tolist()            # doctest: +SKIP
    ['step', 'label', 'workbench']
    """
    table, funnel = _reconciled(project, funnel)
    wide = table.pivot(index="step", columns="vendor", values="units")
    first = table.drop_duplicates("step").set_index("step")
    out = pd.DataFrame({"step": first["key"].astype(str), "label": first["label"].astype(str)})
    for name in [OWN, *VENDORS]:
        out[name] = wide[name].astype(int)
    out["unit"] = funnel.unit
    out["position"] = out.index.astype(int)
    out["funnel"] = funnel.id
    return out.reset_index(drop=True)


def _days(days: float, language: str) -> str:
    """A conversion window's phrase: days, one day (24 hours), hours or minutes."""
    if days == 1:
        return say("vendors", "window.day", language)
    if days > 1 and float(days).is_integer():
        return say("vendors", "window.days", language, n=int(days))
    hours = days * 24
    if hours.is_integer():
        return say("vendors", "window.hours", language, n=int(hours))
    return say("vendors", "window.minutes", language, n=round(hours * 60))


def _setting(rule: str, value, language: str) -> str:
    """What a value of a rule does, as a verb phrase (its subject is the vendor or the workbench)."""
    if rule == "window_days":
        return say("vendors", "window.none", language) if pd.isna(value) else _days(float(value), language)
    if rule == "tie_seconds":
        if not value or value == 1:
            return say("vendors", "ties.zero" if not value else "ties.one", language)
        return say("vendors", "ties.seconds", language, n=int(value) if float(value).is_integer() else value)
    return say("vendors", f"{_VALUE_KEYS.get(rule, rule)}.{value}", language)


def _explained(rules: list[str], vendor: str, own: dict, theirs: dict, language: str) -> str:
    """One sentence per rule: what the vendor does, then what the workbench does."""
    name = say("tables", f"values.{vendor}", language)
    return " ".join(say("vendors", "explain", language, vendor=name,
                        theirs=_setting(rule, theirs[rule], language), ours=_setting(rule, own[rule], language))
                    for rule in rules)


def vendor_differences(project, funnel=None, *, language: str | None = None) -> pd.DataFrame:
    """For each vendor and step whose count differs from the workbench's, the difference and its rule, in words.

    Parameters
    ----------
    project
        The loaded project.
    funnel
        A funnel's id or :class:`~cjmlib.spec.model.Funnel`; the first of ``journey.yml``'s funnels
        (or the default funnel over the stages) when omitted.
    language
        ``en`` or ``fr``: the language of ``cause`` and ``explanation``; the project's when omitted.

    Returns
    -------
    DataFrame
        One row per vendor and step whose count differs, vendors in the order GA4, Mixpanel,
        Amplitude, PostHog, steps in the funnel's order: ``vendor`` (``ga4``, ``mixpanel``,
        ``amplitude`` or ``posthog``; the tables' catalogue names them), ``step`` (the step's id),
        ``label``, ``workbench`` (units at the step as ``journey.yml`` declares the funnel),
        ``vendor_units`` (the vendor's count), ``difference`` (vendor_units − workbench),
        ``cause`` (the name of the rule behind the difference: the rules that, changed alone from the
        workbench's value to the vendor's, move this count; "several rules together" when none does
        alone), ``explanation`` (for each such rule, or each rule that differs when none moves the count
        alone, what the vendor does and what the workbench does), ``unit`` and ``funnel`` (its id). No row
        when every count agrees.

    Examples
    --------
    >>> vendor_differences(project, language="fr")[["vendor", "difference", "cause"]]   # doctest: +SKIP
    """
    language = check_language(language or project.spec.project.language)
    table, funnel = _reconciled(project, funnel)
    own = table.loc[table.vendor == OWN].iloc[0]
    keys = list(next(iter(VENDORS.values())))
    rows = []
    for _, row in table.loc[(table.vendor != OWN) & (table.difference != 0)].iterrows():
        theirs = {key: row[key] for key in keys}
        mine = {key: own[key] for key in keys}
        several = row["cause"] == _SEVERAL
        rules = [k for k in keys if k != "order" and _differs(mine[k], theirs[k])] if several else \
            row["cause"].split(", ")
        names = say("vendors", "rules.several", language) if several else \
            say("vendors", "join", language).join(say("vendors", f"rules.{rule}", language) for rule in rules)
        rows.append({"vendor": row["vendor"], "step": str(row["key"]), "label": str(row["label"]),
                     "workbench": int(row["reference_units"]), "vendor_units": int(row["units"]),
                     "difference": int(row["difference"]), "cause": names,
                     "explanation": _explained(rules, row["vendor"], mine, theirs, language)})
    columns = ["vendor", "step", "label", "workbench", "vendor_units", "difference", "cause", "explanation"]
    out = pd.DataFrame(rows, columns=columns)
    return out.assign(unit=funnel.unit, funnel=funnel.id)


def _differs(a, b) -> bool:
    """Two settings differ (None and NaN alike for an absent window)."""
    return not (pd.isna(a) and pd.isna(b)) and a != b

"""The what-if panel: sliders on each step rate of a funnel and the live :func:`cjmlib.what_if_table`.

In JupyterLab only (ipywidgets); the exported report shows the static table. Imported on first use
(``cjm.what_if_panel``), so the command line loads no widget library.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import display

from ..plan.sizing import what_if_table

__all__ = ["what_if_panel"]


def what_if_panel(funnel: pd.DataFrame, *, days: float, value: float = np.nan, targets: dict | None = None,
                  on_change=None, value_se: float = 0.0):
    """Sliders on each step rate of ``funnel`` and the live :func:`what_if_table` (JupyterLab only).

    The sliders start at ``targets`` (step key -> rate, e.g. :func:`sizing_targets`) where given,
    else at today's rate. ``on_change(table)`` is called with the new table after every move a
    person makes (e.g. to save it) — never when the panel is first drawn, so a batch run keeps the
    table the notebook saved. The exported report shows the static table instead: tag the cell that
    displays the panel ``remove``. Every figure carries its 95 % interval (the delta method of
    :func:`what_if_table` on the measured step rates and on ``value_se``).

    Parameters
    ----------
    funnel
        A :func:`cjmlib.funnel_table` result (``key``, ``units``, ``previous``); one slider per step after the first.
    days
        Days the funnel's data covers (see :func:`period_days`), to scale to a month.
    value
        Revenue per conversion (see :func:`revenue_per_conversion`); NaN by default (no revenue).
    targets
        Step key → the rate a slider starts at; today's rate where omitted.
    on_change
        Called as ``on_change(table)`` after every move of a slider; None (the default) for nothing.
    value_se
        The standard error of ``value`` (``se`` of :func:`revenue_per_conversion`); 0 by default.
    """
    keys = funnel["key"].astype(str).tolist()[1:]
    now = (funnel["units"] / funnel["previous"]).to_numpy(float)[1:]
    start = {k: float((targets or {}).get(k, r)) for k, r in zip(keys, now)}
    sliders = {k: widgets.FloatSlider(value=round(start[k], 3), min=0.0, max=1.0, step=0.005, description=k,
                                      readout_format=".1%", continuous_update=False) for k in keys}
    out = widgets.Output()

    def refresh(change=None):
        table = what_if_table(funnel, {k: s.value for k, s in sliders.items()}, days=days, value=value,
                              value_se=value_se)
        out.clear_output(wait=True)
        with out:
            display(table.round(4))
        if change is not None and on_change is not None:
            on_change(table)

    for s in sliders.values():
        s.observe(refresh, names="value")
    refresh()
    return widgets.VBox([*sliders.values(), out])

"""What the spec names, checked against the data: so that a valid project is one that runs.

:func:`data_issues` checks every name the spec takes from the data — the events a funnel ``by: event``
steps through, the columns and values of persona rules, the breakdown columns — and reports each
problem once, with the spec's line, the file's own column name, "did you mean" and the fix.
:func:`skipped_sections` says which sections of the report will be left out, and why, in one sentence
each (no device column, no feedback, a persona matching nobody, a funnel nobody enters…): ``cjm
validate`` prints them as notes and the step pages show the same sentence in place of the section.
"""

from __future__ import annotations

from typing import Any

from ..errors import Issue
from ..spec.funnels import events_column, file_column, journey_funnels
from ..spec.issues import did_you_mean, line_of
from ..spec.model import Journey
from .sql import quote_ident

__all__ = ["OPTIONAL_EVENT_COLUMNS", "data_issues", "event_columns", "skipped_sections"]

#: Canonical columns of the events that a source may lack (all empty then), and what goes without them.
OPTIONAL_EVENT_COLUMNS = {
    "device": "the device breakdowns and the device comparisons",
    "channel": "the channel breakdowns and the acquisition-channel comparisons",
    "page": "the landing-page and page-path tables",
    "revenue": "the revenue per conversion (and so the revenue of the sizing)",
}
_SHOWN = 12  # values listed in a fix


def event_columns(project) -> list[str]:
    """The columns of the project's events table (canonical first, then the file's other columns).

    Parameters
    ----------
    project
        The loaded project.
    """
    if not project.has("events"):
        return []
    return [c for (c,) in project.con.execute("SELECT name FROM pragma_table_info('events')").fetchall()]


def _values(project, column: str, limit: int = 10_000) -> list[tuple[str, int]]:
    """The values of an events column, most frequent first, with their counts (NULL left out)."""
    rows = project.con.execute(f"SELECT CAST({quote_ident(column)} AS VARCHAR) v, count(*) n FROM events "
                               f"WHERE {quote_ident(column)} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v "
                               f"LIMIT {int(limit)}").fetchall()
    return [(str(v), int(n)) for v, n in rows]


def _listing(values: list[str]) -> str:
    return ", ".join(values[:_SHOWN]) + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")


def _file_columns(project, columns: list[str]) -> list[str]:
    """The events file's columns, as the file names them (a canonical column the file lacks, all empty, left out)."""
    canonical = [c for c in ("user_id", "session_id", "ts", "event", "page", "channel", "device", "revenue")
                 if c in columns]
    counts = project.con.execute("SELECT " + ", ".join(f"count({c})" for c in canonical) + " FROM events").fetchone()
    held = [c for c, n in zip(canonical, counts) if n]
    names = [file_column(project.spec, c) for c in held]
    names += [c for c in columns if c not in canonical and c not in ("touchpoint", "stage", "stage_order")]
    return list(dict.fromkeys(names))


def _funnel_issues(project, tree, columns, events_file) -> list[Issue]:
    spec, issues = project.spec, []
    seen = dict(_values(project, "event")) if "event" in columns else {}
    by_count = list(seen)
    event_col = file_column(spec, "event")
    reached = ({str(v) for v, _ in _values(project, "touchpoint")} if "touchpoint" in columns else set())
    for i, f in enumerate(spec.funnels):
        for field in ("steps", "exclude"):
            for j, step in enumerate(getattr(f, field)):
                step = getattr(step, "event", step)  # an exclusion between two steps names its event
                loc = ("funnels", i, field, j)
                key = f"funnels[{i}].{field}[{j}]"
                if f.by == "event" and step not in seen:
                    severity = "error" if field == "steps" else "warning"
                    issues.append(Issue(
                        code="unknown_step" if field == "steps" else "unknown_exclusion", file="journey.yml",
                        line=line_of(tree, loc), key=key, column=event_col, value=step, severity=severity,
                        problem=f"the funnel '{f.id}' {'steps through' if field == 'steps' else 'excludes'} "
                                f"'{step}', but no row of {events_file} has it in column `{event_col}`.",
                        fix=(did_you_mean(step, by_count) + f"Events in the file, most frequent first: "
                             f"{_listing(by_count)}.").strip()))
                elif f.by == "touchpoint" and field == "steps" and reached and step not in reached:
                    issues.append(Issue(
                        code="empty_step", file="journey.yml", line=line_of(tree, loc), key=key, value=step,
                        severity="warning", problem=f"no event of {events_file} matches the touchpoint '{step}', "
                                                    f"so nobody goes past it in the funnel '{f.id}'.",
                        fix=f"Check the `match` rule of the touchpoint '{step}' against the events in column "
                            f"`{event_col}`."))
    return issues


def _rule_issues(project, tree, columns, events_file) -> list[Issue]:
    spec, issues = project.spec, []
    shown = _file_columns(project, columns)
    for i, persona in enumerate(spec.personas):
        for column, wanted in (persona.rule or {}).items():
            loc = ("personas", i, "rule", column)
            line = line_of(tree, loc)
            if column not in columns:
                canon = events_column(spec, column)
                if canon in columns:
                    fix = f"Write `{canon}:` instead: the column `{column}` of the file is read as `{canon}`."
                else:
                    fix = (did_you_mean(column, shown) + f"Columns of {events_file}: {_listing(shown)}.").strip()
                issues.append(Issue(code="unknown_column", file="journey.yml", line=line, key=f"personas[{i}].rule",
                                    column=column, value=column, problem=f"the rule of persona '{persona.id}' reads "
                                    f"the column `{column}`, which {events_file} does not have.", fix=fix))
                continue
            present = [v for v, _ in _values(project, column)]
            wanted = wanted if isinstance(wanted, tuple) else (wanted,)
            shown_col = file_column(spec, column)
            if not present:
                issues.append(Issue(code="empty_column", file="journey.yml", line=line, key=f"personas[{i}].rule",
                                    column=shown_col, severity="warning",
                                    problem=f"the column `{shown_col}` of {events_file} holds no value, so the "
                                            f"persona '{persona.id}' matches nobody.",
                                    fix=f"Map the export's column under sources.events.columns ({column}: <column>), "
                                        "or change the persona's rule."))
                continue
            for value in wanted:
                if str(value) not in present:
                    issues.append(Issue(
                        code="unknown_value", file="journey.yml", line=line, key=f"personas[{i}].rule.{column}",
                        column=shown_col, value=str(value), severity="warning",
                        problem=f"no row of {events_file} has '{value}' in column `{shown_col}`: the rule of "
                                f"persona '{persona.id}' never matches it.",
                        fix=(did_you_mean(value, present) + f"Values in the file: {_listing(present)}.").strip()))
    return issues


def _breakdown_issues(project, tree, columns, events_file) -> list[Issue]:
    spec, issues = project.spec, []
    shown = _file_columns(project, columns)
    for j, name in enumerate(spec.breakdowns):
        col = events_column(spec, name)
        loc = ("breakdowns", j)
        if col not in columns:
            issues.append(Issue(code="unknown_column", file="journey.yml", line=line_of(tree, loc),
                                key=f"breakdowns[{j}]", column=name, value=name,
                                problem=f"the breakdown column `{name}` is not a column of {events_file}.",
                                fix=(did_you_mean(name, shown) + f"Columns of {events_file}: "
                                     f"{_listing(shown)}.").strip()))
        elif not project.con.execute(f"SELECT count({quote_ident(col)}) FROM events").fetchone()[0]:
            issues.append(Issue(code="empty_column", file="journey.yml", line=line_of(tree, loc),
                                key=f"breakdowns[{j}]", column=file_column(spec, col), value=name, severity="warning",
                                problem=f"the column `{file_column(spec, col)}` of {events_file} holds no value: the "
                                        f"breakdown by {name} is skipped.",
                                fix=f"Map the export's column under sources.events.columns ({col}: <column>), or "
                                    f"remove {name} from breakdowns."))
    return issues


def _lane_issues(spec: Journey, tree) -> list[Issue]:
    issues, seen = [], set()
    for i, lane in enumerate(spec.lanes):
        if (lane.stage, lane.persona) in seen:
            issues.append(Issue(code="duplicate_lane", file="journey.yml", line=line_of(tree, ("lanes", i)),
                                key=f"lanes[{i}]", severity="warning",
                                problem=f"a second lane for the stage '{lane.stage}' and the persona "
                                        f"'{lane.persona}': the map shows the first one only.",
                                fix="Merge the two lanes into one."))
        seen.add((lane.stage, lane.persona))
    return issues


def data_issues(project, tree: Any = None) -> list[Issue]:
    """Check the names the spec takes from the data: funnel events, persona rules, breakdown columns, lanes.

    Parameters
    ----------
    project
        The loaded project (its events in the engine).
    tree
        The spec's round-trip YAML tree, for the line of each issue (:func:`cjmlib.spec.load_spec`).

    Returns
    -------
    list of Issue
        Errors (an event a funnel steps through that the data never shows, a rule or breakdown column
        the events file does not have) and warnings (a value never seen, an empty column, a touchpoint
        no event matches): each with the spec's line, the file's own column name and the fix.
    """
    spec = project.spec
    issues = _lane_issues(spec, tree)
    if spec.sources.events is None or not project.has("events"):
        return issues
    columns = event_columns(project)
    events_file = spec.sources.events.path
    for check in (_funnel_issues, _rule_issues, _breakdown_issues):
        issues += check(project, tree, columns, events_file)
    return issues


def _funnel_notes(project, columns, min_n: int) -> list[tuple[str, str]]:
    notes = []
    for f in journey_funnels(project.spec):
        if f.by not in columns:
            continue
        unit = "user_id" if f.unit == "user" else "session_id"
        entered = project.con.execute(f"SELECT count(DISTINCT {unit}) FROM events WHERE CAST({quote_ident(f.by)} "
                                      "AS VARCHAR) = ?", [f.steps[0]]).fetchone()[0]
        units = "customers" if f.unit == "user" else "sessions"
        if not entered:
            notes.append((f"funnel:{f.id}", (f"Nobody enters the funnel '{f.label}': no {f.by} '{f.steps[0]}' in the "
                                            "events. Its page section is skipped; check its first step.")))
        elif entered < min_n:
            notes.append((f"funnel:{f.id}", (f"Only {entered} {units} enter the funnel '{f.label}', fewer than "
                                            f"min_group_size ({min_n}): its rates are not shown.")))
    return notes


def skipped_sections(project) -> list[tuple[str, str]]:
    """The sections of the report that will be left out, and why, one sentence each.

    Parameters
    ----------
    project
        The loaded project.

    Returns
    -------
    list of (key, sentence)
        Keys: ``events``, ``feedback``, ``surveys``, ``orders`` (a source absent or empty), ``device``,
        ``channel``, ``page``, ``revenue`` (an events column absent or empty), ``personas`` (no persona has
        a data rule), ``persona:<id>`` (a rule matching nobody), ``funnel:<id>`` (a funnel nobody enters,
        or fewer than ``min_group_size``), ``breakdown:<column>`` (an empty breakdown column) and
        ``sizing`` (no opportunity names a funnel step). Each sentence says what is missing and how to add it.
    """
    spec, notes = project.spec, []
    min_n = spec.project.min_group_size
    what = {"events": "behaviour (funnels, paths, segments)",
            "feedback": "the voice of the customer (themes, sentiment, quotes)",
            "surveys": "the NPS, CSAT and CES scores", "orders": "retention and repeat purchase from orders"}
    for name, missing in what.items():
        source = getattr(spec.sources, name)
        if source is None or not project.has(name):
            notes.append((name, (f"No {name} source, so {missing} will be left out. Add the export under "
                                f"sources.{name} in journey.yml.")))
        elif not project.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]:
            notes.append((name, f"The {name} file has no row to use, so {missing} will be left out."))
    columns = event_columns(project)
    if not columns:
        return notes
    for column, missing in OPTIONAL_EVENT_COLUMNS.items():
        if not project.con.execute(f"SELECT count({column}) FROM events").fetchone()[0]:
            notes.append((column, (f"No {column} column in the events, so {missing} will be left out. Map the "
                                  f"export's column under sources.events.columns ({column}: <column>) to add them.")))
    ruled = [p for p in spec.personas if p.rule]
    if spec.personas and not ruled:
        notes.append(("personas", ("No persona has a `rule:` selecting its customers in the events: the personas' "
                                  "measures show all customers. Add a rule (column: value) to each persona.")))
    for p in ruled:
        if not all(c in columns for c in p.rule):
            continue
        conds = " AND ".join(f"CAST({quote_ident(c)} AS VARCHAR) IN (SELECT unnest(?::VARCHAR[]))" for c in p.rule)
        args = [list(v) if isinstance(v, tuple) else [v] for v in p.rule.values()]
        if not project.con.execute(f"SELECT count(*) FROM events WHERE {conds}", args).fetchone()[0]:
            notes.append((f"persona:{p.id}", (f"The persona '{p.name}' matches no customer (its rule "
                                             f"{dict(p.rule)} selects no event): its measures are skipped.")))
    notes += _funnel_notes(project, columns, min_n)
    for name in spec.breakdowns:
        col = events_column(spec, name)
        if col in columns and not project.con.execute(f"SELECT count({quote_ident(col)}) FROM events").fetchone()[0]:
            notes.append((f"breakdown:{name}", (f"The column `{file_column(spec, col)}` holds no value: the "
                                               f"breakdown by {name} is skipped.")))
    if not any(o.step for o in spec.opportunities):
        notes.append(("sizing", ("No opportunity names the funnel step it moves (`funnel:`, `step:`, "
                                "`target_rate:`): the sizing is skipped.")))
    return notes

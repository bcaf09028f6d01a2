"""Issues found in a journey spec: each with its file, line, dotted key, what is allowed and "did you mean".

Two kinds of checks, both reporting every problem at once: what pydantic finds against the models
(unknown keys, values not allowed, missing keys, non-finite numbers) and the cross-references
(a stage, persona, touchpoint, pain point, KPI or theme named but not declared, an id used twice).
Both work on the round-trip YAML tree, which knows the line of every key.

Examples
--------
>>> from cjmlib.spec.issues import did_you_mean, dotted
>>> dotted(("touchpoints", 2, "stage"))
'touchpoints[2].stage'
>>> did_you_mean("purchse", ["awareness", "purchase"])
"Did you mean 'purchase'? "
"""

from __future__ import annotations

import difflib
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..errors import Issue
from .model import DEFAULT_STAGES, Journey

__all__ = ["RENAMED_KEYS", "did_you_mean", "dotted", "funnel_reference_issues", "line_of", "pydantic_issues",
           "reference_issues"]

#: Keys an older journey.yml may still hold -> how to write them now.
RENAMED_KEYS = {
    "funnel_step": "`funnel_step` was replaced by two keys: write `funnel: <the id of a funnel under funnels:>` "
                   "and `step: <the step it moves>` (the step keeps its value; `funnel:` may be left out when "
                   "the project has one funnel).",
}


def line_of(root: Any, loc: tuple) -> int | None:
    """Return the 1-based line of the deepest node of ``loc`` that the YAML tree knows.

    Parameters
    ----------
    root
        The round-trip YAML tree (ruamel's ``CommentedMap``), as :func:`cjmlib.spec.io.parse_spec` returns it.
    loc
        The path to the value: keys and list positions, e.g. ``("touchpoints", 2, "stage")``.

    Returns
    -------
    The line, or None when the tree knows no part of ``loc`` (a plain dict, a key not written).
    """
    node, line = root, None
    for part in loc:
        try:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        except (KeyError, TypeError, AttributeError):
            break
    return line


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Follow ``loc`` through the model's fields and return the keys allowed at its parent."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        ann = fields[part].annotation
        for _ in range(3):  # unwrap tuple[...] / Optional[...]
            args = [a for a in typing.get_args(ann) if a is not type(None) and a is not Ellipsis]
            if getattr(ann, "model_fields", None) or not args:
                break
            ann = args[0]
        current = ann
    fields = getattr(current, "model_fields", None)
    return list(fields) if fields else []


def did_you_mean(word: str, choices) -> str:
    """Return "Did you mean '<closest>'? " for the choice closest to ``word``, or "" when none is close.

    Parameters
    ----------
    word
        The misspelt value (any value; compared as text).
    choices
        The allowed values (an iterable of any values; compared as text). A choice is close when
        :func:`difflib.get_close_matches` scores it 0.6 or more.
    """
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'? " if close else ""


def dotted(loc: tuple) -> str:
    """Return ``loc`` written as a key of the spec: ``("touchpoints", 2, "stage")`` -> ``touchpoints[2].stage``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def pydantic_issues(err: ValidationError, root: Any, file: str) -> list[Issue]:
    """Turn every error of a :class:`~cjmlib.spec.model.Journey` validation into an issue with its line.

    A misspelt key is reported once, as an unknown key with its suggestion, not also as a missing one.

    Parameters
    ----------
    err
        The error pydantic raised while validating the spec.
    root
        The round-trip YAML tree of the spec, to find each issue's line.
    file
        The file name the issues name (e.g. ``journey.yml``).
    """
    issues = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        line = line_of(root, loc)
        key = dotted(loc)
        kind = e["type"]
        value = e.get("input")
        if kind == "extra_forbidden" and loc[-1] in RENAMED_KEYS:
            problem = f"the key '{loc[-1]}' was renamed."
            fix = RENAMED_KEYS[loc[-1]]
            code = "renamed_key"
        elif kind == "extra_forbidden":
            allowed = _allowed_keys(Journey, loc)
            problem = f"unknown key '{loc[-1]}'."
            fix = did_you_mean(loc[-1], allowed) + (f"Allowed keys: {', '.join(allowed)}." if allowed else "")
            code = "unknown_key"
        elif kind == "literal_error":
            allowed = e.get("ctx", {}).get("expected", "")
            problem = f"'{value}' is not allowed."
            options = [a.strip(" '") for a in str(allowed).replace(" or ", ", ").split(",")]
            fix = did_you_mean(value, options) + f"Allowed: {allowed}."
            code = "not_allowed"
        elif kind == "missing":
            problem = f"required key '{loc[-1]}' is missing."
            fix = f"Add '{loc[-1]}:' here."
            code = "missing_key"
        elif kind == "finite_number":
            problem = f"{value!r} is not a finite number."
            fix = "Write a plain number here (NaN and infinity are not allowed)."
            code = "not_finite"
        else:
            problem = f"{e['msg']} (got {value!r})." if not isinstance(value, dict | list) else f"{e['msg']}."
            fix = ""
            code = "bad_value"
        issues.append(Issue(code=code, file=file, line=line, key=key, value=None if value is None else str(value)[:80],
                            problem=problem, fix=fix.strip()))
    # a misspelt key is one mistake, not two: drop "missing 'name'" when "unknown 'naem'" suggests it
    suggested = {(i.key.rsplit(".", 1)[0], i.fix.split("'")[1]) for i in issues
                 if i.code == "unknown_key" and i.fix.startswith("Did you mean")}
    return [i for i in issues if not (i.code == "missing_key" and tuple(i.key.rsplit(".", 1)) in suggested)]


def reference_issues(data: Any, root: Any, file: str) -> list[Issue]:
    """Check that every reference (stage, persona, touchpoint, pain point, KPI, theme) exists.

    Works on the raw YAML tree, so it reports even when other parts of the spec are invalid.

    Parameters
    ----------
    data
        The spec as plain dicts and lists (nothing is reported when it is not a mapping).
    root
        The round-trip YAML tree of the same spec, to find each issue's line.
    file
        The file name the issues name (e.g. ``journey.yml``).
    """
    if not isinstance(data, dict):
        return []

    def ids(section: str, key: str = "id") -> list[str]:
        items = data.get(section) or []
        return [str(x.get(key)) for x in items if isinstance(x, dict) and x.get(key) is not None]

    stage_ids = ids("stages") if data.get("stages") else list(DEFAULT_STAGES)
    known = {
        "stage": stage_ids,
        "persona": ids("personas"),
        "touchpoints": ids("touchpoints"),
        "touchpoint": ids("touchpoints"),
        "pain_points": ids("pain_points"),
        "kpis": [str(k.get("id")) for g in (data.get("goals") or []) if isinstance(g, dict)
                 for k in (g.get("kpis") or []) if isinstance(k, dict)],
        "themes": [str(t.get("id")) for t in ((data.get("codebook") or {}).get("themes") or [])
                   if isinstance(t, dict)],
    }
    names = {"stage": "stages", "persona": "personas", "touchpoints": "touchpoints", "touchpoint": "touchpoints",
             "pain_points": "pain points", "kpis": "KPIs", "themes": "codebook themes"}
    issues: list[Issue] = []

    for section in ("stages", "personas", "touchpoints", "pain_points", "opportunities"):
        seen: set[str] = set()
        for i, item in enumerate(data.get(section) or []):
            if isinstance(item, dict) and item.get("id") is not None:
                if str(item["id"]) in seen:
                    issues.append(Issue(code="duplicate_id", file=file, line=line_of(root, (section, i, "id")),
                                        key=f"{section}[{i}].id", value=str(item["id"]),
                                        problem=f"id '{item['id']}' is used twice in {section}.",
                                        fix="Give each entry its own id."))
                seen.add(str(item["id"]))

    checks = [("touchpoints", "stage"), ("lanes", "stage"), ("lanes", "persona"), ("pain_points", "stage"),
              ("pain_points", "touchpoints"), ("pain_points", "themes"), ("opportunities", "stage"),
              ("opportunities", "touchpoints"), ("opportunities", "pain_points"), ("opportunities", "kpis")]
    entries = [((section, i), item, field) for section, field in checks
               for i, item in enumerate(data.get(section) or [])]
    entries += [(("personas", i, "day", j), moment, "touchpoint")  # the moments of a persona's day
                for i, persona in enumerate(data.get("personas") or [])
                if isinstance(persona, dict) and isinstance(persona.get("day"), list)
                for j, moment in enumerate(persona["day"])]
    entries += [(("codebook", "themes", i), theme, "touchpoint")
                for i, theme in enumerate((data.get("codebook") or {}).get("themes") or [])]
    for where, item, field in entries:
        if not isinstance(item, dict) or item.get(field) is None:
            continue
        refs = item[field] if isinstance(item[field], list) else [item[field]]
        for j, ref in enumerate(refs):
            if str(ref) in known[field]:
                continue
            loc = (*where, field) if not isinstance(item[field], list) else (*where, field, j)
            allowed = known[field]
            issues.append(Issue(
                code="unknown_reference", file=file, line=line_of(root, loc), key=dotted(loc), value=str(ref),
                problem=f"'{ref}' is not one of the {names[field]} of this journey.",
                fix=(did_you_mean(ref, allowed) + (f"Known {names[field]}: {', '.join(allowed)}." if allowed
                     else f"Declare it under '{field if field.endswith('s') else field + 's'}:' first.")).strip()))
    themes = ((data.get("codebook") or {}).get("themes") or [])
    for i, theme in enumerate(themes):
        if isinstance(theme, dict) and theme.get("stage") is not None and str(theme["stage"]) not in stage_ids:
            loc = ("codebook", "themes", i, "stage")
            issues.append(Issue(code="unknown_reference", file=file, line=line_of(root, loc), key=dotted(loc),
                                value=str(theme["stage"]),
                                problem=f"'{theme['stage']}' is not one of the stages of this journey.",
                                fix=(did_you_mean(theme["stage"], stage_ids)
                                     + f"Known stages: {', '.join(stage_ids)}.").strip()))
    return issues + funnel_reference_issues(data, root, file, stage_ids=stage_ids,
                                            touchpoint_ids=known["touchpoints"])


def _unknown(file, root, loc, value, what, allowed, fix_more="") -> Issue:
    return Issue(code="unknown_reference", file=file, line=line_of(root, loc), key=dotted(loc), value=str(value),
                 problem=f"'{value}' is not one of the {what}.",
                 fix=(did_you_mean(value, allowed) + (f"Known {what.split(' of ')[0]}: {', '.join(allowed)}."
                                                      if allowed else "") + fix_more).strip())


def funnel_reference_issues(data: dict, root: Any, file: str, *, stage_ids: list[str],
                            touchpoint_ids: list[str]) -> list[Issue]:
    """Check the funnels' steps (touchpoints or stages), their ids, the breakdowns and the opportunities' funnel/step.

    A funnel ``by: event`` names events, which only the data knows: those are checked by
    :func:`cjmlib.data.crossref.data_issues`. Without a ``funnels:`` section the project's one
    funnel is the stages' (id ``journey``).

    Parameters
    ----------
    data
        The spec as plain data.
    root
        The round-trip YAML tree (for lines).
    file
        The spec's file name, as issues name it.
    stage_ids, touchpoint_ids
        The stages and touchpoints the spec declares.
    """
    issues: list[Issue] = []
    funnels = [f for f in (data.get("funnels") or []) if isinstance(f, dict)]
    seen: set[str] = set()
    steps_of: dict[str, list[str]] = {}
    for i, f in enumerate(data.get("funnels") or []):
        if not isinstance(f, dict):
            continue
        fid = str(f.get("id"))
        if fid in seen:
            issues.append(Issue(code="duplicate_id", file=file, line=line_of(root, ("funnels", i, "id")),
                                key=f"funnels[{i}].id", value=fid, problem=f"id '{fid}' is used twice in funnels.",
                                fix="Give each funnel its own id."))
        seen.add(fid)
        steps = f.get("steps")
        steps = [steps] if isinstance(steps, str) else (steps if isinstance(steps, list) else [])
        steps_of[fid] = [str(s) for s in steps]
        by = f.get("by", "event")
        allowed = {"touchpoint": touchpoint_ids, "stage": stage_ids}.get(by)
        if allowed is None:
            continue
        what = "touchpoints of this journey" if by == "touchpoint" else "stages of this journey"
        for field in ("steps", "exclude"):
            values = f.get(field)
            values = [values] if isinstance(values, str) else (values if isinstance(values, list) else [])
            for j, step in enumerate(values):
                step = step.get("event") if isinstance(step, dict) else step  # {event, between: [i, j]}
                if str(step) not in allowed:
                    issues.append(_unknown(file, root, ("funnels", i, field, j), step, what, allowed,
                                           f" The funnel '{fid}' is `by: {by}`: its {field} are {by} ids."))
    if not funnels:
        steps_of = {"journey": stage_ids}
    for i, o in enumerate(data.get("opportunities") or []):
        if not isinstance(o, dict) or not (o.get("funnel") or o.get("step")):
            continue
        fid = str(o.get("funnel") or "")
        if not fid:
            if len(steps_of) != 1:
                issues.append(Issue(code="missing_key", file=file, line=line_of(root, ("opportunities", i, "step")),
                                    key=f"opportunities[{i}].funnel",
                                    problem=f"opportunity '{o.get('id')}' names a step but not its funnel, and the "
                                            f"project has {len(steps_of)} funnels.",
                                    fix=f"Add 'funnel:' with one of: {', '.join(steps_of)}."))
                continue
            fid = next(iter(steps_of))
        elif fid not in steps_of:
            issues.append(_unknown(file, root, ("opportunities", i, "funnel"), fid, "funnels of this journey",
                                   list(steps_of), "" if funnels else " Without a `funnels:` section the project's "
                                   "one funnel is `journey` (the stages, by user)."))
            continue
        step = str(o.get("step") or "")
        if not step:
            issues.append(Issue(code="missing_key", file=file, line=line_of(root, ("opportunities", i, "funnel")),
                                key=f"opportunities[{i}].step",
                                problem=f"opportunity '{o.get('id')}' names the funnel '{fid}' but no step of it.",
                                fix=f"Add 'step:' with one of: {', '.join(steps_of[fid][1:])}."))
            continue
        later = steps_of[fid][1:]
        if step not in later:
            first = steps_of[fid][:1] == [step]
            issues.append(Issue(
                code="unknown_step", file=file, line=line_of(root, ("opportunities", i, "step")),
                key=f"opportunities[{i}].step", value=step,
                problem=(f"'{step}' is the first step of the funnel '{fid}': it has no step rate to move." if first
                         else f"'{step}' is not a step of the funnel '{fid}'."),
                fix=(("" if first else did_you_mean(step, later)) + f"Use a later step: {', '.join(later)}."
                     if later else f"The funnel '{fid}' has one step: give it more steps.").strip()))
        elif o.get("target_rate") is None:
            issues.append(Issue(code="missing_key", file=file, line=line_of(root, ("opportunities", i, "step")),
                                key=f"opportunities[{i}].target_rate",
                                problem=f"opportunity '{o.get('id')}' names a step but no target_rate.",
                                fix="Add 'target_rate:' with the step rate aimed at, a share such as 0.65."))
    return issues

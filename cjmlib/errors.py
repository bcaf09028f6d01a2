"""The exception family and the issue record every check returns.

Checks never raise one error per problem: they return :class:`Issue` records, and the
boundary (loading a spec, validating data, running the playbook) raises ONE error that
lists them all, so a consultant fixes everything in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .personal import mask_personal

__all__ = ["CjmError", "DataError", "Issue", "IssueCode", "LockedError", "RunError", "SpecError", "format_issues"]


class IssueCode(StrEnum):
    """The reason code of an issue: what tests and ``cjm validate --json`` read, never the wording.

    A member equals its text (``IssueCode.BAD_VALUE == "bad_value"``), so a code reads the same
    in JSON, in a table and in a comparison; an :class:`Issue` made with a code not listed here
    is refused, so a new check adds its code here first.
    """

    BAD_AS_OF = "bad_as_of"
    BAD_COUNT = "bad_count"
    BAD_ENCODING = "bad_encoding"
    BAD_PATTERN = "bad_pattern"
    BAD_VALUE = "bad_value"
    CHANGED_ON_DISK = "changed_on_disk"
    DUPLICATE_ID = "duplicate_id"
    DUPLICATE_KEY = "duplicate_key"
    DUPLICATE_LANE = "duplicate_lane"
    DUPLICATE_ROWS = "duplicate_rows"
    EMPTY_COLUMN = "empty_column"
    EMPTY_FILE = "empty_file"
    EMPTY_SPEC = "empty_spec"
    EMPTY_STEP = "empty_step"
    EMPTY_VALUE = "empty_value"
    ENGINE_ERROR = "engine_error"
    ENGINE_OPTION = "engine_option"
    ENGINE_UNAVAILABLE = "engine_unavailable"
    FILE_CHANGED = "file_changed"
    GA4_NOT_EVENTS = "ga4_not_events"
    INVALID_YAML = "invalid_yaml"
    IRREGULAR_ROWS = "irregular_rows"
    LINE_TOO_LONG = "line_too_long"
    MISSING_COLUMN = "missing_column"
    MISSING_FILE = "missing_file"
    MISSING_KEY = "missing_key"
    MIXED_TIME_ZONES = "mixed_time_zones"
    NO_CONTROL = "no_control"
    NO_ROWS = "no_rows"
    NO_ROWS_IN_PERIOD = "no_rows_in_period"
    NO_SECRET = "no_secret"
    NO_TOUCHPOINTS = "no_touchpoints"
    NOT_A_FILE = "not_a_file"
    NOT_A_MAPPING = "not_a_mapping"
    NOT_ALLOWED = "not_allowed"
    NOT_FINITE = "not_finite"
    NUL_BYTE = "nul_byte"
    OUTSIDE_PROJECT = "outside_project"
    PSEUDONYM_COLLISION = "pseudonym_collision"
    RENAMED_KEY = "renamed_key"
    SHARED_SESSION_IDS = "shared_session_ids"
    TOO_DEEP = "too_deep"
    TOO_LARGE = "too_large"
    TOO_MANY_BAD_ROWS = "too_many_bad_rows"
    TOO_MANY_CONVERSIONS = "too_many_conversions"
    UNKNOWN_COLUMN = "unknown_column"
    UNKNOWN_ENCODING = "unknown_encoding"
    UNKNOWN_EXCLUSION = "unknown_exclusion"
    UNKNOWN_FUNNEL = "unknown_funnel"
    UNKNOWN_KEY = "unknown_key"
    UNKNOWN_REFERENCE = "unknown_reference"
    UNKNOWN_STAGE = "unknown_stage"
    UNKNOWN_STEP = "unknown_step"
    UNKNOWN_TIMEZONE = "unknown_timezone"
    UNKNOWN_TOUCHPOINT = "unknown_touchpoint"
    UNKNOWN_VALUE = "unknown_value"
    UNMATCHED_EVENTS = "unmatched_events"
    UNREADABLE_FILE = "unreadable_file"
    UNUSED_COLUMNS = "unused_columns"
    WRONG_SEPARATOR = "wrong_separator"


@dataclass(frozen=True)
class Issue:
    """One problem found in a spec or a data file.

    ``row`` is numbered as a spreadsheet shows it (the header is row 1, the first data row
    is row 2); ``line`` is the 1-based line of a YAML file.
    """

    code: IssueCode | str
    file: str
    problem: str
    fix: str = ""
    line: int | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None
    value: str | None = None
    severity: str = "error"  # "error" blocks a run; "warning" is a reported correction (e.g. rows set aside)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "code", IssueCode(self.code))
        except ValueError:
            raise ValueError(f"{self.code!r} is not an issue code; add it to IssueCode") from None
        for name in ("problem", "value"):  # a rejected value quoted back may be an e-mail or a phone number
            text = getattr(self, name)
            if isinstance(text, str):
                object.__setattr__(self, name, mask_personal(text))

    def location(self) -> str:
        """Return where the issue is: the file, then the line, row, column and key that are known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column `{self.column}`")
        if self.key:
            parts.append(f"key `{self.key}`")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: {self.problem}"
        if self.severity == "warning":
            text = f"(warning) {text}"
        if self.fix:
            text += f" {self.fix}"
        return text

    def as_dict(self) -> dict:
        """Return every field of the issue, by name (for ``cjm validate --json``)."""
        record = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return {**record, "code": str(self.code)}


def format_issues(issues: list[Issue] | tuple[Issue, ...]) -> str:
    """Return a numbered, human-readable list of ``issues``."""
    return "\n".join(f"  {i}. {issue}" for i, issue in enumerate(issues, 1))


class CjmError(Exception):
    """Base of every error the workbench raises on purpose."""

    exit_code = 1


class SpecError(CjmError):
    """The journey spec (journey.yml) is invalid; ``issues`` lists every problem."""

    exit_code = 2

    def __init__(self, issues, headline: str | None = None):
        self.issues = tuple(issues)
        n = len(self.issues)
        self.headline = headline or f"{n} problem{'s' if n != 1 else ''} found in the journey spec"
        super().__init__(f"{self.headline}:\n{format_issues(self.issues)}")

    @property
    def codes(self) -> list[str]:
        """The reason code of each issue, in order (what tests assert, never the wording)."""
        return [i.code for i in self.issues]


class DataError(SpecError):
    """A data file breaks its contract; ``issues`` lists every problem."""

    def __init__(self, issues, headline: str | None = None):
        issues = tuple(issues)
        n = len(issues)
        super().__init__(issues, headline or f"{n} problem{'s' if n != 1 else ''} found in the data")


class RunError(CjmError):
    """A playbook step failed while running.

    Carries the step, the cell index, the exception name and value, and the path of
    the executed notebook that was kept for diagnosis.
    """

    exit_code = 1

    def __init__(self, message: str, *, step: str | None = None, cell: int | None = None,
                 ename: str | None = None, evalue: str | None = None, notebook: str | None = None,
                 exit_code: int | None = None):
        self.step, self.cell, self.ename, self.evalue, self.notebook = step, cell, ename, evalue, notebook
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(message)


class LockedError(CjmError):
    """Another run of the same project is under way; this one was not started."""

    exit_code = 3

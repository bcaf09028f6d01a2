"""The line of an engine's error message a failed run prints: the error, not the carets under the query."""

from __future__ import annotations

import duckdb
import pytest

from cjmlib.run.runner import message_line


def test_duckdb_message_gives_its_error_line():
    with pytest.raises(duckdb.Error) as err:
        duckdb.connect().execute("SELECT count(*) FROM events")
    assert str(err.value).splitlines()[-1].strip().strip("^") == ""  # the last line is the carets
    assert message_line(str(err.value)).startswith("Catalog Error: Table with name events does not exist")


@pytest.mark.parametrize("text, line", [("\nBinder Error: x\n\nLINE 1: SELECT x\n       ^", "Binder Error: x"),
                                        ("one line", "one line"), ("", ""), ("  \n ^^^ \n", "")])
def test_blank_query_and_caret_lines_are_skipped(text, line):
    assert message_line(text) == line

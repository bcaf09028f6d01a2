"""Files told by their bytes and their place: long lines, links leading out of the project."""

from __future__ import annotations

from bad_inputs.cases import build_base

from cjmlib.data import read
from cjmlib.data.project import validate_project


def test_a_line_too_long_is_named_by_its_number(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_LINE_BYTES", 1 << 20)  # 1 MB here, 64 MB in use
    project = build_base(tmp_path / "p")
    feedback = project / "data" / "feedback.csv"
    lines = feedback.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace("Parcel arrived late 3", '"' + "x" * (2 << 20) + '"')
    feedback.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (issue,) = [i for i in validate_project(project) if i.severity == "error"]
    assert (issue.code, issue.file, issue.line) == ("line_too_long", "data/feedback.csv", 5)
    assert "longer than 1 MB" in issue.problem and "quote" in issue.fix


def test_a_link_leading_out_of_the_project_is_not_followed(tmp_path):
    project = build_base(tmp_path / "p")
    secret = tmp_path / "passwords.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (project / "data" / "orders.csv").unlink()
    (project / "data" / "orders.csv").symlink_to(secret)
    issues = validate_project(project)
    (issue,) = [i for i in issues if i.severity == "error"]
    assert (issue.code, issue.key) == ("outside_project", "sources.orders.path") and "allow_outside" in issue.fix
    assert not any("root" in str(i) for i in issues)  # nothing of the file is echoed

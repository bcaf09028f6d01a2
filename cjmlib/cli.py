"""The ``cjm`` command: parse the arguments, call one library function, print the outcome.

Exit codes: 0 ok, 1 a step failed, 2 invalid input, 3 the project is locked by another run.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .demo.templates import PROJECT_TEMPLATES
from .errors import CjmError, RunError, SpecError, format_issues

__all__ = ["main"]


def _err(message: str) -> None:
    print(f"cjm: {message}", file=sys.stderr)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (what cron, Airflow and a closed terminal send), raised like Ctrl-C: the run
    stops its kernels, marks itself failed, removes its half-written pages and releases the lock."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum, _frame) -> None:
    raise Stopped(signum)


def _exit_code(exc: BaseException) -> int:
    if isinstance(exc, Stopped):
        return 128 + exc.signum  # the shell's convention: 143 for SIGTERM, 129 for SIGHUP
    if isinstance(exc, KeyboardInterrupt):
        return 130
    return exc.exit_code if isinstance(exc, CjmError) else 1


def _cmd_new(args) -> int:
    from .demo.templates import new_project

    path = new_project(args.directory, template=args.template, with_data=not args.no_data)
    print(f"created {path} from the '{args.template}' template")
    print(f"next: cjm validate {path}   then   cjm run {path}")
    return 0


def _cmd_validate(args) -> int:
    from .data.project import validation_report

    issues, skipped = validation_report(args.directory, as_of=args.as_of)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity != "error"]
    if args.json:
        print(json.dumps([i.as_dict() for i in issues], indent=2))
    else:
        if errors:
            print(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} to fix in {args.directory}:")
            print(format_issues(errors))
        if warnings:
            print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} (reported, the run goes on):")
            print(format_issues(warnings))
        if not errors:
            print(f"{args.directory}: the spec and the data are valid.")
            if skipped:
                print(f"{len(skipped)} section{'s' if len(skipped) != 1 else ''} will be skipped (notes):")
                print("\n".join(f"  - {sentence} [{key}]" for key, sentence in skipped))
    return 2 if errors else 0


def _run(directory, args) -> int:
    from .run.runner import run_playbook

    quiet = getattr(args, "quiet", False)
    started = time.time()

    def progress(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    try:
        result = run_playbook(directory, as_of=args.as_of, only=args.only, audience=args.audience,
                              run_timeout=args.timeout, progress=progress)
    except BaseException as exc:
        if quiet:  # one line a scheduler can read: the error, and the first problem in full
            issues = [i for i in getattr(exc, "issues", []) if i.severity == "error"]
            print(json.dumps({"project": str(directory), "status": "failed", "exit_code": _exit_code(exc),
                              "error": (str(exc) or type(exc).__name__).splitlines()[0],
                              "issue": issues[0].as_dict() if issues else None,
                              "seconds": round(time.time() - started, 1)}))
        raise
    index = Path(directory).resolve() / "reports" / "latest" / "html" / "index.html"
    if quiet:
        print(json.dumps({"project": str(directory), "status": "succeeded", "exit_code": 0, "run_id": result.run_id,
                          "index": str(index), "seconds": round(time.time() - started, 1)}))
    else:
        print(index)
    return 0


def _cmd_run(args) -> int:
    return _run(args.directory, args)


def _cmd_demo(args) -> int:
    from .demo.templates import new_project

    target = Path(args.directory)
    if target.exists() and (target / "journey.yml").exists():
        if not args.quiet:
            print(f"using the existing demo project {target}", file=sys.stderr)
    else:
        new_project(target, template="ecommerce", users=args.users)
        if not args.quiet:
            print(f"created the demo project {target}", file=sys.stderr)
    return _run(target, args)


def _cmd_lab(args) -> int:
    from .data.project import validate_project
    from .run.lab import ensure_kernel, lab_command, lab_notebooks

    directory = Path(args.directory).resolve()
    if not (directory / "journey.yml").exists():
        raise CjmError(f"{directory} holds no journey.yml; create a project with: cjm new DIR")
    errors = [i for i in validate_project(directory) if i.severity == "error"]
    if errors:
        print("the project has problems (the editors can fix the spec):\n" + format_issues(errors), file=sys.stderr)
    lab_notebooks(directory)  # the workbench and the steps, parameterized for the project
    problem = ensure_kernel()
    if problem:
        print(f"warning: the cjm kernel could not be registered ({problem}); JupyterLab will ask for a kernel",
              file=sys.stderr)
    cmd, url = lab_command(directory, ip=args.ip, port=args.port, token=secrets.token_urlsafe(24),
                           open_browser=not args.no_browser)
    print(f"starting JupyterLab on {directory} (Ctrl-C to stop)\nthe workbench: {url}", file=sys.stderr)
    return subprocess.call(cmd)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cjm", description="Customer journey mapping workbench.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("new", help="create a journey project from a template")
    p.add_argument("directory")
    p.add_argument("--template", default="ecommerce", choices=PROJECT_TEMPLATES)
    p.add_argument("--no-data", action="store_true", help="do not generate the template's demo data")
    p.set_defaults(func=_cmd_new)

    p = sub.add_parser("validate", help="check the spec and the data; list every problem at once")
    p.add_argument("directory")
    p.add_argument("--as-of", default=None, metavar="DATE")
    p.add_argument("--json", action="store_true", help="print the problems as JSON")
    p.set_defaults(func=_cmd_validate)

    for name, helptext in (("run", "run the playbook and publish the deliverables"),
                           ("demo", "create the demo project (if missing) and run the playbook on it")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("directory", nargs="?" if name == "demo" else None,
                       default="cjm-demo" if name == "demo" else None)
        p.add_argument("--as-of", default=None, metavar="DATE", help="use data up to this day (YYYY-MM-DD)")
        p.add_argument("--only", default=None, metavar="STEP", help="run one step, e.g. 04 or 04-behaviour")
        p.add_argument("--audience", default="client", choices=("client", "trainer", "participant"))
        p.add_argument("--quiet", action="store_true", help="print one JSON line (for cron)")
        p.add_argument("--timeout", type=int, default=None, metavar="SECONDS", help="limit for the whole run")
        if name == "demo":
            p.add_argument("--users", type=int, default=None, help="size of the demo (users)")
        p.set_defaults(func=_cmd_run if name == "run" else _cmd_demo)

    p = sub.add_parser("lab", help="open JupyterLab on a project with the step notebooks")
    p.add_argument("directory")
    p.add_argument("--ip", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--no-browser", action="store_true")
    p.set_defaults(func=_cmd_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cjm`` command: parse ``argv`` (default: the command line), run it, return the
    exit code."""
    args = _parser().parse_args(argv)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {signum: signal.signal(signum, _stop) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _main(args)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def _main(args) -> int:
    try:
        return args.func(args)
    except SpecError as exc:
        _err(str(exc))
        return exc.exit_code
    except RunError as exc:
        _err(str(exc))
        if exc.notebook:
            _err(f"the failed notebook is kept for diagnosis: {exc.notebook}")
        project = getattr(args, "directory", None)
        if exc.exit_code != 2:  # exit 2: refused before anything ran, nothing to say about latest
            if project is not None and not (Path(project) / "reports" / "latest").exists():
                _err("no run of this project has succeeded yet: there is no published report.")
            else:
                _err("reports/latest still points to the last good run.")
        return exc.exit_code
    except CjmError as exc:
        _err(str(exc))
        return exc.exit_code
    except KeyboardInterrupt as exc:
        _err(f"{'stopped by ' + str(exc) if isinstance(exc, Stopped) else 'interrupted'}; "
             "reports/latest is unchanged.")
        return _exit_code(exc)
    except OSError as exc:  # a disk full, a folder that cannot be written: the path and the fix
        _err(f"{exc.strerror or exc} ({exc.filename or 'a file of the project'}). "
             + ("Free some disk space and run again." if exc.errno == errno.ENOSPC else
                "Check that this path is a folder you can write to, and run again."))
        return 2
    except Exception as exc:  # an unexpected failure: one clear line, never a traceback
        from .run.runner import message_line

        _err(f"unexpected error: {type(exc).__name__}: {message_line(exc)}")
        _err("please report it with the command you ran; set CJM_DEBUG=1 to see the details.")
        if os.environ.get("CJM_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""The step scheduler: dependencies respected, bounded parallelism, kernels started ahead and all shut down."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from cjmlib.run import steps
from cjmlib.run.schedule import StepScheduler, critical_order


@dataclass(frozen=True)
class FakeStep:
    name: str
    after: tuple[str, ...] = ()


# a diamond plus a chain: d reads b and c, which read a; e reads nothing; f reads d
STEPS = [FakeStep("a"), FakeStep("b", ("a",)), FakeStep("c", ("a",)), FakeStep("d", ("b", "c")),
         FakeStep("e"), FakeStep("f", ("d",))]


class Recorder:
    """Kernels are numbered tokens; every start, run and stop is written down under a lock."""

    def __init__(self, fail: str | None = None, no_kernel: str | None = None):
        self.lock = threading.Lock()
        self.events: list[tuple[str, str]] = []
        self.running = self.most_running = 0
        self.started: dict[str, int] = {}
        self.stopped: list[int] = []
        self.ran_with: dict[str, int | None] = {}
        self.fail, self.no_kernel = fail, no_kernel

    def start(self, step):
        with self.lock:
            token = len(self.started) + 1
            self.started[step.name] = token
            self.events.append(("start", step.name))
        return None if step.name == self.no_kernel else token

    def stop(self, token):
        with self.lock:
            self.stopped.append(token)

    def run(self, step, kernel):
        with self.lock:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
            self.events.append(("run", step.name))
            self.ran_with[step.name] = kernel
        try:
            if step.name == self.fail:
                raise ValueError(f"{step.name} broke")
        finally:
            with self.lock:
                self.running -= 1
                self.events.append(("done", step.name))


def test_critical_order_puts_the_longest_chain_first_and_keeps_dependencies():
    order = [s.name for s in critical_order(STEPS)]
    assert order == ["a", "b", "c", "d", "e", "f"]  # a heads a chain of 3 below it; e heads none
    playbook = [s.name for s in critical_order(list(steps.STEPS))]
    assert playbook[0] == "04-behaviour" and playbook[-1] == "07-journey-map"
    for step in steps.STEPS:  # every step after the steps it reads
        assert all(playbook.index(a) < playbook.index(step.name) for a in step.after)


def test_steps_wait_for_what_they_read_and_for_go():
    rec = Recorder()
    scheduler = StepScheduler(STEPS, rec.run, workers=2, ahead=3, start=rec.start, stop=rec.stop)
    try:
        with scheduler._cond:  # the first kernels start before go(); no step runs before it
            scheduler._cond.wait_for(lambda: len(scheduler._waiting) == 3)
        assert [e for e in rec.events if e[0] == "run"] == []
        scheduler.go()
    finally:
        scheduler.close()
    done_at = {name: i for i, (kind, name) in enumerate(rec.events) if kind == "done"}
    run_at = {name: i for i, (kind, name) in enumerate(rec.events) if kind == "run"}
    assert set(run_at) == {s.name for s in STEPS}
    for step in STEPS:
        assert all(done_at[a] < run_at[step.name] for a in step.after), step.name
    assert rec.most_running <= 2
    assert {rec.ran_with[name] for name in run_at} == set(rec.started.values())  # each step its own kernel
    assert sorted(rec.stopped) == sorted(rec.started.values())  # and every kernel shut down


def test_one_worker_runs_in_critical_order():
    rec = Recorder()
    scheduler = StepScheduler(STEPS, rec.run, workers=1, ahead=1, start=rec.start, stop=rec.stop)
    try:
        scheduler.go()
    finally:
        scheduler.close()
    assert [name for kind, name in rec.events if kind == "run"] == ["a", "b", "c", "d", "e", "f"]
    assert rec.most_running == 1


def test_a_failure_stops_what_reads_it_and_is_raised():
    rec = Recorder(fail="b")
    scheduler = StepScheduler(STEPS, rec.run, workers=2, ahead=6, start=rec.start, stop=rec.stop)
    try:
        with pytest.raises(ValueError, match="b broke"):
            scheduler.go()
    finally:
        scheduler.close()
    ran = {name for kind, name in rec.events if kind == "run"}
    assert "d" not in ran and "f" not in ran  # they read b
    assert sorted(rec.stopped) == sorted(rec.started.values())


def test_a_kernel_that_did_not_start_leaves_the_step_its_own():
    rec = Recorder(no_kernel="c")
    scheduler = StepScheduler(STEPS, rec.run, workers=2, ahead=2, start=rec.start, stop=rec.stop)
    try:
        scheduler.go()
    finally:
        scheduler.close()
    assert rec.ran_with["c"] is None and rec.started["c"] not in rec.stopped
    assert all(rec.ran_with[s.name] == rec.started[s.name] for s in STEPS if s.name != "c")


def test_close_before_go_runs_nothing_and_stops_every_kernel():
    rec = Recorder()
    scheduler = StepScheduler(STEPS, rec.run, workers=2, ahead=4, start=rec.start, stop=rec.stop)
    scheduler.close()
    assert not [e for e in rec.events if e[0] == "run"]
    assert sorted(rec.stopped) == sorted(rec.started.values())

"""Run the playbook's steps side by side, each as soon as the steps it reads are done.

Two things keep the cores busy during a run:

- a step starts when its own inputs are ready, not when a whole wave of steps is over;
- each step's Jupyter kernel is started ahead of time, and has already imported the helper
  library, while the project is still loading or earlier steps are running: a step then
  waits for no kernel start and no import.

A kernel is started, used and shut down by one thread (its client lives in that thread's
event loop). At most ``ahead`` kernels are alive at once, at most ``workers`` steps run at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

__all__ = ["WARM_UP", "StepScheduler", "critical_order", "start_kernel", "stop_kernel"]

#: What a kernel runs, silently, before its step: the imports every step notebook makes first.
WARM_UP = "import cjmlib, cjmlib.plot"


def critical_order(steps: Sequence) -> list:
    """Order steps by the length of the chain of steps waiting for them, longest first.

    Every step comes after the steps it reads (``step.after``), so kernels started in this order
    never wait for a step whose kernel is not started; among steps free to run, the one holding up
    the longest chain goes first. Ties keep the playbook's order.
    """
    below: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in below:
            below[name] = max((1 + depth(s.name) for s in steps if name in s.after), default=0)
        return below[name]

    position = {s.name: i for i, s in enumerate(steps)}
    return sorted(steps, key=lambda s: (-depth(s.name), position[s.name]))


def start_kernel(kernel_name: str, cwd: str, *, code: str = WARM_UP, timeout: float = 120):
    """Start a kernel and run ``code`` in it without output or history.

    ``kernel_name`` is the kernelspec, ``cwd`` the kernel's working folder; ``timeout`` bounds, in
    seconds, both the start and the run of ``code``. Returns the kernel manager, or None when the kernel did not start or ``code`` did not finish
    (the step then starts its own kernel, with the runner's retry).
    """
    km = AsyncKernelManager(kernel_name=kernel_name)
    try:
        run_sync(km.start_kernel)(cwd=str(cwd))
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=timeout)
            run_sync(kc.execute_interactive)(code, silent=True, store_history=False, timeout=timeout,
                                             output_hook=lambda _msg: None)
        finally:
            kc.stop_channels()
    except (RuntimeError, OSError, KeyError, ValueError):  # the step then starts its own kernel
        stop_kernel(km, now=True)
        return None
    return km


def stop_kernel(km, *, now: bool = False) -> None:
    """Shut a kernel down; a kernel already gone is no error.

    ``km`` is the kernel's manager; with ``now`` the kernel is stopped without being asked first.
    """
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=now)
    except (RuntimeError, OSError):  # the process is gone already
        return


class StepScheduler:
    """Run ``run(step, kernel)`` for every step in its own thread, as soon as the steps it reads are done.

    Parameters
    ----------
    steps
        The steps (``name`` and ``after``, the steps whose results it reads; those not in ``steps``
        are taken as done).
    run
        Executes one step with the kernel started for it (None when none could be started).
    workers
        Steps running at once.
    ahead
        Kernels alive at once (running or waiting for their step), at least ``workers``.
    start, stop
        Start a kernel for a step (returning it, or None) and shut it down; ``start`` None runs
        every step with None.

    Kernels start in :func:`critical_order` as soon as the scheduler is created; steps run only
    after :meth:`go`. The first step to fail stops the scheduling: steps still waiting never run,
    running ones finish, and :meth:`go` raises that step's exception. :meth:`close` (always call it)
    leaves no kernel behind.
    """

    def __init__(self, steps: Sequence, run: Callable, *, workers: int, ahead: int,
                 start: Callable | None = None, stop: Callable | None = None):
        self.order = critical_order(steps)
        self._names = {s.name for s in steps}
        self._run, self._start, self._stop = run, start, stop
        self.workers, self.ahead = max(1, workers), max(1, workers, ahead)
        self._cond = threading.Condition()
        self._done: set[str] = set()
        self._waiting: list[int] = []  # positions in self.order of steps whose kernel is ready
        self._running = self._live = 0
        self._open = False
        self._cancelled = False
        self._failed: list[str] = []  # steps that raised, in the order they did
        self._futures: dict[str, Future] = {}
        self._pool = ThreadPoolExecutor(max_workers=self.ahead, thread_name_prefix="cjm-step")
        self._dispatcher = threading.Thread(target=self._dispatch, name="cjm-steps", daemon=True)
        self._dispatcher.start()

    def _stopping(self) -> bool:
        return self._cancelled or bool(self._failed)

    def _dispatch(self) -> None:
        for position, step in enumerate(self.order):
            with self._cond:
                self._cond.wait_for(lambda: self._live < self.ahead or self._stopping())
                if self._stopping():
                    return
                self._live += 1
            self._futures[step.name] = self._pool.submit(self._one, position, step)

    def _ready(self, position: int) -> bool:
        """The step may take a worker: the steps it reads are done and no earlier ready step waits."""
        def free(i: int) -> bool:
            return all(a in self._done or a not in self._names for a in self.order[i].after)
        return (self._open and self._running < self.workers and free(position)
                and not any(i < position and free(i) for i in self._waiting))

    def _one(self, position: int, step) -> None:
        """Start the step's kernel, wait for its turn, run it; an exception stays in the step's future."""
        kernel, outcome = None, "failed"
        try:
            kernel = self._start(step) if self._start else None
            with self._cond:
                self._waiting.append(position)
                self._cond.notify_all()  # its kernel is ready: for whoever watches the scheduler
                try:
                    self._cond.wait_for(lambda: self._stopping() or self._ready(position))
                finally:
                    self._waiting.remove(position)
                if self._stopping():
                    outcome = "skipped"
                    return
                self._running += 1
            try:
                self._run(step, kernel)
                outcome = "done"
            finally:  # the steps waiting for this one go on before its kernel is shut down
                with self._cond:
                    self._running -= 1
                    self._record(step.name, outcome)
                    outcome = "recorded"
                    self._cond.notify_all()
        finally:
            if kernel is not None and self._stop:
                self._stop(kernel)
            with self._cond:
                self._record(step.name, outcome)
                self._live -= 1
                self._cond.notify_all()

    def _record(self, name: str, outcome: str) -> None:
        if outcome == "done":
            self._done.add(name)
        elif outcome == "failed":  # an exception before or while the step ran
            self._failed.append(name)

    def _join(self) -> None:
        self._dispatcher.join()
        self._pool.shutdown(wait=True)

    def go(self) -> None:
        """Let the steps run; return when all are done, or raise the first failure."""
        with self._cond:
            self._open = True
            self._cond.notify_all()
        self._join()
        if self._failed:
            self._futures[self._failed[0]].result()  # raises that step's exception
        missing = [s.name for s in self.order if s.name not in self._done]
        if missing:  # pragma: no cover - only when cancelled from another thread
            raise RuntimeError(f"steps not run: {', '.join(missing)}")

    def close(self) -> None:
        """Cancel what has not started, wait for running steps, shut every kernel down."""
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()
        self._join()

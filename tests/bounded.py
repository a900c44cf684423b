"""Run a call under the fuzz audit's bounds, by resource limits rather than timed assertions: in a
forked child of the test process with at most `CPU_SECONDS` of CPU (RLIMIT_CPU: the kernel stops
it) and `MEMORY` bytes of address space beyond what the test process already has (RLIMIT_AS: an
allocation past it fails, and raccord reports that as an internal error, exit 70). A call blocked
without using CPU (opening a named pipe) is stopped after `BLOCKED_SECONDS` of wall time: not a
measure of speed, a guard against waiting forever.

A fork shares the test process's imports, monkeypatches and caches, so a bounded call costs what
the call costs, plus a few milliseconds; its result (or its exception) comes back pickled.
"""

from __future__ import annotations

import gc
import os
import pickle
import resource
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

CPU_SECONDS = 2
MEMORY = 200 << 20
BLOCKED_SECONDS = 60  # of wall time, CPU or not: only a call that waits forever reaches it
T = TypeVar("T")
bounded_available = hasattr(os, "fork") and sys.platform.startswith("linux")


def _address_space() -> int:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmSize:")).split()[1]) * 1024


def bounded(function: Callable[..., T], *args: Any, cpu_seconds: int = CPU_SECONDS, memory: int = MEMORY,
            blocked_seconds: int = BLOCKED_SECONDS, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` under the bounds; AssertionError when the child is stopped."""
    if not bounded_available:
        return function(*args, **kwargs)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    read, write = os.pipe()
    # The test process's objects moved out of the collector's sight before forking: otherwise a
    # collection in the child walks the whole heap of the test run, copying every page it touches,
    # and that CPU (not raccord's) is charged to the bounded call (test_f11 stopped past 2 s in CI).
    gc.freeze()
    pid = os.fork()
    if pid != 0:
        gc.unfreeze()
    if pid == 0:  # the child: never returns into the test runner
        status = 0
        try:
            os.close(read)
            limit = _address_space() + memory
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(blocked_seconds)  # a call blocked in a system call (a pipe's open) uses no CPU
            try:
                outcome: tuple[bool, Any] = (True, function(*args, **kwargs))
            except BaseException as exc:  # handed to the parent, which raises it
                outcome = (False, exc)
            try:
                payload = pickle.dumps(outcome)
            except Exception as exc:
                payload = pickle.dumps((False, AssertionError(f"result not picklable: {exc!r}")))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
        except BaseException:
            status = 1
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        reason = f"over {cpu_seconds} s of CPU" if signum in (signal.SIGXCPU, signal.SIGKILL) else \
            f"blocked for {blocked_seconds} s" if signum == signal.SIGALRM else signal.Signals(signum).name
        raise AssertionError(f"{getattr(function, '__name__', function)}{args}: stopped, {reason}")
    if not payload:
        raise AssertionError(f"{getattr(function, '__name__', function)}{args}: the bounded child failed (exit {status})")
    ok, value = pickle.loads(payload)
    if not ok:
        raise value
    return value

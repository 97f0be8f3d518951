"""Stopping a run early without losing what it found: SIGINT, SIGTERM, and the memory budget.

One process-wide reason ("interrupted", "memory") is set by whichever comes first.  Engines ask
`requested()` at their own pace and report UNKNOWN(reason) for what they had not decided:
- the explicit explorer is stopped by a KeyboardInterrupt, raised only inside `raising()`: by
  the signal handler, or by the explorer's progress callback when the request came otherwise;
- z3 cannot run a Python signal handler while it is inside a solver call, so a watcher thread,
  woken through the signal wakeup fd, calls the hooks (e.g. z3's `ctx.interrupt()`) at once;
- the same watcher samples the resident set size four times a second for the memory budget.
A second signal while results are being written gives up (KeyboardInterrupt) instead.
"""
from __future__ import annotations

import os
import select
import signal
import threading
from contextlib import contextmanager
from typing import Callable

_reason = ""
_signals = 0
_raising = False
_give_up = True   # a second signal outside the explorer abandons the run (not in workers: see session)
_hooks: list[Callable[[], None]] = []
PAGE = os.sysconf("SC_PAGE_SIZE")


def physical_bytes() -> int:
    return PAGE * os.sysconf("SC_PHYS_PAGES")


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:   # not Linux: the budget is not enforced, the run still is
        return 0


def requested() -> str:
    return _reason


def request(reason: str) -> None:
    global _reason
    if _reason:
        return
    _reason = reason
    for hook in list(_hooks):
        hook()


def on_request(hook: Callable[[], None]) -> None:
    if hook not in _hooks:
        _hooks.append(hook)
    if _reason:
        hook()


def reset() -> None:
    """A fresh state (a forked worker must not inherit its parent's hooks)."""
    global _reason, _signals, _raising
    _reason, _signals, _raising = "", 0, False
    _hooks.clear()


def _on_signal(signum, frame) -> None:
    global _signals
    _signals += 1
    request("memory" if _reason == "memory" else "interrupted")
    if _raising or (_give_up and _signals > 1):
        raise KeyboardInterrupt


_watcher = {"pid": 0, "fd": -1, "max_bytes": None, "session": 0}


@contextmanager
def session(max_bytes: int | None = None, give_up: bool = True):
    """SIGINT and SIGTERM stop the run instead of killing it; previous handlers come back after.

    A worker passes give_up=False: Ctrl-C reaches it twice (from the terminal and forwarded by the
    parent), and only the parent decides to abandon a run (it then kills its workers)."""
    global _give_up
    reset()
    _give_up = give_up
    if _watcher["pid"] != os.getpid():   # one watcher thread per process, forked children start their own
        r, w = os.pipe()
        os.set_blocking(w, False)
        _watcher.update(pid=os.getpid(), fd=w)
        threading.Thread(target=_watch, args=(r,), daemon=True, name="pmipmc-stop").start()
    _watcher["max_bytes"] = max_bytes
    _watcher["session"] += 1
    old = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    old_fd = signal.set_wakeup_fd(_watcher["fd"], warn_on_full_buffer=False)
    try:
        yield
    finally:
        signal.set_wakeup_fd(old_fd)
        for sig, handler in old.items():
            signal.signal(sig, handler)
        _watcher["max_bytes"] = None
        _watcher["session"] += 1
        reset()   # a stop belongs to its session: later runs in this process start afresh


def _watch(fd: int) -> None:
    while True:
        if select.select([fd], [], [], 0.25)[0]:
            os.read(fd, 512)   # written only while a session's handlers are in place
            request("interrupted")
            continue
        limit, session = _watcher["max_bytes"], _watcher["session"]
        if limit and not _reason and rss_bytes() > limit and session == _watcher["session"]:
            request("memory")   # the explorer sees it within 1024 states, z3 through the hooks


@contextmanager
def raising():
    """Inside, a stop request raises KeyboardInterrupt (the explorer catches it and keeps its states)."""
    global _raising
    _raising = True
    try:
        yield
    finally:
        _raising = False


def parse_size(text: str) -> int:
    """'4G', '512M', '2048' (megabytes) or '75%' of physical memory, in bytes."""
    t = text.strip().upper().removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    try:
        if t.endswith("%"):
            pct = float(t[:-1])
            if not 0 < pct <= 100:
                raise ValueError
            return int(physical_bytes() * pct / 100)
        if t and t[-1] in scale:
            value = float(t[:-1]) * scale[t[-1]]
        else:
            value = float(t) * scale["M"]
    except ValueError:
        raise ValueError(f"{text!r} is not a memory size (e.g. 4G, 512M, 80%)") from None
    if not value >= 1 << 20 or value == float("inf"):
        raise ValueError(f"{text!r}: a memory budget must be at least 1M and finite")
    return int(value)

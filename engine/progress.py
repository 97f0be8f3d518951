"""Progress a person can read: one line rewritten in place on a terminal, one line per 30 s in a log.

Kept apart from the explorer so its loop only calls `progress(ex, elapsed)`; what is shown and
how often is decided here.  On a terminal the line is redrawn at most every half second and
cleared when the run ends; when stderr is not a terminal (CI logs) a fresh line is printed every
30 seconds, so a long run leaves a short, greppable log.
"""
from __future__ import annotations

import resource
import sys
from typing import TextIO

TTY_EVERY = 0.5
LOG_EVERY = 30.0


def silent(_: str) -> None:
    """A progress line nobody shows (--quiet, tests): the one no-op every `say` defaults to."""


def rss_mb() -> float:
    """Resident memory now (from /proc where there is one, else the peak)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * resource.getpagesize() / 2 ** 20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def line(tag: str, states: int, depth: int, queue: int | None, elapsed: float, mem_mb: float,
         unit: str = "states") -> str:
    rate = states / elapsed if elapsed > 0 else 0.0
    q = f", queue {queue:,}" if queue is not None else ""
    return (f"[{tag}] {states:,} {unit}, depth {depth}, {rate:,.0f} {unit}/s{q}, "
            f"{mem_mb:,.0f} MB, {_clock(elapsed)}")


class Progress:
    """Call `update(text_fn, elapsed)`; `text_fn` is only evaluated when a line is due."""

    def __init__(self, stream: TextIO | None = None, tty: bool | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.quiet = quiet
        self.every = TTY_EVERY if self.tty else LOG_EVERY
        self.last = 0.0
        self.shown = False

    def update(self, text_fn, elapsed: float) -> None:
        if self.quiet or elapsed - self.last < self.every:
            return
        self.last = elapsed
        text = text_fn()
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
            self.shown = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def done(self) -> None:
        """Clear the live line so the summary that follows starts on a clean line."""
        if self.tty and self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


def exploration_progress(tag: str, quiet: bool = False, stream: TextIO | None = None):
    """A `progress(ex, elapsed)` callback for the explorer, with a `done()` to clear the line."""
    bar = Progress(stream, quiet=quiet)

    def report(ex, elapsed: float) -> None:
        bar.update(lambda: line(tag, len(ex.states), ex.depth, len(ex.states) - ex.expanded, elapsed, rss_mb()),
                   elapsed)
    report.done = bar.done
    return report

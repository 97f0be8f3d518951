"""A small process pool whose workers are ours: one child per job, signals forwarded, none orphaned.

concurrent.futures hides its workers' ids, cannot stop a job it has already queued, and breaks
when a worker dies; here every child is known, so a stop request (SIGINT, SIGTERM) is forwarded
to each running child, jobs not yet started are reported as not run, a child that dies is
reported as UNKNOWN, and on the way out no child is left behind.  On Linux each child also asks
the kernel to kill it when the parent dies (PR_SET_PDEATHSIG), even by SIGKILL.
"""
from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
from multiprocessing.connection import wait
from typing import Callable

from . import stop

PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):   # not Linux: the parent's own clean-up still applies
        pass
    if os.getppid() != parent:          # the parent died before prctl took effect
        os._exit(1)


def _child(job, conn, parent: int, fn) -> None:
    _die_with(parent)
    try:
        with stop.session(job.max_bytes, give_up=False):
            conn.send(fn(job))
    except KeyboardInterrupt:   # a second signal: give up without a result
        pass
    finally:
        conn.close()


class Pool:
    def __init__(self, workers: int):
        self.workers = workers
        self.running: dict[int, tuple[mp.Process, object]] = {}
        self.ctx = mp.get_context("fork")

    def __enter__(self) -> "Pool":
        stop.on_request(self._forward)
        return self

    def __exit__(self, *exc) -> None:
        for proc, conn in self.running.values():
            proc.kill()
            proc.join()
            conn.close()
        self.running.clear()

    def _forward(self) -> None:
        for proc, _ in self.running.values():
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGINT)

    def run(self, jobs: list, fn: Callable, not_run: Callable) -> list:
        results: list = [None] * len(jobs)
        pending = list(range(len(jobs)))
        while pending or self.running:
            while pending and len(self.running) < self.workers and not stop.requested():
                i = pending.pop(0)
                recv, send = self.ctx.Pipe(duplex=False)
                proc = self.ctx.Process(target=_child, args=(jobs[i], send, os.getpid(), fn), daemon=True)
                proc.start()
                send.close()
                self.running[i] = (proc, recv)
            if stop.requested():
                for i in pending:
                    results[i] = not_run(jobs[i], stop.requested())
                pending = []
            if not self.running:
                continue
            ready = wait([c for _, c in self.running.values()], timeout=0.5)
            for i, (proc, conn) in list(self.running.items()):
                if conn not in ready:
                    continue
                try:
                    results[i] = conn.recv()
                except EOFError:   # the child died (out of memory, killed): its job is undecided
                    proc.join()
                    results[i] = not_run(jobs[i], stop.requested() or f"worker died (exit {proc.exitcode})")
                proc.join()
                conn.close()
                del self.running[i]
        return results

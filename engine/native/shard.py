"""One shard of the distributed search with its states, seen set and expansion in C (batch.c).

The same calls as engine/shard.py's `Shard`, so engine/distributed.py and engine/cluster.py drive
either.  What differs: states live packed in the C store (so a shard of millions costs tens of bytes
per state, not a Python object each), a round's successors leave as one byte array of packed wire
records per destination, and the home of a state is a hash of its packed form, not the CRC-32 of its
bytes, or of the partition key's slots when there is one (engine/partition.py).  So a native run
partitions and numbers states differently from a Python-backend run (the checkpoint identity says
which backend and key wrote it) while finding the same states, verdicts and depths.
"""
from __future__ import annotations

import ctypes
from array import array
from pathlib import Path

try:
    import numpy as np
except ImportError:   # only Ray's transport gains from arrays, and Ray brings numpy
    np = None

from ..api import System
from ..explore import Checks
from ..shard import CHUNK, Shard, read_segment, write_segment
from .build import build
from .gen import Layout, generate
from .run import NativeError

NATIVE_CHUNK = 100_000   # frontier states per round: ~0.3 s of C on three-mags, so Ray's per-call cost is small
MEMORY = 3
_built: dict[int, tuple[System, ctypes.CDLL, Layout]] = {}


def library(system: System) -> tuple[ctypes.CDLL, Layout]:
    """The compiled model, once per system object (shards of one process share it)."""
    got = _built.get(id(system))
    if got is None or got[0] is not system:
        src, layout = generate(system)
        lib, _ = build(src)   # build() declares the nb_* calls with the rest
        if len(_built) > 8:
            _built.clear()
        got = _built[id(system)] = (system, lib, layout)
    return got[1], got[2]


def _addr(a: array) -> int:
    return a.buffer_info()[0]


class NativeShard(Shard):
    def __init__(self, me: int, nshards: int, system: System, checks: Checks, symmetry: bool, chunk: int = CHUNK,
                 key: tuple[int, ...] = (), fingerprints: bool = False):
        if nshards > 0xffff:
            raise NativeError(f"{nshards} shards; the native shard store keeps a parent's shard in 16 bits")
        self.lib, self.layout = library(system)
        self.system, self.checks = system, checks
        self.me, self.nshards, self.chunk = me, nshards, chunk
        self.nslots = system.schema.nslots
        self.rec = self.lib.nb_rec_bytes()
        self.width = self.rec - 8             # a packed state: the segment and wire width
        self.key = tuple(key)
        if any(not 0 <= k < self.nslots for k in self.key):
            raise NativeError(f"partition key {self.key} names a slot outside 0..{self.nslots - 1}")
        slots = array("H", self.key or [0])
        self.fingerprints = fingerprints
        self.sh = self.lib.nb_new(me, nshards, int(symmetry), _addr(slots), len(self.key), int(fingerprints))
        if not self.sh:
            raise NativeError("the native shard could not allocate its tables")
        self.starts = [0]
        self._buf = ctypes.create_string_buffer(self.nslots)
        self._masks: dict[frozenset, tuple[int, int, int]] = {}

    def __del__(self):
        if getattr(self, "sh", None):
            self.lib.nb_free(self.sh)
            self.sh = None

    def masks(self, active: frozenset[str]) -> tuple[int, int, int]:
        """(state, quiescent, step) bits of the active properties in the C tables."""
        got = self._masks.get(active)
        if got is None:
            lay = self.layout
            got = self._masks[active] = (
                sum(1 << j for j, (n, _) in enumerate(lay.state) if n in active),
                sum(1 << j for j, n in enumerate(lay.quiet) if n in active),
                sum(1 << j for j, n in enumerate(lay.step) if n in active))
        return got

    def _state_hits(self) -> list[tuple[str, bytes, int]]:
        out = []
        k = ctypes.c_int64()
        for j, (name, _) in enumerate(self.layout.state):
            i = self.lib.nb_hit(self.sh, 0, j, ctypes.byref(k), None)
            if i >= 0:
                out.append((name, self.link(i)[0], i))
        return out

    def seed(self, init: list[bytes], active: frozenset[str]) -> list[tuple[str, bytes, int]]:
        self.lib.nb_begin(self.sh)
        on = self.masks(active)[0]
        for s in init:
            if self.lib.nb_seed(self.sh, s, on) == -2:
                raise NativeError("the native shard ran out of memory")
        return self._state_hits()

    def expand(self, depth: int, chunk: int, active: frozenset[str]):
        lo, hi = self.starts[depth], self.starts[depth + 1]
        a, b = min(hi, lo + chunk * self.chunk), min(hi, lo + (chunk + 1) * self.chunk)
        _, quiet, step = self.masks(active)
        lib, sh = self.lib, self.sh
        lib.nb_release(sh, lo)   # fingerprints: the levels before this one are expanded, their words not needed
        status = lib.nb_expand(sh, a, b, step, quiet, chunk & 1)
        if status:
            self._fail(status)
        # this shard's own batch stays in C, one per parity of the chunk (the shard may expand the next
        # chunk before it absorbs this one): absorb reads it there, given the parity in its place
        batches = [chunk & 1 if d == self.me else self._batch(d) for d in range(self.nshards)]
        hits = []
        k, target = ctypes.c_int64(), ctypes.create_string_buffer(self.nslots)
        for kind, names in ((2, self.layout.step), (1, self.layout.quiet)):
            for j, name in enumerate(names):
                i = lib.nb_hit(sh, kind, j, ctypes.byref(k), target)
                if i >= 0:
                    hits.append((name, self.link(i)[0], i, k.value if kind == 2 else None,
                                 target.raw if kind == 2 else None))
        moved = sum(len(x) for d, x in enumerate(batches) if d != self.me)
        return {"transitions": lib.nb_transitions(sh), "hits": hits, "moved": moved}, batches

    def _batch(self, d: int):
        """The records for shard d as a numpy array of bytes: Ray stores an array in its object store
        with one copy and hands the destination a view of it, where a bytes object is copied into
        and out of a pickle too."""
        size = self.lib.nb_out_count(self.sh, d) * self.rec
        if np is None:
            return ctypes.string_at(self.lib.nb_out(self.sh, d), size)
        out = np.empty(size, dtype=np.uint8)
        if size:
            ctypes.memmove(out.ctypes.data, self.lib.nb_out(self.sh, d), size)
        return out

    def _fail(self, status: int):
        if status == MEMORY:
            raise NativeError("the native shard ran out of memory")
        err = (ctypes.c_int64 * 4)()
        self.lib.nb_error(self.sh, err)
        _, k, slot, value = list(err)
        sc = self.system.schema
        raise NativeError(f"{self.system.instance_label(self.system.rules[k])} stores {value} into "
                          f"{sc.slot_name(slot)}, outside its domain of {sc.slot_domain(slot).size} values")

    def absorb(self, active: frozenset[str], *batches) -> tuple[list[tuple[str, bytes, int]], int]:
        """Each batch: the records as bytes or a byte array, or for this shard's own batch, which is
        still in C, the parity of its chunk."""
        self.lib.nb_begin(self.sh)
        on = self.masks(active)[0]
        for src, blob in enumerate(batches):
            if isinstance(blob, int):
                got = self.lib.nb_absorb(self.sh, src, None, blob, on)
            elif len(blob):   # an array from Ray is a read-only view of its object store: read in place
                where = blob.ctypes.data if np is not None and isinstance(blob, np.ndarray) else \
                    ctypes.cast(ctypes.c_char_p(blob), ctypes.c_void_p).value
                got = self.lib.nb_absorb(self.sh, src, where, len(blob) // self.rec, on)
            else:
                continue
            if got < 0:
                raise NativeError("the native shard ran out of memory")
        return self._state_hits(), self.count()

    def count(self) -> int:
        return self.lib.nb_count(self.sh)

    def close_level(self) -> int:
        self.starts.append(self.count())
        return self.starts[-1] - self.starts[-2]

    @property
    def states(self) -> list[bytes]:
        """Every state, in local order (for tests: the Python shard keeps this list)."""
        if self.fingerprints:
            raise NativeError("a fingerprint shard keeps only its frontier's states")
        return [self.link(i)[0] for i in range(self.count())]

    def link(self, i: int) -> tuple[bytes | None, int, int, int]:
        """(state or None when its words were freed, parent shard, parent index, rule instance)."""
        out = (ctypes.c_int64 * 3)()
        have = self.lib.nb_link(self.sh, i, self._buf, out)
        return self._buf.raw if have else None, out[0], out[1], out[2]

    def rollback(self, levels: int) -> None:
        if not self.lib.nb_truncate(self.sh, self.starts[levels]):
            raise NativeError(f"shard {self.me} cannot go back to level {levels}: its states were freed")
        del self.starts[levels + 1:]

    def save_level(self, folder: str, level: int) -> None:
        lo, hi = self.starts[level], self.starts[level + 1]
        n = hi - lo
        words = ctypes.create_string_buffer(max(1, n * self.width))
        ps, pi, via = array("i", bytes(4 * n)), array("q", bytes(8 * n)), array("i", bytes(4 * n))
        if n:
            self.lib.nb_export(self.sh, lo, hi, words, _addr(ps), _addr(pi), _addr(via))
        write_segment(self._segment(Path(folder), level), self.width, words.raw[:n * self.width], ps, pi, via)

    def load(self, folder: str, levels: int) -> None:
        self.rollback(0)
        for level in range(levels):
            data, ps, pi, via = read_segment(self._segment(Path(folder), level), self.width, self.me, level)
            if ps and not self.lib.nb_import(self.sh, len(ps), data, _addr(ps), _addr(pi), _addr(via)):
                raise NativeError("the native shard ran out of memory")
            self.lib.nb_release(self.sh, self.starts[-1])   # fingerprints: only the last level's words stay
            self.starts.append(self.count())

    def memory(self) -> int:
        return self.lib.nb_memory(self.sh)

"""One shard of a distributed breadth-first search: the states whose canonical form hashes here.

A shard stores its states in discovery order, level after level, so its frontier is always one
contiguous run `starts[d]:starts[d+1]` and a snapshot of a level is the run it appended.  A parent
link is global: (shard, local index).  The home shard of a state is a stable hash (CRC-32) of its
canonical bytes, never Python's per-process `hash`, so every worker agrees and a resumed run finds
every state where it left it.  (This is the Python shard; engine/native/shard.py keeps the same
protocol with its states in C and its own partition hash, and `make_shard` picks one.)

Per round (a chunk of the frontier) a shard expands, sends each successor to its home shard in one
packed batch per destination, then absorbs the batches addressed to it in source order, which
keeps local numbering, and so parents and traces, deterministic for a given shard count.
"""
from __future__ import annotations

import os
import struct
import zlib
from array import array
from pathlib import Path

from .shardwork import PythonBackend, make_backend

CHUNK = 20_000          # frontier states one shard expands per round: batches of thousands of states
SENT_CAP = 2_000_000    # canonical states remembered as sent, so they are neither re-canonicalised nor re-sent
_MAGIC = b"PMSHARD1"


def make_shard(me: int, nshards: int, system, checks, symmetry: bool, backend: str, chunk: int | None = None,
               key: tuple[int, ...] = (), fingerprints: bool = False):
    """A shard of the given backend ("native" or "python"); `chunk` defaults to the backend's own.
    `key`: the native shards' partition key (engine/partition.py); () hashes the whole state.
    `fingerprints`: native shards keep 64-bit hashes and only the frontier's states."""
    if backend == "native":
        from .native.shard import NATIVE_CHUNK, NativeShard
        return NativeShard(me, nshards, system, checks, symmetry, chunk or NATIVE_CHUNK, key, fingerprints)
    if fingerprints:
        raise ValueError("fingerprint shards are native shards")
    return Shard(me, nshards, system.schema.nslots, make_backend(system, checks, symmetry), chunk or CHUNK)


def default_chunk(backend: str) -> int:
    if backend == "native":
        from .native.shard import NATIVE_CHUNK
        return NATIVE_CHUNK
    return CHUNK


def home(state: bytes, nshards: int) -> int:
    return zlib.crc32(state) % nshards


def pack(states: list[bytes], parents: list[int], vias: list[int]) -> bytes:
    """One destination's batch: a header, the states back to back, then parent and rule arrays."""
    return (struct.pack("<Q", len(states)) + b"".join(states) + array("q", parents).tobytes()
            + array("i", vias).tobytes())


def unpack(blob: bytes, width: int) -> tuple[list[bytes], array, array]:
    (n,) = struct.unpack_from("<Q", blob)
    a = 8 + n * width
    states = [blob[i:i + width] for i in range(8, a, width)]
    parents, vias = array("q"), array("i")
    parents.frombytes(blob[a:a + 8 * n])
    vias.frombytes(blob[a + 8 * n:a + 12 * n])
    return states, parents, vias


class Shard:
    def __init__(self, me: int, nshards: int, width: int, backend: PythonBackend, chunk: int = CHUNK):
        self.me, self.nshards, self.width, self.backend, self.chunk = me, nshards, width, backend, chunk
        self.states: list[bytes] = []
        self.index: dict[bytes, int] = {}
        self.pshard, self.pidx, self.via = array("i"), array("q"), array("i")
        self.starts = [0]        # starts[d]: first local index at depth d; the last entry is open
        self.sent: set[bytes] = set()   # canonical states this shard has sent to their homes

    # ---- building levels
    def _add(self, s: bytes, ps: int, pi: int, via: int) -> int:
        i = len(self.states)
        self.index[s] = i
        self.states.append(s)
        self.pshard.append(ps)
        self.pidx.append(pi)
        self.via.append(via)
        return i

    def seed(self, init: list[bytes], active: frozenset[str]) -> list[tuple[str, bytes, int]]:
        """Add the initial states that live here (already canonical, in the caller's order)."""
        new = [self._add(s, -1, -1, -1) for s in init if home(s, self.nshards) == self.me and s not in self.index]
        return self._checked(new, active)

    def frontier_size(self) -> int:
        """States in the last closed level, the next to expand."""
        return self.starts[-1] - self.starts[-2]

    def expand(self, depth: int, chunk: int, active: frozenset[str]):
        """Expand chunk `chunk` of level `depth`; returns (info, batch per destination shard)."""
        lo, hi = self.starts[depth], self.starts[depth + 1]
        a, b = min(hi, lo + chunk * self.chunk), min(hi, lo + (chunk + 1) * self.chunk)
        index, sent = self.index, self.sent
        ex = self.backend.expand(self.states[a:b], active, lambda t: t in index or t in sent)
        out = [({}, [], []) for _ in range(self.nshards)]   # per destination: first parent wins
        for pos, succs in enumerate(ex.successors):
            for k, t in succs:
                d = home(t, self.nshards)
                seen, parents, vias = out[d]
                if t in seen or (d == self.me and t in self.index):
                    continue
                seen[t] = None
                parents.append(a + pos)
                vias.append(k)
        if len(sent) > SENT_CAP:
            sent.clear()
        for d, (seen, _, _) in enumerate(out):
            if d != self.me:
                sent.update(seen)
        batches = [pack(list(seen), parents, vias) for seen, parents, vias in out]
        hits = [(name, self.states[a + pos], a + pos, k, t) for pos, name, k, t in ex.hits]
        moved = sum(len(x) for d, x in enumerate(batches) if d != self.me)
        return {"transitions": ex.transitions, "hits": hits, "moved": moved}, batches

    def absorb(self, active: frozenset[str], *batches: bytes) -> tuple[list[tuple[str, bytes, int]], int]:
        """Add the unseen states of each source's batch, sources in shard order; returns the new
        states' property hits and how many states this shard now holds."""
        new = []
        for src, blob in enumerate(batches):
            states, parents, vias = unpack(blob, self.width)
            for s, p, k in zip(states, parents, vias):
                if s not in self.index:
                    new.append(self._add(s, src, p, k))
        return self._checked(new, active), len(self.states)

    def _checked(self, new: list[int], active: frozenset[str]) -> list[tuple[str, bytes, int]]:
        batch = [self.states[i] for i in new]
        return [(name, batch[pos], new[pos]) for pos, name in self.backend.check_new(batch, active)]

    def close_level(self) -> int:
        """End the open level; returns how many states it holds here."""
        self.starts.append(len(self.states))
        return self.starts[-1] - self.starts[-2]

    def rollback(self, levels: int) -> None:
        """Forget everything after the first `levels` complete levels (a round that failed)."""
        keep = self.starts[levels]
        self.sent.clear()   # what a failed round sent may be lost with it
        for s in self.states[keep:]:
            del self.index[s]
        del self.states[keep:], self.pshard[keep:], self.pidx[keep:], self.via[keep:]
        del self.starts[levels + 1:]

    def link(self, i: int) -> tuple[bytes, int, int, int]:
        return self.states[i], self.pshard[i], self.pidx[i], self.via[i]

    def count(self) -> int:
        return len(self.states)

    # ---- snapshots: one append-only segment per level, written atomically
    def _segment(self, folder: Path, level: int) -> Path:
        return folder / f"shard{self.me:04d}" / f"level{level:06d}.seg"

    def save_level(self, folder: str, level: int) -> None:
        lo, hi = self.starts[level], self.starts[level + 1]
        write_segment(self._segment(Path(folder), level), self.width, b"".join(self.states[lo:hi]),
                      self.pshard[lo:hi], self.pidx[lo:hi], self.via[lo:hi])

    def restore(self, folder: str | None, levels: int) -> None:
        """Back to the end of level `levels - 1`: forget a failed round, or reload from the snapshot
        when this worker was restarted and has lost its memory."""
        if len(self.starts) > levels:
            self.rollback(levels)
        elif folder is None:
            raise ValueError(f"shard {self.me} lost its states and there is no checkpoint to reload")
        else:
            self.load(folder, levels)

    def load(self, folder: str, levels: int) -> None:
        """Rebuild this shard from the segments of the first `levels` levels."""
        self.rollback(0)
        for level in range(levels):
            data, ps, pi, via = read_segment(self._segment(Path(folder), level), self.width, self.me, level)
            for j, off in enumerate(range(0, len(data), self.width)):
                self._add(data[off:off + self.width], ps[j], pi[j], via[j])
            self.starts.append(len(self.states))


def write_segment(path: Path, width: int, states: bytes, ps: array, pi: array, via: array) -> None:
    """One level of one shard, written atomically: states back to back, then its link arrays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        f.write(_MAGIC + struct.pack("<QQ", len(ps), width))
        f.write(states)
        f.write(ps.tobytes() + pi.tobytes() + via.tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_segment(path: Path, width: int, me: int, level: int) -> tuple[bytes, array, array, array]:
    """(states, parent shards, parent indices, rules) of a segment `write_segment` wrote."""
    data = path.read_bytes()
    if data[:8] != _MAGIC:
        raise ValueError(f"checkpoint segment {level} of shard {me} is damaged")
    n, w = struct.unpack_from("<QQ", data, 8)
    if w != width or len(data) != 24 + n * (width + 16):
        raise ValueError(f"checkpoint segment {level} of shard {me} is damaged")
    a = 24 + n * width
    ps, pi, via = array("i"), array("q"), array("i")
    ps.frombytes(data[a:a + 4 * n])
    pi.frombytes(data[a + 4 * n:a + 12 * n])
    via.frombytes(data[a + 12 * n:a + 16 * n])
    return data[24:a], ps, pi, via

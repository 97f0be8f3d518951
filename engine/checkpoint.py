"""Checkpoints of a distributed run: per-level shard segments plus one manifest written last.

A level counts as complete only when the manifest says so; the manifest is replaced atomically
after every shard has written its segment, so a crash at any moment leaves the previous level as
the one to resume from.  The fingerprint hashes what the states mean (rule IR, state layout,
properties, initial states, symmetry) and the engine's format version: a checkpoint from another
model, preset, variant or engine version is refused rather than silently mixed in.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from .api import System
from .compile import function_source, successor_source
from .errors import BadInput

FORMAT = "pmipmc-shards-1"   # bump when the segment or manifest layout, or the hash partition, changes


def fingerprint(system: System, symmetry: bool) -> str:
    h = hashlib.blake2b(digest_size=16)
    sc = system.schema
    parts = [FORMAT, f"symmetry={symmetry}", successor_source(system.rules)]
    parts += [f"{sc.slot_name(i)}:{','.join(sc.slot_domain(i).labels)}" for i in range(sc.nslots)]
    parts.append(repr(sorted(sc.symmetry.items())))
    for p in system.properties:
        head, body = function_source("p", "s, t", [system.prop_expr(p)])
        parts.append(f"{p.name}:{p.kind}:{head}:{body}")
    parts += [s.hex() for s in system.init]
    for x in parts:
        h.update(x.encode())
        h.update(b"\0")
    return h.hexdigest()


class Store:
    """A checkpoint folder for one (preset, variant) run."""

    def __init__(self, folder: Path, identity: dict):
        self.folder = folder
        self.identity = identity   # preset, variant, overrides, fingerprint, shards, backend (partition and format)

    @property
    def manifest_path(self) -> Path:
        return self.folder / "manifest.json"

    def start_fresh(self) -> None:
        if self.folder.exists():
            for p in self.folder.glob("shard*"):
                shutil.rmtree(p)
            self.manifest_path.unlink(missing_ok=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def resume(self) -> dict | None:
        """The manifest of the last complete level, or None when the folder holds no run yet."""
        if not self.manifest_path.exists():
            return None
        try:
            doc = json.loads(self.manifest_path.read_text())
            mine = {k: doc[k] for k in self.identity if k not in ("backend", "partition")}
            mine["backend"] = doc.get("backend", "python")   # checkpoints from before the native shards
            mine["partition"] = doc.get("partition", [])     # from before partition keys: the whole state
        except (ValueError, KeyError, TypeError):
            raise BadInput(f"{self.manifest_path} is not a pmipmc checkpoint manifest") from None
        for key in ("preset", "variant", "overrides", "shards", "backend", "partition", "fingerprint"):
            if key in self.identity and mine[key] != self.identity[key]:
                what = {"fingerprint": "model, properties or engine version",
                        "partition": "partition key (slots that place a state on a shard)"}.get(key, key)
                raise BadInput(f"checkpoint {self.folder} was made with another {what} "
                               f"({mine[key]!r}, this run {self.identity[key]!r}); use a new folder")
        return doc

    def commit(self, progress: dict) -> None:
        doc = dict(self.identity, **progress)
        tmp = self.manifest_path.with_suffix(".tmp")
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest_path)

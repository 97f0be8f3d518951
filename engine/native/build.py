"""Compile the generated C with the system compiler once, cache the shared object, load it.

The cache key is a hash of the complete source and the compiler command, so a change to the model,
the generator or the runtime compiles afresh and nothing stale is ever loaded.
"""
from __future__ import annotations

import ctypes
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CFLAGS = ("-O1", "-shared", "-fPIC", "-pthread", "-w")
# -O1: as fast as -O2 on three-mags (measured), at half the compile time
RUNTIME = [Path(__file__).with_name(n) for n in ("store.c", "graph.c", "por.c", "settle.c", "runtime.c", "batch.c")]   # in this order


class BuildError(RuntimeError):
    pass


def compiler() -> list[str]:
    """The C compiler command: $CC (as the usual convention goes), else cc."""
    return shlex.split(os.environ.get("CC") or "cc")


def native_available() -> str | None:
    """None when the native engine can be built here, else the reason it cannot."""
    cc = compiler()
    if not cc or shutil.which(cc[0]) is None:
        return f"no C compiler ({' '.join(cc) or 'CC is empty'} not found)"
    return None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pmipmc" / "native"


def full_source(generated: str) -> str:
    return "\n".join([generated] + [p.read_text() for p in RUNTIME])


def build(generated: str) -> tuple[ctypes.CDLL, float]:
    """(loaded library, seconds spent compiling: 0 on a cache hit)."""
    why = native_available()
    if why:
        raise BuildError(why)
    src = full_source(generated)
    cmd = compiler() + list(CFLAGS)
    key = hashlib.sha256((" ".join(cmd) + "\n" + src).encode()).hexdigest()[:24]
    out = cache_dir() / f"{key}.so"
    seconds = 0.0
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
            c_file, so = Path(tmp) / f"{key}.c", Path(tmp) / f"{key}.so"
            c_file.write_text(src)
            res = subprocess.run(cmd + ["-o", str(so), str(c_file)], capture_output=True, text=True)
            if res.returncode != 0:
                lines = res.stderr.strip().splitlines() or ["(no message)"]
                first = next((ln for ln in lines if "error" in ln), lines[0])   # not "In function ...:"
                raise BuildError(f"C compiler failed: {first}")
            os.replace(so, out)   # atomic: a concurrent run never loads half a file
        seconds = time.monotonic() - t0
    return _declare(ctypes.CDLL(str(out))), seconds


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    u64, i64, p = ctypes.c_uint64, ctypes.c_int64, ctypes.c_void_p
    sigs = {
        "nm_new": (p, [ctypes.c_int, ctypes.c_int, ctypes.c_int, u64, u64, u64, u64, u64, ctypes.c_int,
                       ctypes.c_int, ctypes.c_int]),
        "nm_por": (None, [p, ctypes.POINTER(u64)]),
        "nm_progress": (ctypes.c_int, [p, u64]),
        "nm_stuck": (i64, [p, ctypes.c_int, ctypes.POINTER(ctypes.c_uint32), u64, ctypes.POINTER(u64)]),
        "nm_graph": (None, [p, ctypes.POINTER(u64)]),
        "nm_settle": (ctypes.c_int, [p, u64, u64, u64]),
        "nm_stuck_states": (u64, [p, ctypes.c_int, ctypes.c_char_p, u64]),
        "nm_undecided": (i64, [p, ctypes.c_int]), "nm_settle_stats": (None, [p, ctypes.POINTER(u64)]),
        "nm_coverage": (None, [p, ctypes.POINTER(u64), ctypes.POINTER(u64)]),
        "nm_nrulenames": (ctypes.c_int, []),
        "nm_free": (None, [p]),
        "nm_add_init": (ctypes.c_int, [p, ctypes.c_char_p]),
        "nm_run": (ctypes.c_int, [p, u64]),
        "nm_counts": (None, [p, ctypes.POINTER(u64)]),
        "nm_table": (None, [p, ctypes.POINTER(u64)]),
        "nm_state": (ctypes.c_int, [p, u64, ctypes.c_char_p]),
        "nm_parent": (i64, [p, u64]),
        "nm_via": (i64, [p, u64]),
        "nm_hit": (i64, [p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(i64), ctypes.c_char_p]),
        "nm_error": (None, [p, ctypes.POINTER(i64)]),
        "nm_levels": (ctypes.c_int, [p, ctypes.POINTER(u64)]),
        "nm_nslots": (ctypes.c_int, []),
        "nm_fingerprints": (ctypes.c_int, [p]),
        "nm_state_bytes": (ctypes.c_int, []),
        # batch.c: one shard of a distributed search (engine/native/shard.py)
        "nb_new": (p, [ctypes.c_int] * 3 + [p, ctypes.c_int, ctypes.c_int]), "nb_release": (None, [p, u64]), "nb_free": (None, [p]),
        "nb_expand": (ctypes.c_int, [p, u64, u64, u64, u64, ctypes.c_int]), "nb_transitions": (u64, [p]),
        "nb_out_count": (u64, [p, ctypes.c_int]), "nb_out": (p, [p, ctypes.c_int]), "nb_rec_bytes": (ctypes.c_int, []),
        "nb_begin": (None, [p]), "nb_absorb": (i64, [p, ctypes.c_int, p, u64, u64]),
        "nb_seed": (i64, [p, ctypes.c_char_p, u64]),
        "nb_hit": (i64, [p, ctypes.c_int, ctypes.c_int, ctypes.POINTER(i64), ctypes.c_char_p]),
        "nb_count": (u64, [p]), "nb_link": (ctypes.c_int, [p, u64, ctypes.c_char_p, ctypes.POINTER(i64)]),
        "nb_export": (None, [p, u64, u64, ctypes.c_char_p, p, p, p]),
        "nb_import": (ctypes.c_int, [p, u64, ctypes.c_char_p, p, p, p]),
        "nb_truncate": (ctypes.c_int, [p, u64]), "nb_memory": (u64, [p]), "nb_error": (None, [p, ctypes.POINTER(i64)]),
    }
    for name, (res, args) in sigs.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib

"""Writing a run's outputs so that a failure loses one output, never the others or the old ones.

Each file is written beside its target and renamed over it; the reports are written into a
fresh folder and each of its entries (README.md, traces/) then replaces the old one, so a stale
trace from an earlier run never survives and an interrupted write leaves the old report whole.
Every failure is one line; the caller turns any into a non-zero exit.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable


def atomic_file(path: Path, write: Callable[[Path], object]) -> None:
    """`write(p)` to a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    if path.exists() and not path.is_file():   # /dev/stdout, a pipe: nothing to rename over
        write(path)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_text(path: Path, text: str) -> None:
    atomic_file(path, lambda p: p.write_text(text))


def replace_dir_entries(outdir: Path, write: Callable[[Path], object]) -> None:
    """`write(tmpdir)`, then move each entry it made into `outdir`, replacing what was there."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".pmipmc-new-", dir=outdir))
    old = Path(tempfile.mkdtemp(prefix=".pmipmc-old-", dir=outdir))
    try:
        write(tmp)
        for entry in sorted(tmp.iterdir(), key=lambda p: p.name == "README.md"):   # README last
            target = outdir / entry.name
            if target.exists() or target.is_symlink():
                target.rename(old / entry.name)
            entry.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def attempt(errors: list[str], what: str, path: Path, fn: Callable[[], object]) -> bool:
    """Run one write; on failure record one line and carry on with the next output."""
    try:
        fn()
        return True
    except OSError as e:
        errors.append(f"cannot write {what} {path}: {e.strerror or e}")
        return False

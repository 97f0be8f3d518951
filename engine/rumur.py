"""Run Rumur on an exported Murphi model: generate C, compile it, run the verifier, read its counts.

The verifier is generated with symmetry reduction and deadlock detection off (a state with no
enabled rule is a legitimate end state of ours, not an error) and prints its summary in Rumur's
machine-readable XML, from which the state and rule-firing counts are read.  Rumur reports whole
seconds only, so exploration time is measured here around the verifier process, together with
its peak resident memory.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


class RumurError(RuntimeError):
    pass


@dataclass
class RumurRun:
    states: int
    rules_fired: int
    errors: int
    seconds: float            # the verifier process, wall clock (exploration plus a few ms start-up)
    rumur_seconds: int        # Rumur's own figure, whole seconds
    peak_bytes: int           # the verifier's peak resident memory
    generate_seconds: float   # rumur: Murphi to C
    compile_seconds: float    # cc: C to a binary
    state_bytes: int          # Rumur's packed state size

    @property
    def states_per_s(self) -> float:
        return self.states / self.seconds if self.seconds > 0 else 0.0


def rumur_missing() -> str | None:
    """None when Rumur and a C compiler are on PATH, else what is missing."""
    for tool in ("rumur", os.environ.get("CC", "cc")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def _timed(cmd: list[str], what: str) -> float:
    t0 = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RumurError(f"{what} failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    return time.monotonic() - t0


# Linked into the verifier: its own peak resident memory, read at exit.  The parent's rusage
# cannot tell it: a child forked from this Python process inherits Python's high-water mark.
PEAK_C = r"""
#include <stdio.h>
#include <string.h>
__attribute__((destructor)) static void pmipmc_report_peak(void) {
  char line[256];
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL) return;
  while (fgets(line, sizeof line, f) != NULL)
    if (strncmp(line, "VmHWM:", 6) == 0) fprintf(stderr, "pmipmc-peak-kb %s", line + 6);
  fclose(f);
}
"""


def _measured(cmd: list[str]) -> tuple[str, float, int, int]:
    """(stdout, wall seconds, exit code, peak RSS bytes) of the verifier."""
    t0 = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    peak = [int(line.split()[1]) * 1024 for line in done.stderr.splitlines() if line.startswith("pmipmc-peak-kb")]
    return done.stdout + done.stderr, seconds, done.returncode, peak[-1] if peak else 0


def parse_summary(xml_text: str) -> dict[str, int]:
    """Counts from Rumur's machine-readable output (the <summary> and <information> elements)."""
    start, end = xml_text.find("<?xml"), xml_text.find("</rumur_run>")
    if start < 0 or end < 0:
        raise RumurError(f"no machine-readable summary in Rumur's output: {xml_text.strip()[-500:]}")
    try:
        root = ET.fromstring(xml_text[start:end + len("</rumur_run>")])
    except ET.ParseError as e:
        raise RumurError(f"unreadable summary from Rumur: {e}") from None
    summary, info = root.find("summary"), root.find("information")
    if summary is None:
        raise RumurError(f"Rumur stopped without a summary: {xml_text.strip()[-500:]}")
    return {"states": int(summary.get("states")), "rules_fired": int(summary.get("rules_fired")),
            "errors": int(summary.get("errors")), "seconds": int(summary.get("duration_seconds")),
            "state_bytes": int(info.get("state_size_bytes")) if info is not None else 0}


def check_with_rumur(model: str, threads: int = 1, workdir: Path | None = None, opt: str = "-O3") -> RumurRun:
    """Generate, compile and run a verifier for Murphi source `model`; raises RumurError on failure.

    Rumur's C is megabytes: -O1 builds four times quicker than -O3 and runs nearly as fast (tests)."""
    missing = rumur_missing()
    if missing:
        raise RumurError(missing)
    with tempfile.TemporaryDirectory(prefix="pmipmc-rumur-") as tmp:
        d = Path(workdir or tmp)
        d.mkdir(parents=True, exist_ok=True)
        (d / "model.m").write_text(model)
        (d / "peak.c").write_text(PEAK_C)
        gen = _timed(["rumur", "--quiet", "--output-format", "machine-readable", "--deadlock-detection", "off",
                      "--symmetry-reduction", "off", "--threads", str(threads), "--colour", "off",
                      "--output", str(d / "model.c"), str(d / "model.m")], "rumur")
        comp = _timed([os.environ.get("CC", "cc"), "-std=c11", opt, "-pthread", "-o", str(d / "verifier"),
                       str(d / "model.c"), str(d / "peak.c"), "-latomic"], "compiling Rumur's verifier")
        out, seconds, code, peak = _measured([str(d / "verifier")])
        counts = parse_summary(out)
        if code != 0 and counts["errors"] == 0:
            raise RumurError(f"Rumur's verifier exited with {code}: {out.strip()[-500:]}")
    return RumurRun(counts["states"], counts["rules_fired"], counts["errors"], seconds, counts["seconds"], peak,
                    gen, comp, counts["state_bytes"])

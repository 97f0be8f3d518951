"""Action coverage, TLC `-coverage` style: per rule, how often it fired and in how many states it was enabled.

The explorer hands every expanded state's successor list to a `Coverage`; since one rule
instance yields at most one successor per state, instance counts are transitions, and a rule's
enabled-state count is the number of expanded (distinct, canonical) states where at least one
of its instances is enabled.  A rule that never fires under a preset is dead text or an
over-constrained model; the report flags it next to the draft step it cites.
"""
from __future__ import annotations

from .api import System


class Coverage:
    def __init__(self, system: System):
        names = list(dict.fromkeys(inst.rule.name for inst in system.rules))
        self.names = names
        index = {n: i for i, n in enumerate(names)}
        self.rule_of = [index[inst.rule.name] for inst in system.rules]
        self.fired = [0] * len(system.rules)     # per instance
        self.enabled = [0] * len(names)          # per rule

    def __call__(self, out: list) -> None:
        fired, rule_of = self.fired, self.rule_of
        seen = set()
        for k, _t in out:
            fired[k] += 1
            seen.add(rule_of[k])
        for r in seen:
            self.enabled[r] += 1

    def by_rule(self) -> dict[str, dict[str, int]]:
        fired = [0] * len(self.names)
        for k, n in enumerate(self.fired):
            fired[self.rule_of[k]] += n
        return {name: {"fired": fired[i], "enabled_states": self.enabled[i]} for i, name in enumerate(self.names)}


def never_fired(coverage: dict[str, dict[str, int]]) -> list[str]:
    return [r for r, c in coverage.items() if c["fired"] == 0]


def merged_fired(runs) -> dict[str, int]:
    """Fire counts summed over the runs that collected coverage (rules absent from a run count 0)."""
    out: dict[str, int] = {}
    for run in runs:
        for rule, c in (run.coverage or {}).items():
            out[rule] = out.get(rule, 0) + c["fired"]
    return out


def coverage_section(runs, rules: list[dict]) -> list[str]:
    """Markdown: one row per rule, one column per run, `fired / enabled states`; never-fired rules flagged."""
    runs = [r for r in runs if r.coverage is not None]
    if not runs:
        return []
    L = ["## Action coverage", "",
         "Per rule and run: times fired (transitions) / distinct states where it was enabled, as TLC's "
         "`-coverage` counts them. `—` means the rule is not part of that variant or preset (its "
         "switch is off or the reading excludes it); **0** marks a rule that could fire but never did: "
         "dead text, or a model or preset too constrained to reach it.", "",
         "| Rule | Cites | " + " | ".join(r.variant for r in runs) + " |",
         "|---|---|" + "---|" * len(runs)]
    cites = {r["name"]: r.get("cites", "") for r in rules}
    for name in [r["name"] for r in rules]:
        cells = []
        for run in runs:
            c = run.coverage.get(name)
            cells.append("—" if c is None else ("**0**" if c["fired"] == 0 else
                                                 f"{c['fired']:,} / {c['enabled_states']:,}"))
        if set(cells) == {"—"}:
            continue
        L.append(f"| `{name}` | {cites.get(name, '').replace('|', '/')} | " + " | ".join(cells) + " |")
    some = sorted({n for run in runs for n in never_fired(run.coverage)})
    fired = merged_fired(runs)
    never = [n for n in some if not fired.get(n)]
    L.append("")
    if never:
        L.append("**Never fired in any run** (dead text, or a model or preset too constrained to reach it): "
                 + ", ".join(f"`{n}`" for n in never) + ".")
    L.append(("Never fired in some run (its variant or preset excludes what it needs): "
              + ", ".join(f"`{n}`" for n in some if n not in never) + ".") if len(some) > len(never)
             else "Every rule fired in every run that has it.")
    return L

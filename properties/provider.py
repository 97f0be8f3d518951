"""The bridge the engine's CLI is handed: builds systems from preset and variant names.

This module is the model's side of the `Provider` contract declared in engine/api.py; the
engine never imports the model, the console script (`cli.py` here) passes this module in.
Start reading here: `build` is where a preset and a variant become the one System that the
run, the traces, replay and the pictures share.
"""
from __future__ import annotations

import functools
from importlib.metadata import version
from pathlib import Path

from pmipmc import model
from pmipmc.engine.api import System, instantiate

from . import CATALOGUE

DESCRIPTION = "Model checker for draft-liu-multimob-pmipv6-multicast-ro-01"
DEFAULT_PRESET = model.bounds.DEFAULT_PRESET
VERSION = version("pmipmc")
DEFAULT_VARIANT = "draft"
REPAIRED_VARIANT = "repaired"   # model/variants.py: every repair reading at once
BASELINE = Path(__file__).with_name("baseline.json")
BAD_INPUT = (model.BoundsError, model.VariantError)
MUTATION_VARIANTS = (DEFAULT_VARIANT, REPAIRED_VARIANT)   # `pmipmc mutate` scores these unless told otherwise
SURVIVORS = Path(__file__).with_name("survivors.json")


def build(preset: str, variant: str, **overrides) -> System:
    """The System of a preset and variant, built and compiled once per process and then shared."""
    return _build(preset, variant, tuple(sorted(overrides.items())))


@functools.lru_cache(maxsize=None)
def _build(preset: str, variant: str, overrides: tuple) -> System:
    b = model.preset(preset)
    if overrides:
        b = b.with_(**dict(overrides))
    args = ", ".join([repr(preset), repr(variant)] + [f"{k}={v!r}" for k, v in overrides])
    return _system(b, model.variant(variant), f"provider.build({args})")


def _system(b, v, call: str) -> System:
    ctx = model.make_ctx(b, v)
    rules = instantiate(ctx.schema, ctx, model.enabled_rules(b))
    from .lemmas import lemmas_for   # strengthening invariants for `prove`, per preset; each is proved before use
    recipe = (f"from {__package__} import provider", call)
    return System(ctx.schema, ctx, model.initial_states(ctx), rules, list(CATALOGUE), lemmas_for(ctx), recipe)


def build_readings(preset: str, choices: dict[str, str]) -> System:
    """A system for an unnamed setting of axes (evidence runs: the draft plus one repair, and so on)."""
    from pmipmc.model.variants import Variant
    unknown = [a for a, r in choices.items() if a not in model.AXES or r not in model.AXES[a].readings]
    if unknown:
        raise model.VariantError(f"unknown axis or reading: {unknown[0]}={choices[unknown[0]]}")
    name = "+".join(f"{a}={r}" for a, r in choices.items()) or "draft"
    return _system(model.preset(preset), Variant(name, "", dict(choices)),
                   f"provider.build_readings({preset!r}, {dict(choices)!r})")


def repairs() -> list[dict]:
    """Each repair reading with the replacement text it proposes for the draft."""
    from pmipmc.model.variants import PROPOSED_TEXT, REPAIRS
    return [{"axis": a, "reading": r, "cites": model.AXES[a].cites, "doc": model.AXES[a].readings[r],
             "where": p.where, "old": p.old, "new": p.new}
            for a, r in REPAIRS.items() for p in [PROPOSED_TEXT[(a, r)]]]


def by_design(variant: str) -> dict[str, str]:
    """Properties the variant's readings break on purpose (e.g. the optimisation claim on the base path), with why."""
    from .routeopt import BY_DESIGN
    v = model.variant(variant)
    return {p: why for (axis, reading), props in BY_DESIGN.items() if v.reading(axis) == reading
            for p, why in props.items()}


def route_comparison(packet_seconds: float | None = 120.0) -> dict:
    """What the optimisation buys, per scenario and route: {"rows": JSON rows, "markdown": lines}."""
    from .routes import comparison
    return comparison(build, packet_seconds)


def presets() -> list[dict]:
    return [{"name": n, "cites": b.summary(), "doc": doc, "bounds": b.summary()}
            for n, (b, doc) in model.PRESETS.items()]


def variants() -> list[dict]:
    out = []
    for v in model.VARIANTS.values():
        readings = {a: v.reading(a) for a in model.AXES}
        out.append({"name": v.name, "cites": v.cites, "doc": v.doc, "choices": dict(v.choices),
                    "readings": readings,
                    "quotes": {a: model.AXES[a].quote for a in v.choices}})
    return out


def axes() -> list[dict]:
    return [{"name": a.name, "cites": a.cites, "doc": a.quote, "readings": dict(a.readings)}
            for a in model.AXES.values()]


def rules() -> list[dict]:
    return [{"name": r.name, "cites": r.cites, "doc": r.doc, "params": list(r.each),
             "environment": r.env, "switch": r.switch} for r in model.ALL_RULES]


def properties() -> list[dict]:
    return [{"name": p.name, "cites": p.cites, "doc": p.doc, "kind": p.kind, "topic": p.topic}
            for p in CATALOGUE]


def variant_names() -> list[str]:
    return list(model.VARIANTS)


def narrator():
    """The module that turns traces into the draft's pictures and packets (model/narrative.py)."""
    from pmipmc.model import narrative
    return narrative


def draft_text() -> str:
    from pmipmc.model import draft
    return draft.text()


def lint_findings() -> list[dict]:
    from pmipmc.model.wire import lint
    return lint.findings_json(lint.lint())


def lint_markdown() -> str:
    from pmipmc.model.wire import lint
    return lint.findings_markdown(lint.lint())


def alternative_readings(variant: str) -> list[dict]:
    """For mutation: every other reading of every axis, one at a time (the variant's own excluded)."""
    v = model.variant(variant)
    return [{"axis": a.name, "reading": r, "cites": a.cites}
            for a in model.AXES.values() for r in a.readings if r != v.reading(a.name)]


def build_reading(preset: str, variant: str, axis: str, reading: str) -> System:
    """The system of `variant` with one axis read another way."""
    v = model.variant(variant)
    swapped = model.variants.Variant(f"{v.name}+{axis}={reading}", v.doc, {**v.choices, axis: reading})
    b = model.preset(preset)
    ctx = model.make_ctx(b, swapped)
    from .lemmas import lemmas_for
    return System(ctx.schema, ctx, model.initial_states(ctx), instantiate(ctx.schema, ctx, model.enabled_rules(b)),
                  list(CATALOGUE), lemmas_for(ctx))


def mutation_notes() -> dict[str, str]:
    """One-line reasons why known surviving mutants survive, keyed by mutant (properties/survivors.json)."""
    import json
    return json.loads(SURVIVORS.read_text()) if SURVIVORS.exists() else {}


# `prove --all-sizes` without --preset: every environment switch of the fused presets on and sender
# moves unlimited, so its behaviours include those of ci, mobility, shared, three-mags and thorough
WIDEST = model.Bounds(mags=2, listeners=1, senders=1, attach_detach=True, sender_handover=True,
                      listener_handover=True, loss=True, silent_departure=True, fused_steps=True)


def build_param(preset: str | None, variant: str):
    """The model over symbolic sorts with the preset's environment switches (its sizes are not
    used), or with every switch on (`WIDEST`) when no preset is named (`prove --all-sizes`)."""
    from pmipmc.engine.param_model import ParamModel
    from pmipmc.model import parametric

    from .lemmas import FUSED_LEMMAS, LEMMAS
    b, v = (model.preset(preset) if preset else WIDEST), model.variant(variant)
    if b.data_packets:
        raise model.BoundsError(f"preset {preset}: data packets in flight are not read symbolically")
    ctx = parametric.make_param_ctx(b, v)
    return ParamModel(ctx.schema, ctx, model.enabled_rules(b), list(CATALOGUE),
                      list(LEMMAS) + (list(FUSED_LEMMAS) if b.fused_steps else []), parametric.initially, parametric.INITIAL_ARRAYS, f"{preset or 'every switch'}/{variant}")

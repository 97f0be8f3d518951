"""State layout: finite sorts, value domains, and arrays of slots indexed by sorts.

A state is a `bytes` object with one small integer per slot.  The schema knows which slots are
indexed by which sort elements and which values *denote* sort elements, which is all symmetry
reduction needs to permute a state.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Sequence

from .expr import var


class SchemaError(ValueError):
    pass


@dataclass(frozen=True)
class Sort:
    """A finite set of named elements.  A sub-sort (`members` set) names some elements of its
    parent sort by the parent's indices, so a rule can range over e.g. the listeners among the
    MNs directly and still index MN-indexed arrays with its argument."""
    name: str
    elements: tuple[str, ...]
    members: tuple[int, ...] | None = None   # a sub-sort: these indices of the parent
    parent: str | None = None

    def __len__(self) -> int:
        return len(self.elements)

    def __iter__(self):
        return iter(range(len(self.elements)))

    def indices(self) -> tuple[int, ...]:
        """The element indices a parameter of this sort takes (the parent's, for a sub-sort)."""
        return self.members if self.members is not None else tuple(range(len(self.elements)))


@dataclass(frozen=True)
class Domain:
    """Values 0..size-1 printed as `labels`; each block offset..offset+len(sort)-1 denotes `sort`."""
    labels: tuple[str, ...]
    sort: str | None = None
    offsets: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return len(self.labels)

    def code(self, label: str) -> int:
        """The value printed as `label`; a label the domain lacks is a model error, not a False."""
        if label not in self.labels:
            raise SchemaError(f"no value {label!r} in domain {self.labels}")
        return self.labels.index(label)

    def element(self, i: int, block: int = 0) -> int:
        """The value denoting sort element i in the block-th format of a sort domain."""
        if self.sort is None or not 0 <= block < len(self.offsets):
            raise SchemaError(f"domain {self.labels[:3]}... has no sort block {block}")
        return self.offsets[block] + i


BOOL = Domain(("0", "1"))


def enum(*labels: str) -> Domain:
    return Domain(tuple(labels))


def sort_domain(sort: Sort, *before: str, fmts: Sequence[str] = ("{}",)) -> Domain:
    """Some named values, then for each format one value per element of `sort`."""
    labels = list(before)
    offsets = []
    for f in fmts:
        offsets.append(len(labels))
        labels += [f.format(e) for e in sort.elements]
    return Domain(tuple(labels), sort=sort.name, offsets=tuple(offsets))


VALUE = -1   # a message endpoint named by the slot's value rather than by one of its indices


@dataclass(frozen=True)
class Message:
    """Declares an array as messages in flight: a slot with a non-zero value is one message.

    `sender` and `receiver` are index positions into the array (VALUE: the element the slot's
    value denotes) or the fixed name of a party outside the sorts.  `label` and `note` are
    templates over `{0}`, `{1}`.. (index element names) and `{value}` (the value's label);
    `source` is the index position of the sending host a message is about, if any.  From this
    one declaration charts draw arrows and packet writers emit packets, for every rule."""
    label: str
    sender: int | str
    receiver: int | str
    note: str = ""
    tunnel: bool = False
    source: int | None = None


@dataclass(frozen=True)
class Sent:
    """One message that a step put in flight (or, for `consumed`, took out of flight)."""
    array: str
    message: Message
    names: tuple[str, ...]     # element names of the slot's indices
    value: str                 # label of the value
    sender: str
    receiver: str


@dataclass
class Array:
    name: str
    domain: Domain
    index: tuple[Sort, ...]
    base: int
    doc: str = ""
    message: Message | None = None

    @property
    def count(self) -> int:
        n = 1
        for s in self.index:
            n *= len(s)
        return n

    def slot(self, *idx: int) -> int:
        off = 0
        for s, i in zip(self.index, idx):
            if not 0 <= i < len(s):
                raise SchemaError(f"{self.name}: index {i} out of range for {s.name}")
            off = off * len(s) + i
        return self.base + off

    def indices(self):
        return itertools.product(*(range(len(s)) for s in self.index))


class View:
    """Attribute access to state variables as expressions: `s.bce[mn]`, `s.iif[mag][src]`."""

    def __init__(self, schema: "Schema", frame: int):
        for a in schema.arrays:
            setattr(self, a.name, schema._nested(a, frame))


@dataclass
class Schema:
    sorts: dict[str, Sort] = field(default_factory=dict)
    arrays: list[Array] = field(default_factory=list)
    # sort name -> groups of element indices that may be permuted among themselves
    symmetry: dict[str, tuple[tuple[int, ...], ...]] = field(default_factory=dict)
    _slot_info: list[tuple[Array, tuple[int, ...]]] = field(default_factory=list)

    def sort(self, name: str, elements: Sequence[str]) -> Sort:
        s = Sort(name, tuple(elements))
        self.sorts[name] = s
        return s

    def array(self, name: str, domain: Domain, *index: Sort, doc: str = "", message: Message | None = None) -> Array:
        if domain.size > 256:
            raise SchemaError(f"{name}: domain of {domain.size} values does not fit a byte")
        if any(a.name == name for a in self.arrays):
            raise SchemaError(f"{name}: declared twice")
        for end in (message.sender, message.receiver) if message else ():
            if end == VALUE and domain.sort is None or isinstance(end, int) and end >= len(index):
                raise SchemaError(f"{name}: message endpoint {end} names no index or sort value")
        a = Array(name, domain, tuple(index), len(self._slot_info), doc, message)
        self.arrays.append(a)
        for idx in a.indices():
            self._slot_info.append((a, idx))
        return a

    def subsort(self, name: str, parent: Sort, members: Sequence[int]) -> Sort:
        if name in self.sorts:
            raise SchemaError(f"sort {name} declared twice")
        s = Sort(name, parent.elements, tuple(members), parent.name)
        self.sorts[name] = s
        return s

    def symmetric(self, sort: Sort, *groups: Sequence[int]) -> None:
        self.symmetry[sort.name] = tuple(tuple(g) for g in groups if len(g) > 1)

    @property
    def nslots(self) -> int:
        return len(self._slot_info)

    def _nested(self, a: Array, frame: int):
        def build(prefix: tuple[int, ...]):
            if len(prefix) == len(a.index):
                return var(a.slot(*prefix), frame)
            return [build(prefix + (i,)) for i in range(len(a.index[len(prefix)]))]
        return build(())

    def view(self, frame: int = 0) -> View:
        return View(self, frame)

    def slot_name(self, slot: int) -> str:
        a, idx = self._slot_info[slot]
        return a.name + "".join(f"[{s.elements[i]}]" for s, i in zip(a.index, idx))

    def slot_domain(self, slot: int) -> Domain:
        return self._slot_info[slot][0].domain

    def slot_array(self, slot: int) -> tuple[Array, tuple[int, ...]]:
        return self._slot_info[slot]

    def label(self, slot: int, value: int) -> str:
        labels = self.slot_domain(slot).labels
        return labels[value] if 0 <= value < len(labels) else f"?{value}"

    def blank(self) -> bytearray:
        return bytearray(self.nslots)

    def decode(self, state: bytes) -> dict[str, str]:
        return {self.slot_name(i): self.label(i, v) for i, v in enumerate(state)}

    def encode(self, labels: dict[str, str], partial: bool = False) -> bytes:
        """The state whose decoding is `labels` (every slot named exactly once, unless `partial`:
        then slots not named hold their first value)."""
        names = {self.slot_name(i): i for i in range(self.nslots)}
        unknown = sorted(set(labels) - set(names))
        if unknown:
            raise SchemaError(f"unknown state variable {unknown[0]!r}")
        missing = sorted(set(names) - set(labels))
        if missing and not partial:
            raise SchemaError(f"state variable {missing[0]!r} is missing")
        out = self.blank()
        for name, label in labels.items():
            dom = self.slot_domain(names[name])
            if label not in dom.labels:
                raise SchemaError(f"{name} = {label!r} is not one of {', '.join(dom.labels)}")
            out[names[name]] = dom.labels.index(label)
        return bytes(out)

    def delta(self, before: bytes, after: bytes) -> list[tuple[str, str, str]]:
        return [(self.slot_name(i), self.label(i, a), self.label(i, b))
                for i, (a, b) in enumerate(zip(before, after)) if a != b]

    def _message(self, slot: int, value: int) -> Sent:
        a, idx = self._slot_info[slot]
        names = tuple(s.elements[i] for s, i in zip(a.index, idx))
        m = a.message

        def end(e):
            if e == VALUE:
                d = a.domain
                k = next((value - o for o in d.offsets if 0 <= value - o < len(self.sorts[d.sort])), None)
                return self.sorts[d.sort].elements[k] if k is not None else self.label(slot, value)
            return names[e] if isinstance(e, int) else e
        return Sent(a.name, m, names, self.label(slot, value), end(m.sender), end(m.receiver))

    def sent(self, before: bytes, after: bytes) -> list[Sent]:
        """Messages a step put in flight: message slots that changed to a non-zero value."""
        return [self._message(i, b) for i, (a, b) in enumerate(zip(before, after))
                if a != b and b and self._slot_info[i][0].message is not None]

    def consumed(self, before: bytes, after: bytes) -> list[Sent]:
        """Messages a step took out of flight (delivered or lost): message slots that became zero."""
        return [self._message(i, a) for i, (a, b) in enumerate(zip(before, after))
                if a != b and not b and self._slot_info[i][0].message is not None]

    def check(self, state: bytes) -> None:
        if len(state) != self.nslots:
            raise SchemaError(f"state has {len(state)} slots, schema has {self.nslots}")
        for i, v in enumerate(state):
            if v >= self.slot_domain(i).size:
                raise SchemaError(f"{self.slot_name(i)} = {v} is outside its domain")

"""A naive durable-rules (Rete) encoding in which every dossier fact and evidence item is its own durable fact.

This is the textbook Rete encoding (unlike `durable_encoding.py`, which posts one wide event per
referential). `facts()` turns one dossier into a flat list of small facts:

- `{"t": "as_of", "value": ordinal}`: the evaluation date, always present (an anchor for date tests
  and for rules made only of negated patterns: durable's `none()` needs a fact to join with);
- `{"t": "fact", "name": ..., "value": ...}` for each known scalar fact (dates as `toordinal()`);
- a set-valued fact becomes `{"t": "set", "name": ..., "size": n}` (so that "known" and "does not
  contain" can be said of an empty set) plus one `{"t": "member", "name": ..., "value": ...}` per member;
- one `{"t": "evidence", "id", "kind", "criteria", "collected"}` per evidence item valid at `as_of`
  and per criterion it supports: `criteria` is that criterion's id, or `"*"` for an item that names
  no criteria (it supports every criterion). `collected` is an ordinal, absent when unknown.

Each criterion's `requires` becomes durable rules (`when_all` joins over those separate facts). The tree
is put in negation normal form under raccord's Kleene semantics (a rule fires iff the condition is
TRUE, so `not x` fires iff `x` is FALSE: `not {fact: f}` is `f == false`, `not {fact: s, contains: v}`
is "s is known" joined with `none(member v)`, the negation of an evidence test never fires, etc.),
then expanded into disjunctive normal form: one rule per conjunction (criteria whose DNF exceeds
`MAX_CONJUNCTIONS` are skipped). Within a conjunction, every test on one fact goes into a single
pattern (durable never binds one fact to two patterns of a rule). Comparisons between facts
(`{fact: a, lte: {fact: b, plus_days: 15}}`) are joins (`m.value <= c.b.value + 15`), comparisons with
the evaluation date join with the `as_of` fact, and so do `max_age_days` evidence tests.
Ratios are joins too, rewritten without division because durable only allows arithmetic on the
right-hand side: `n / d >= t` becomes `d > 0` on the denominator's pattern and `n >= d * t` on the
numerator's (plus the `d < 0` mirror when the catalogue allows a negative denominator; `d == 0` is
FALSE as in raccord). This can differ from raccord's `n / d` in the last bit of a float at an exact boundary.

What it leaves out (it does less than raccord, which favours durable-rules): it is closed-world, a
missing fact simply does not match, so it only answers "is `requires` TRUE" — no unknown, no
applicability (`applies_if`, scopes, dates in force, declarations), no outcomes, no explanations.
Criteria whose `requires` refers to another criterion's status (`criterion`) or to a ruleset
outcome (`outcome`) are not encoded at all, nor those over the DNF cap; `encoded` counts only
criteria encoded in full.

Durable-rules constraints handled here: a ruleset name can be registered once per process (names
carry a counter); a fact that reaches no rule raises MessageNotHandledException, so each ruleset has
a catch-all rule (by default one that lets every fact in but never fires: a join behind a pattern no
fact matches, so it costs no Python action per fact; `firing_catch_all=True` uses the plain
`when_all(+m.t)` with a no-op action instead); asserting an identical fact twice in a session raises,
so each `run()` retracts what it asserted, leaving its session (one per encoding) empty. It does not
use a fresh session id plus `delete_state`: in durable-rules 2.0.28, deleting a session that holds a
fact in a join memory (a fact that matched one pattern of a rule that did not fire) reads freed
memory and crashes the process or corrupts its heap (retracting adds about 15 % to a run). Each
ruleset only receives the facts its rules can read (`filter_facts=False` sends every fact to every ruleset).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from durable import lang as dl
from durable.lang import c, m, ruleset, when_all

from raccord.engine import conditions as cn
from raccord.engine import tri
from raccord.engine.context import VALID
from raccord.engine.evaluate import build_context, evaluate
from raccord.engine.roster import Roster

MAX_CONJUNCTIONS = 16
ALL_CRITERIA = "*"

# Order of the tests inside one pattern. durable-rules 2.0.28 silently drops a join test (one that
# reads another pattern's fact, `m.x >= c.other.y`) written after an `or` in the same pattern, so
# constant tests come first, then joins, then `or`s.
ALPHA, JOIN, EITHER = 0, 1, 2

_names = itertools.count()
_sessions = itertools.count()

COMPLEMENT = {"eq": "ne", "ne": "eq", "gt": "lte", "lte": "gt", "gte": "lt", "lt": "gte", "in": "not_in", "not_in": "in"}
MIRROR = {"eq": "eq", "ne": "ne", "gt": "lt", "lt": "gt", "gte": "lte", "lte": "gte"}  # a op b  <=>  b MIRROR[op] a


class UnsupportedError(Exception):
    """A condition this encoding cannot express: the criterion is skipped."""


def _value(v: Any) -> Any:
    return v.toordinal() if isinstance(v, dt.date) else v


def _compare(left: Any, op: str, right: Any) -> Any:
    """A durable expression `left op right` (left is an `m` attribute, right a constant or a `c` reference)."""
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if op == "gt":
        return left > right
    if op == "gte":
        return left >= right
    if op == "lt":
        return left < right
    if op == "lte":
        return left <= right
    raise UnsupportedError(op)


def _and(parts: list[Any]) -> Any:
    out = parts[0]
    for part in parts[1:]:
        out = out & part
    return out


def _or(parts: list[Any]) -> Any:
    out = parts[0]
    for part in parts[1:]:
        out = out | part
    return out


# --- atoms: the literals of a conjunction (negation already pushed into them) ---------------------


@dataclass(frozen=True)
class FactIs:
    """A known scalar fact compared with a constant (`op` None: only "is known")."""

    name: str
    op: str | None = None
    value: Any = None


@dataclass(frozen=True)
class FactVsFact:
    """`name op other + plus_days`, both facts known."""

    name: str
    op: str
    other: str
    plus_days: int = 0


@dataclass(frozen=True)
class FactVsAsOf:
    name: str
    op: str
    plus_days: int = 0


@dataclass(frozen=True)
class Ratio:
    """`numerator / denominator op target` with the denominator's sign given (0: denominator is zero)."""

    numerator: str
    denominator: str
    op: str
    target: float
    sign: int


@dataclass(frozen=True)
class Member:
    name: str
    value: str


@dataclass(frozen=True)
class NoMember:
    """The set is known and does not contain `value`."""

    name: str
    value: str


@dataclass(frozen=True)
class SetKnown:
    name: str


@dataclass(frozen=True)
class Absent:
    name: str
    is_set: bool


@dataclass(frozen=True)
class Evidence:
    kind: str
    criterion: str
    max_age_days: int | None = None


@dataclass(frozen=True)
class AsOf:
    op: str
    ordinal: int


Atom = FactIs | FactVsFact | FactVsAsOf | Ratio | Member | NoMember | SetKnown | Absent | Evidence | AsOf
Conjunction = tuple[Atom, ...]


class _Normaliser:
    """`requires` tree -> list of conjunctions that make it TRUE (disjunctive normal form, Kleene semantics)."""

    def __init__(self, catalogue: dict[str, Any]):
        self.catalogue = catalogue

    def true(self, node: cn.Node) -> list[Conjunction]:
        return self._dnf(node, positive=True)

    def _product(self, parts: list[list[Conjunction]]) -> list[Conjunction]:
        out: list[Conjunction] = [()]
        for alternatives in parts:
            out = [a + b for a in out for b in alternatives]
            if len(out) > MAX_CONJUNCTIONS:
                raise UnsupportedError(f"more than {MAX_CONJUNCTIONS} conjunctions")
        return out

    def _union(self, parts: list[list[Conjunction]]) -> list[Conjunction]:
        out = [conj for alternatives in parts for conj in alternatives]
        if len(out) > MAX_CONJUNCTIONS:
            raise UnsupportedError(f"more than {MAX_CONJUNCTIONS} conjunctions")
        return out

    def _dnf(self, node: cn.Node, positive: bool) -> list[Conjunction]:
        if isinstance(node, cn.All):
            parts = [self._dnf(child, positive) for child in node.children]
            return self._product(parts) if positive else self._union(parts)
        if isinstance(node, cn.AnyOf):
            parts = [self._dnf(child, positive) for child in node.children]
            return self._union(parts) if positive else self._product(parts)
        if isinstance(node, cn.Not):
            return self._dnf(node.child, not positive)
        if isinstance(node, cn.FactTest):
            return self._fact(node, positive)
        if isinstance(node, cn.RatioTest):
            return self._ratio(node, positive)
        if isinstance(node, cn.EvidenceTest) and (node.count_gte is not None or node.count_fact is not None):
            raise UnsupportedError("counted evidence")  # one item per person: a count, not a join
        if isinstance(node, cn.EvidenceTest):
            # TRUE with a valid item, otherwise UNKNOWN: never FALSE, so its negation never fires.
            return [(Evidence(node.kind, node.criterion, node.max_age_days),)] if positive else []
        if isinstance(node, cn.AsOfTest):
            return [(AsOf(node.op if positive else COMPLEMENT[node.op], node.target.toordinal()),)]
        raise UnsupportedError(type(node).__name__)  # criterion and outcome references

    def _fact(self, node: cn.FactTest, positive: bool) -> list[Conjunction]:
        name, op = node.name, node.op
        is_set = self.catalogue[name].type == "set"
        if op == "known":
            want = node.rhs.value == positive
            if want:
                return [(SetKnown(name) if is_set else FactIs(name),)]
            return [(Absent(name, is_set),)]
        if op == "is_true":
            return [(FactIs(name, "eq", positive),)]
        if op == "contains":
            member = node.rhs.value
            return [(Member(name, member) if positive else NoMember(name, member),)]
        test = op if positive else COMPLEMENT[op]
        rhs = node.rhs
        if isinstance(rhs, cn.Literal):
            if op in ("in", "not_in"):
                return [(FactIs(name, test, tuple(_value(v) for v in rhs.value)),)]
            return [(FactIs(name, test, _value(rhs.value)),)]
        if isinstance(rhs, cn.FactValue):
            if rhs.name == name:
                raise UnsupportedError("a fact compared with itself")
            return [(FactVsFact(name, test, rhs.name, rhs.plus_days),)]
        if isinstance(rhs, cn.AsOfValue):
            return [(FactVsAsOf(name, test, rhs.plus_days),)]
        raise UnsupportedError(f"fact test {op}")

    def _ratio(self, node: cn.RatioTest, positive: bool) -> list[Conjunction]:
        num, den, op, target = node.numerator, node.denominator, node.op, node.target
        if num == den:
            raise UnsupportedError("a ratio of a fact with itself")
        low = self.catalogue[den].min
        signs = [1] if low is not None and low >= 0 else [1, -1]
        if positive:
            return [(Ratio(num, den, op, target, sign),) for sign in signs]
        test = COMPLEMENT[op]
        return [(Ratio(num, den, "eq", 0.0, 0),)] + [(Ratio(num, den, test, target, sign),) for sign in signs]


# --- one conjunction -> one durable rule -----------------------------------------------------------


@dataclass
class _FactPattern:
    alias: str
    name: str
    tests: list[tuple[int, Callable[[], Any]]]  # (ALPHA | JOIN | EITHER, expression builder)


class _RuleBuilder:
    """Turns one conjunction into the argument list of `when_all`, and records what facts it reads."""

    def __init__(self, conj: Conjunction):
        self.conj = conj
        self.names: set[str] = set()  # fact, set and member names read
        self.kinds: set[str] = set()  # evidence kinds read

    def patterns(self) -> list[Any]:
        counter = itertools.count()
        facts: dict[str, _FactPattern] = {}
        asof_tests: list[Callable[[], Any]] = []
        needs_asof = False
        before: list[tuple[str, str]] = []  # (a, b): the pattern of fact a must come before b's
        members: dict[tuple[str, str], Member] = {}
        no_members: dict[tuple[str, str], NoMember] = {}
        sets: set[str] = set()
        absent: dict[str, Absent] = {}
        evidence: dict[tuple[str, str], int | None] = {}
        evidence_any_age: set[tuple[str, str]] = set()

        def fact(name: str) -> _FactPattern:
            if name not in facts:
                facts[name] = _FactPattern(f"f{next(counter)}", name, [])
                self.names.add(name)
            return facts[name]

        relations: list[FactVsFact | Ratio] = []
        for atom in self.conj:
            if isinstance(atom, FactIs):
                pattern = fact(atom.name)
                if atom.op in ("in", "not_in"):
                    members_ = atom.value
                    if atom.op == "in":
                        pattern.tests.append((EITHER, lambda vs=members_: _or([m.value == v for v in vs])))
                    else:
                        pattern.tests.append((ALPHA, lambda vs=members_: _and([m.value != v for v in vs])))
                elif atom.op is not None:
                    pattern.tests.append((ALPHA, lambda op=atom.op, v=atom.value: _compare(m.value, op, v)))
            elif isinstance(atom, FactVsFact):
                fact(atom.name)
                fact(atom.other)
                relations.append(atom)
            elif isinstance(atom, Ratio):
                fact(atom.denominator)
                fact(atom.numerator)
                before.append((atom.denominator, atom.numerator))
                relations.append(atom)
            elif isinstance(atom, FactVsAsOf):
                needs_asof = True
                fact(atom.name).tests.append((JOIN, lambda a=atom: _compare(m.value, a.op, _shift(c.asof.value, a.plus_days))))
            elif isinstance(atom, AsOf):
                needs_asof = True
                asof_tests.append(lambda a=atom: _compare(m.value, a.op, a.ordinal))
            elif isinstance(atom, Member):
                members[(atom.name, atom.value)] = atom
                self.names.add(atom.name)
            elif isinstance(atom, NoMember):
                no_members[(atom.name, atom.value)] = atom
                sets.add(atom.name)
                self.names.add(atom.name)
            elif isinstance(atom, SetKnown):
                sets.add(atom.name)
                self.names.add(atom.name)
            elif isinstance(atom, Absent):
                absent[atom.name] = atom
                self.names.add(atom.name)
            elif isinstance(atom, Evidence):
                # One item satisfies every test of its kind at once: keep the strictest age limit.
                key = (atom.kind, atom.criterion)
                self.kinds.add(atom.kind)
                if atom.max_age_days is None:
                    evidence_any_age.add(key)
                else:
                    needs_asof = True
                    old = evidence.get(key)
                    evidence[key] = atom.max_age_days if old is None else min(old, atom.max_age_days)
            else:  # pragma: no cover - every atom type is handled above
                raise UnsupportedError(type(atom).__name__)

        order = _order(list(facts), before)
        position = {name: i for i, name in enumerate(order)}
        for rel in relations:
            if isinstance(rel, Ratio):
                den_alias = facts[rel.denominator].alias
                den = facts[rel.denominator]
                num = facts[rel.numerator]
                if rel.sign == 0:
                    den.tests.append((ALPHA, lambda: m.value == 0))
                    continue
                den.tests.append((ALPHA, (lambda: m.value > 0) if rel.sign > 0 else (lambda: m.value < 0)))
                # n / d op t  <=>  n op d * t when d > 0, n MIRROR[op] d * t when d < 0
                op = rel.op if rel.sign > 0 else MIRROR[rel.op]
                num.tests.append((JOIN, lambda op=op, a=den_alias, t=rel.target: _compare(m.value, op, getattr(c, a).value * t)))
            else:
                lhs, rhs = facts[rel.name], facts[rel.other]
                if position[rel.other] < position[rel.name]:  # name op other + k, tested on name's pattern
                    lhs.tests.append((JOIN, _join(rel.op, rhs.alias, rel.plus_days)))
                else:  # other MIRROR[op] name - k, tested on other's pattern
                    rhs.tests.append((JOIN, _join(MIRROR[rel.op], lhs.alias, -rel.plus_days)))

        positives = bool(facts or members or sets or evidence or evidence_any_age)
        out: list[Any] = []
        if needs_asof or not positives:
            tests = [m.t == "as_of"] + [t() for t in asof_tests]
            out.append(c.asof << _and(tests))
        for name in order:
            pattern = facts[name]
            tests = [m.t == "fact", m.name == name] + [build() for _, build in sorted(pattern.tests, key=lambda t: t[0])]
            out.append(getattr(c, pattern.alias) << _and(tests))
        for i, (name, value) in enumerate(sorted(members)):
            out.append(getattr(c, f"mem{i}") << ((m.t == "member") & (m.name == name) & (m.value == value)))
        for i, name in enumerate(sorted(sets)):
            out.append(getattr(c, f"set{i}") << ((m.t == "set") & (m.name == name)))
        for i, (kind, cid) in enumerate(sorted(evidence_any_age | set(evidence))):
            tests = [m.t == "evidence", m.kind == kind]
            age = evidence.get((kind, cid))
            if age is not None:
                tests.append(m.collected >= c.asof.value - age)
            tests.append((m.criteria == ALL_CRITERIA) | (m.criteria == cid))  # an `or` goes last: see ALPHA
            out.append(getattr(c, f"ev{i}") << _and(tests))
        for name, value in sorted(no_members):
            out.append(dl.none((m.t == "member") & (m.name == name) & (m.value == value)))
        for name, atom in sorted(absent.items()):
            out.append(dl.none((m.t == ("set" if atom.is_set else "fact")) & (m.name == name)))
        return out


def _join(op: str, alias: str, plus_days: int) -> Callable[[], Any]:
    """A test `m.value op <fact bound to alias>.value + plus_days`, built when the rule is defined."""
    return lambda: _compare(m.value, op, _shift(getattr(c, alias).value, plus_days))


def _shift(ref: Any, days: int) -> Any:
    if days > 0:
        return ref + days
    if days < 0:
        return ref - (-days)
    return ref


def _order(names: list[str], before: list[tuple[str, str]]) -> list[str]:
    """First-appearance order, adjusted so that each denominator comes before its numerator."""
    out: list[str] = []
    pending = list(names)
    while pending:
        for name in pending:
            if not any(b == name and a in pending for a, b in before):
                out.append(name)
                pending.remove(name)
                break
        else:
            raise UnsupportedError("circular ratios")
    return out


# --- the encoding -------------------------------------------------------------------------------------


@dataclass
class _Target:
    """One durable ruleset and what it reads (for sending it only the facts it can use)."""

    name: str
    names: set[str]
    kinds: set[str]
    criteria: set[str]


class DurableFactsEncoding:
    """One durable ruleset per raccord ruleset; each run asserts the facts into an empty session, then retracts them."""

    def __init__(self, library: Any, *, filter_facts: bool = True, firing_catch_all: bool = False) -> None:
        self.library = library
        self.filter_facts = filter_facts
        self.skipped: dict[str, str] = {}  # criterion id -> why it is not encoded
        self.rules = 0
        self._hits: set[str] = set()
        self._targets: list[_Target] = []
        self._sid = f"raccord{next(_sessions)}"  # one durable session per encoding, emptied after each run
        normaliser = _Normaliser(library.catalogue)
        encoded = 0
        for rid, rs in library.rulesets.items():
            rules: list[tuple[str, list[Any]]] = []
            target = _Target(f"raccord_facts_{rid}_{next(_names)}", set(), set(), {ALL_CRITERIA})
            for crit in rs.criteria:
                try:
                    builders = [_RuleBuilder(conj) for conj in normaliser.true(crit.requires_node)]
                    crit_rules = [(crit.id, b.patterns()) for b in builders]
                except UnsupportedError as why:
                    self.skipped[crit.id] = str(why)
                    continue
                encoded += 1
                rules += crit_rules
                target.criteria.add(crit.id)
                for b in builders:
                    target.names |= b.names
                    target.kinds |= b.kinds
            if not rules:
                continue
            with ruleset(target.name):
                for cid, patterns in rules:
                    when_all(*patterns)(self._action(cid))
                if firing_catch_all:
                    when_all(+m.t)(_ignore)
                else:
                    # Every fact reaches this rule's second pattern (so none raises MessageNotHandled),
                    # and no fact matches the first one, so it never fires.
                    when_all(c.never << (m.t == "raccord_never_asserted"), c.anything << +m.t)(_ignore)
            self.rules += len(rules)
            self._targets.append(target)
        self.encoded = encoded

    def _action(self, cid: str) -> Callable[[Any], None]:
        def fire(_c: Any) -> None:
            self._hits.add(cid)

        return fire

    def facts(self, dossier: Any, as_of: dt.date) -> list[dict[str, Any]]:
        ctx = build_context(dossier, as_of)
        out: list[dict[str, Any]] = [{"t": "as_of", "value": as_of.toordinal()}]
        for name, value in ctx.facts.items():
            if value is None or isinstance(value, Roster):  # conditions over a roster are not encoded
                continue
            if isinstance(value, (set, frozenset, list, tuple)):
                out.append({"t": "set", "name": name, "size": len(value)})
                out.extend({"t": "member", "name": name, "value": _value(v)} for v in sorted(value))
            else:
                out.append({"t": "fact", "name": name, "value": _value(value)})
        for kind, items in ctx.evidence.items():
            for item in items:
                if item.state != VALID:
                    continue
                for cid in sorted(item.criteria) or [ALL_CRITERIA]:
                    fact = {"t": "evidence", "id": item.id, "kind": kind, "criteria": cid}
                    if item.collected is not None:
                        fact["collected"] = item.collected.toordinal()
                    out.append(fact)
        return out

    def batches(self, facts: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
        """(durable ruleset, the facts it receives, tagged with the session id) for one run."""
        sid = self._sid
        out = []
        for target in self._targets:
            if self.filter_facts:
                names, kinds, criteria = target.names, target.kinds, target.criteria
                batch = [{**f, "sid": sid} for f in facts
                         if (f["kind"] in kinds and f["criteria"] in criteria if f["t"] == "evidence"
                             else f["t"] == "as_of" or f["name"] in names)]
            else:
                batch = [{**f, "sid": sid} for f in facts]
            out.append((target.name, batch))
        return out

    def run(self, facts: list[dict[str, Any]]) -> set[str]:
        self._hits = hits = set()
        for name, batch in self.batches(facts):
            try:
                dl.assert_facts(name, batch)
            finally:
                # Back to an empty session. Not delete_state: durable-rules 2.0.28 frees a session's join
                # memories before the facts still held in them (use after free: a crash or a corrupt heap).
                dl.retract_facts(name, batch)
        return hits


def _ignore(_c: Any) -> None:
    return None


def check_agreement(encoding: DurableFactsEncoding, library: Any, dossier: Any, as_of: dt.date) -> list[str]:
    """Encoded criteria where durable's firing differs from raccord's `requires` being TRUE."""
    ctx = evaluate(library, dossier, as_of).ctx
    fired = encoding.run(encoding.facts(dossier, as_of))
    out = []
    for cid, crit in library.criteria.items():
        if cid in encoding.skipped:
            continue
        if (crit.requires(ctx) == tri.TRUE) != (cid in fired):
            out.append(cid)
    return out


if __name__ == "__main__":
    from pathlib import Path

    from raccord.engine import load_dossier, load_library

    root = Path(__file__).resolve().parent.parent
    day = dt.date(2025, 10, 15)
    lib = load_library()
    encoding = DurableFactsEncoding(lib)
    print(f"encoded {encoding.encoded}/{len(lib.criteria)} criteria as {encoding.rules} durable rules")
    for cid, why in encoding.skipped.items():
        print(f"  skipped {cid}: {why}")
    for path in sorted(root.glob("examples/*/dossier.yaml")):
        disagree = check_agreement(encoding, lib, load_dossier(path, lib.catalogue), day)
        print(f"check_agreement {path.parent.name}: {disagree}")
    example = load_dossier(root / "examples" / "long_metrage" / "dossier.yaml", lib.catalogue)
    built = encoding.facts(example, day)

    from run import median_us  # the bench's own timer

    def median_ms(fn: Callable[[], Any], inner: int = 20) -> float:
        return median_us(fn, repeat=15, inner=inner) / 1000

    encoding.run(built)  # warm-up
    asserted = sum(len(batch) for _, batch in encoding.batches(built))
    evidence = sum(1 for f in built if f["t"] == "evidence")
    print(f"long_metrage at {day}: {len(built)} durable facts built ({evidence} evidence), "
          f"{asserted} asserted over {len(encoding.batches(built))} rulesets")
    print(f"facts(): {median_ms(lambda: encoding.facts(example, day)):.3f} ms (median)")
    print(f"run(facts): {median_ms(lambda: encoding.run(built)):.3f} ms (median), {len(encoding.run(built))} criteria fired")
    raccord = median_ms(lambda: evaluate(lib, example, day), inner=200)
    print(f"raccord evaluate(), same dossier: {raccord:.3f} ms (median)")

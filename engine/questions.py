"""Which unknown facts can change a decision, ranked: the questions of `raccord interview` and of
the team workspace (docs/api.md, « Questions »).

A fact is a question when some value it can take changes a decision of the evaluation. This is
decided by evaluating again, not guessed: the dossier is evaluated with the fact set to each of
its candidate values and the decisions are compared with those of the dossier as it is. The
candidate values cover every case the rulesets' tests can tell apart:

- a boolean: true and false; an enum: each of its values;
- a set: the empty set, each value a condition names alone, all of them, every value, and every
  value but one named;
- a number or a date: each threshold a condition, a deadline or an evidence count compares it
  with (a literal, the evaluation date with its offset, another fact's value, a deadline's due
  date, the number of evidence items or roster members), the value just below and just above;
- a string: the literals it is compared with, and one other text.

Two facts compared with each other (a ratio women / total, a date before another date fact) may
each change nothing alone while the other is unknown: such a fact is also tried with each
candidate value of its unknown partner, and asked when some pair of values changes a decision
(its partner is asked next). A value that makes the dossier impossible (facts that must agree,
docs/ruleset-format.md §2.1) is not a possible answer. Rosters (`collection` facts) are lists of
people, not questions.

The decisions compared are every outcome field of kind `decision` (a ruleset's decision, each aid
scheme's) and a levels ruleset's level range. Ranking: the most decisions a fact can change, then
the most points of the criteria whose status it can change, then the catalogue's order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from . import conditions as cd
from .compiled import Library
from .consistency import disagreements
from .dossier import Dossier
from .evaluate import Evaluation, Options, evaluate_with
from .model import FactDef
from .record import Record, record
from .roster import Roster

DAY = dt.timedelta(days=1)
_READS: dict[int, tuple[Library, dict]] = {}  # per loaded library (a process loads one or two)


@record(positional=True)
class Question(Record):
    """An unknown fact whose answer can change `decisions` (ids: `RID`, `RID.scheme.SID`,
    `RID.level`) and the status of criteria worth `points`; `criteria` are those criteria's ids."""

    fact: str
    definition: FactDef
    decisions: tuple[str, ...]
    points: float
    criteria: tuple[str, ...]
    partners: tuple[str, ...] = ()  # unknown facts it only matters together with
    example: dict[str, Any] | None = None  # values (its own, its partners') that change a decision

    def as_dict(self, lang: str = "fr") -> dict[str, Any]:
        d = self.definition
        return {"fact": self.fact, "type": d.type, "title": d.title.get(lang),
                "help": d.help.get(lang) if d.help else None, "unit": d.unit, "values": d.values,
                "min": d.min, "max": d.max, "decisions": list(self.decisions), "points": self.points,
                "criteria": list(self.criteria), "partners": list(self.partners),
                "example": {k: _plain(v) for k, v in (self.example or {}).items()}}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return sorted(value) if isinstance(value, frozenset) else value


def decisions(evaluation: Evaluation, rulesets: Iterable[str] | None = None) -> dict[str, Any]:
    """The decisions of an evaluation, by id: each outcome field of kind `decision` and the level."""
    out: dict[str, Any] = {}
    for rid in rulesets if rulesets is not None else evaluation.rulesets:
        outcome = evaluation.ctx.outcomes[rid]
        for name, kind in evaluation.library.rulesets[rid].policy.outcome_fields().items():
            if kind == "decision" or name == "level":
                out[f"{rid}.{name}" if name != "decision" else rid] = _field(outcome, name)
    return out


def _field(outcome: dict[str, Any], name: str) -> Any:
    if name.startswith("scheme."):
        return (outcome.get("schemes") or {}).get(name.removeprefix("scheme."), {}).get("decision")
    value = outcome.get(name)
    return tuple(value) if isinstance(value, list) else value


def with_facts(dossier: Dossier, values: dict[str, Any]) -> Dossier:
    """The same dossier with some facts set (a value) or removed (None), for a what-if. Values are
    typed already (engine/dossier.py `coerce_fact`); the evidence register is unchanged, so the
    per-date evidence indexes are shared."""
    facts = dict(dossier.facts)
    for name, value in values.items():
        if value is None:
            facts.pop(name, None)
        else:
            facts[name] = value
    file = dataclasses.replace(dossier.file, facts=facts)
    return dataclasses.replace(dossier, file=file, facts=facts, prepared=dict(dossier.prepared))


# -- what the rulesets compare each fact with ----------------------------------------------------

@record(positional=True, frozen=False)
class _Reads(Record):
    """Per fact: the rulesets reading it, literal anchors, facts it is compared with."""

    rulesets: set[str] = dataclasses.field(default_factory=set)
    literals: set[Any] = dataclasses.field(default_factory=set)
    as_of: set[int] = dataclasses.field(default_factory=set)  # evaluation date + days
    partners: dict[str, set[int]] = dataclasses.field(default_factory=dict)  # other fact -> day shifts
    ratios: list[tuple[str, float, bool]] = dataclasses.field(default_factory=list)  # (other, target, numerator?)
    counts: set[str] = dataclasses.field(default_factory=set)  # evidence kinds / rosters it is a count of
    members: set[str] = dataclasses.field(default_factory=set)  # rosters whose size it is compared with


def fact_reads(library: Library) -> dict[str, _Reads]:
    """Every fact some condition, deadline or evidence count of the library reads, with what it is
    compared with (cached on the library: it depends on the rulesets only)."""
    cached = _READS.get(id(library))
    if cached is not None and cached[0] is library:
        return cached[1]
    reads: dict[str, _Reads] = {}

    def get(name: str, rid: str) -> _Reads:
        entry = reads.setdefault(name, _Reads())
        entry.rulesets.add(rid)
        return entry

    for rid, rs in library.rulesets.items():
        nodes = [rs.scope_node, *rs.policy_nodes, *(s.node for s in rs.stages)]
        for crit in rs.criteria:
            nodes += [crit.requires_node, crit.applies_node]
        for node in nodes:
            for item in node.walk() if node is not None else ():
                _note(item, rid, get)
        for due in rs.due_by_key.values():
            deadline = due.deadline
            date = deadline.otherwise_date if deadline.field else deadline.date  # a list's: its date without the list
            if date:
                entry = get(date, rid)
                entry.as_of.update({-deadline.offset_days, -deadline.offset_days + deadline.lead_days})
        for crit in rs.criteria:
            if crit.model.amount_due is not None:
                get(crit.model.amount_due.per_fact, rid)
    _READS[id(library)] = (library, reads)
    return reads


def _note(item: cd.Node, rid: str, get) -> None:
    if isinstance(item, cd.FactTest):
        entry = get(item.name, rid)
        rhs = item.rhs
        if isinstance(rhs, cd.Literal):
            value = rhs.value
            entry.literals.update(value if isinstance(value, (list, tuple, set, frozenset)) else [value])
        elif isinstance(rhs, cd.FactValue):
            entry.partners.setdefault(rhs.name, set()).add(rhs.plus_days)
            get(rhs.name, rid).partners.setdefault(item.name, set()).add(-rhs.plus_days)
        elif isinstance(rhs, cd.AsOfValue):
            entry.as_of.add(rhs.plus_days)
    elif isinstance(item, cd.RatioTest):
        get(item.numerator, rid).ratios.append((item.denominator, item.target, True))
        get(item.denominator, rid).ratios.append((item.numerator, item.target, False))
    elif isinstance(item, cd.EvidenceTest) and item.count_fact is not None:
        get(item.count_fact, rid).counts.add(item.kind)
    elif isinstance(item, cd.FieldTest) and isinstance(item.rhs, cd.FactValue):
        get(item.rhs.name, rid).members.add("*")
    elif isinstance(item, cd.Count) and item.target_fact is not None:
        get(item.target_fact, rid).members.add(item.collection)


def candidates(name: str, fact: FactDef, reads: _Reads, dossier: Dossier, as_of: dt.date,
               facts: dict[str, Any] | None = None) -> list[Any]:
    """The values of `name` worth trying: one per case the library's tests can tell apart."""
    facts = dossier.facts if facts is None else facts
    kind = fact.type
    if kind == "boolean":
        return [True, False]
    if kind == "enum":
        return list(fact.values or [])
    if kind == "set":
        every = frozenset(fact.values or [])
        named = frozenset(v for v in reads.literals if v in every)
        out = [frozenset(), named, every, *(frozenset([v]) for v in sorted(named)),
               *(every - {v} for v in sorted(named))]
        return list(dict.fromkeys(out))
    if kind == "string":
        return [*sorted(str(v) for v in reads.literals), "autre"]
    if kind == "date":
        anchors = {as_of + dt.timedelta(days=d) for d in reads.as_of} | {as_of}
        anchors |= {v for v in reads.literals if isinstance(v, dt.date)}
        for other, shifts in reads.partners.items():
            if isinstance(facts.get(other), dt.date):
                anchors |= {facts[other] + dt.timedelta(days=s) for s in shifts}
        anchors |= _member_dates(dossier) if reads.members else set()
        return sorted({d + k * DAY for d in anchors for k in (-1, 0, 1)})
    if kind in ("integer", "number"):
        anchors: set[float] = {0.0}
        anchors |= {float(v) for v in reads.literals if isinstance(v, (int, float)) and not isinstance(v, bool)}
        for other in reads.partners:
            if isinstance(facts.get(other), (int, float)):
                anchors.add(float(facts[other]))
        for other, target, numerator in reads.ratios:
            known = facts.get(other)
            if isinstance(known, (int, float)):
                anchors.add(target * known if numerator else (known / target if target else 0.0))
        for evidence_kind in reads.counts:
            anchors.add(float(sum(1 for item in dossier.file.evidence if item.kind == evidence_kind)))
        for roster in reads.members:
            value = facts.get(roster)
            if isinstance(value, Roster):
                anchors.add(float(len(value.members)))
        return _numbers(anchors, fact)
    return []


def _numbers(anchors: set[float], fact: FactDef) -> list[Any]:
    out: set[float] = set()
    for a in anchors:
        if fact.type == "integer":
            out |= {float(int(a)) - 1, float(int(a)), float(int(a)) + 1, float(int(a)) + 2}
        else:
            step = max(abs(a) * 1e-6, 1e-6)
            out |= {a - step, a, a + step}
    lo = fact.min if fact.min is not None else float("-inf")
    hi = fact.max if fact.max is not None else float("inf")
    kept = sorted(v for v in out if lo <= v <= hi)
    return [int(v) for v in kept] if fact.type == "integer" else kept


def _member_dates(dossier: Dossier) -> set[dt.date]:
    out: set[dt.date] = set()
    for value in dossier.facts.values():
        if isinstance(value, Roster):
            for member in value.members:
                out |= {v for v in member.fields.values() if isinstance(v, dt.date)}
    return out


# -- the questions ------------------------------------------------------------------------------

class _Probe:
    """Evaluations of one dossier with facts changed, compared with the dossier as it is."""

    def __init__(self, library: Library, dossier: Dossier, options: Options) -> None:
        self.library, self.dossier, self.options = library, dossier, options
        self.base = evaluate_with(library, dossier, options)
        self.base_decisions = decisions(self.base)
        self.evaluated = set(self.base.rulesets)
        self.points = {cid: c.model.points or 0.0 for cid, c in library.criteria.items()}
        self._affected: dict[frozenset[str], tuple[str, ...]] = {}

    def affected(self, rulesets: frozenset[str]) -> tuple[str, ...]:
        """The evaluated rulesets reading these, or depending on one that does."""
        found = self._affected.get(rulesets)
        if found is None:
            hit = set(rulesets) & self.evaluated
            for rid in self.base.rulesets:  # dependency order: a dependant comes after what it reads
                if self.library.rulesets[rid].depends_on & hit:
                    hit.add(rid)
            found = self._affected[rulesets] = tuple(r for r in self.base.rulesets if r in hit)
        return found

    def what_if(self, values: dict[str, Any], rulesets: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, str]]:
        """(decisions, statuses) of the evaluated `rulesets` with `values` set."""
        options = dataclasses.replace(self.options, rulesets=rulesets)
        evaluation = evaluate_with(self.library, with_facts(self.dossier, values), options)
        return decisions(evaluation, rulesets), evaluation.ctx.statuses

    def possible(self, values: dict[str, Any]) -> bool:
        """Whether the dossier with `values` set is one the catalogue accepts (facts that agree)."""
        return not disagreements({**self.dossier.facts, **values}, self.library.catalogue, str)

    def changes(self, values: dict[str, Any], rulesets: tuple[str, ...],
                than: tuple[dict[str, Any], dict[str, str]] | None = None) -> tuple[set[str], set[str]]:
        """(decisions, criteria) whose value differs from the dossier's (or from `than`) when
        `values` are set; nothing for values that make an impossible dossier (a wrap before the shoot)."""
        if not self.possible(values):
            return set(), set()
        after, statuses = self.what_if(values, rulesets)
        before, base = than if than is not None else (self.base_decisions, self.base.ctx.statuses)
        changed = {key for key, value in after.items() if before.get(key) != value}
        return changed, {cid for cid in statuses if cid in base and statuses[cid] != base[cid]}


def questions(library: Library, dossier: Dossier, options: Options | dt.date,
              skip: Iterable[str] = (), reask: bool = False) -> list[Question]:
    """Every unknown fact whose answer can change a decision, the most decisive first. `skip`:
    facts not to ask (answered « je ne sais pas » in this session); the facts of the dossier's
    `unanswered:` section (« je ne sais pas » in an earlier one) are skipped too unless `reask`."""
    if isinstance(options, dt.date):
        options = Options(options)
    probe = _Probe(library, dossier, options)
    reads = fact_reads(library)
    skipped = set(skip) | (set() if reask else set(dossier.file.unanswered))
    order = {name: i for i, name in enumerate(library.catalogue)}
    found: list[Question] = []
    for name, entry in reads.items():
        fact = library.catalogue.get(name)
        if fact is None or fact.type == "collection" or name in dossier.facts or name in skipped:
            continue
        rulesets = probe.affected(frozenset(entry.rulesets))
        if not rulesets:
            continue
        changed, criteria, partners, example = _try(probe, name, fact, entry, rulesets, reads)
        if changed:
            points = sum(probe.points.get(cid, 0.0) for cid in criteria)
            found.append(Question(name, fact, tuple(sorted(changed)), points, tuple(sorted(criteria)), partners,
                                  example))
    found.sort(key=lambda q: (-len(q.decisions), -q.points, order.get(q.fact, len(order)), q.fact))
    return found


def _try(probe: _Probe, name: str, fact: FactDef, entry: _Reads, rulesets: tuple[str, ...],
         reads: dict[str, _Reads]) -> tuple[set[str], set[str], tuple[str, ...], dict[str, Any] | None]:
    dossier, as_of = probe.dossier, probe.options.as_of
    changed: set[str] = set()
    criteria: set[str] = set()
    example: dict[str, Any] | None = None
    for value in candidates(name, fact, entry, dossier, as_of):
        found, crits = probe.changes({name: value}, rulesets)
        if found and example is None:
            example = {name: value}
        changed |= found
        criteria |= crits
    if changed:
        return changed, criteria, (), example
    # Alone it changes nothing: try it with each unknown fact it is compared with.
    unknown = {other for other in (*entry.partners, *(r[0] for r in entry.ratios))
               if other not in dossier.facts and other in probe.library.catalogue}
    partners: list[str] = []
    for other in sorted(unknown):
        other_fact = probe.library.catalogue[other]
        both = probe.affected(frozenset(entry.rulesets | reads.get(other, _Reads()).rulesets))
        hit = False
        for other_value in candidates(other, other_fact, reads.get(other, _Reads()), dossier, as_of):
            if not probe.possible({other: other_value}):
                continue
            partner_only = probe.what_if({other: other_value}, both)
            assumed = {**dossier.facts, other: other_value}
            for value in candidates(name, fact, entry, dossier, as_of, assumed):
                found, crits = probe.changes({other: other_value, name: value}, both, partner_only)
                if found:
                    example = example or {other: other_value, name: value}
                    changed |= found
                    criteria |= crits
                    hit = True
            if hit:
                break
        if hit:
            partners.append(other)
    return changed, criteria, tuple(partners), example


def applicable_facts(library: Library, dossier: Dossier, options: Options | dt.date) -> list[str]:
    """The facts that matter to this production as far as the dossier tells (what `raccord init`
    writes): those read by a ruleset that applies to it, by one of its stages or policy conditions,
    or by a criterion that is not `not_applicable`, and the date facts their deadlines count from.
    In the catalogue's order."""
    if isinstance(options, dt.date):
        options = Options(options)
    evaluation = evaluate_with(library, dossier, options)
    statuses = evaluation.ctx.statuses
    wanted: set[str] = set()
    for rid in evaluation.rulesets:
        rs = library.rulesets[rid]
        if rs.scope_node is not None:
            wanted |= cd.references(rs.scope_node)[0]  # what decides whether it applies is always asked
        live = {c.id for c in rs.criteria if statuses.get(c.id) != "not_applicable"}
        if not live:  # the referential does not cover this production
            continue
        for node in (*rs.policy_nodes, *(s.node for s in rs.stages)):
            if node is not None:
                wanted |= cd.references(node)[0]
        for crit in rs.criteria:
            if crit.id in live:
                for node in (crit.applies_node, crit.requires_node):
                    if node is not None:
                        wanted |= cd.references(node)[0]
                if crit.model.amount_due is not None:
                    wanted.add(crit.model.amount_due.per_fact)
        for due in rs.due_by_key.values():
            if due.criterion.id in live and due.deadline.date:
                wanted.add(due.deadline.date)
                if due.deadline.otherwise_date:
                    wanted.add(due.deadline.otherwise_date)
    return [name for name in library.catalogue if name in wanted or name in dossier.facts]

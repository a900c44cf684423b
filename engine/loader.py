"""Load the fact catalogue and rulesets, run the static checks, compile the conditions."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import stat
import sys
from pathlib import Path

from . import cache, conditions
from .compiled import CompiledCriterion, CompiledRuleset, CompiledStage, Library
from .errors import InputError
from .model import FactCatalogueFile, FactDef, Ruleset, validate_model
from .policies import BUILT_IN, POLICIES, policy_class
from .source_files import MAX_FILE_BYTES, NOT_REGULAR, NOT_REGULAR_HINT, Located, load_document, note_input, read_bytes
from .suggest import did_you_mean


def bundled_rulesets_dir() -> Path:
    """The `rulesets/` folder shipped with raccord."""
    # Located without importing the data package, so no __pycache__ folder appears among the
    # rulesets (every folder there is a referential with its README of sources).
    spec = importlib.util.find_spec("raccord.rulesets")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("raccord", "the bundled rulesets are missing from this installation", "reinstall raccord")
    return Path(next(iter(spec.submodule_search_locations)))


def load_library(rulesets_dir: Path | None = None, extra_files: list[Path] | None = None) -> Library:
    """Load `facts.yaml` and every `*/ruleset.yaml` below `rulesets_dir`; `extra_files` replace
    bundled rulesets of the same id (e.g. an imported official grid). A library built from the
    same files by the same engine comes from the cache (cache.py) when there is one."""
    base = rulesets_dir or bundled_rulesets_dir()
    files = [base / "facts.yaml", *sorted(base.glob("*/ruleset.yaml")), *(extra_files or [])]
    key = _files_fingerprint(files)
    if key is not None:
        cached = cache.load("library", key)
        if isinstance(cached, Library):
            return cached
    library = _load_library(base, files[1:len(files) - len(extra_files or [])], extra_files or [])
    if key is not None and cache.directory() is not None:
        for rs in library.rulesets.values():
            rs.runner  # noqa: B018 - generate the code now: it is what a cold start would otherwise pay for
        cache.store("library", key, library)
    return library


def _files_fingerprint(files: list[Path]) -> str | None:
    """Names and contents of the files a library is built from; None when one cannot be read
    (loading then reports the problem with its location)."""
    parts: list[bytes | str] = []
    try:
        for kind in sorted(set(POLICIES) - BUILT_IN):  # a policy registered from outside the engine
            module = sys.modules.get(POLICIES[kind].__module__)
            source = getattr(module, "__file__", None)
            parts += [kind, Path(source).read_bytes() if source else b""]
        for path in files:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):  # a pipe waits, a device never ends
                raise InputError(str(path), NOT_REGULAR, NOT_REGULAR_HINT)
            if info.st_size > MAX_FILE_BYTES or stat.S_ISDIR(info.st_mode):
                return None
            parts += [str(path), _digest(path, info)]
    except OSError:
        return None
    cache.save_digests()
    return cache.fingerprint(*parts)


def _digest(path: Path, info: os.stat_result) -> str:
    """The file's sha256, from the cache's digests when it is unchanged since an earlier run; the file
    is recorded as an input either way, as a cold load would."""
    found = cache.known_digest(str(path), info) if os.access(path, os.R_OK) else None
    if found is None:
        import hashlib  # OpenSSL, loaded only when a file has to be read (engine/sha.py)

        found = hashlib.sha256(read_bytes(path, MAX_FILE_BYTES)).hexdigest()
        cache.remember_digest(str(path), info, found)
    else:
        note_input(info)
    return found


def _load_library(base: Path, ruleset_files: list[Path], extra_files: list[Path]) -> Library:
    catalogue_doc = load_document(base / "facts.yaml")
    catalogue: dict[str, FactDef] = dict(validate_model(FactCatalogueFile, catalogue_doc).facts)
    documents: dict[str, tuple[Located, Ruleset, Path]] = {}
    for path in ruleset_files:
        located = load_document(path)
        model = validate_ruleset(located)
        if model.id != path.parent.name:
            raise InputError(located.where(("id",)), f"ruleset id '{model.id}' differs from its folder '{path.parent.name}'")
        documents[model.id] = (located, model, path)
    for path in extra_files:
        located = load_document(path)
        model = validate_ruleset(located)
        documents[model.id] = (located, model, path)
    return build_library(catalogue, [(loc, model, path) for loc, model, path in documents.values()])


def load_ruleset_file(path: Path, rulesets_dir: Path | None = None) -> Library:
    """Validate one ruleset file together with the bundled ones (it replaces one of the same id)."""
    return load_library(rulesets_dir, [path])


def validate_ruleset(located: Located) -> Ruleset:
    """A ruleset file as a model, its `policy:` validated by the policy its kind names."""
    if not isinstance(located.data, dict):
        raise InputError(located.where(), "a ruleset file is a mapping with id, title, policy, criteria...")
    model = validate_model(Ruleset, located)
    raw = model.policy
    kind = raw.get("kind") if isinstance(raw, dict) else None
    cls = policy_class(kind)
    if cls is None:
        where = ("policy", "kind") if isinstance(raw, dict) and "kind" in raw else ("policy",)
        raise InputError(located.where(where), f"unknown policy kind {kind!r}" if kind is not None
                         else "policy: a mapping with a `kind` is required", "kinds: " + ", ".join(sorted(POLICIES)))
    return dataclasses.replace(model, policy=validate_model(cls.Params, located, ("policy",)))


def build_library(catalogue: dict[str, FactDef], documents: list[tuple[Located, Ruleset, Path | None]]) -> Library:
    catalogue = dict(catalogue)
    owner: dict[str, str] = {}
    for located, model, _ in documents:
        for name in model.facts:
            if name in catalogue:
                raise InputError(located.where(("facts", name)), f"fact '{name}' is already declared",
                                 f"declared {'in facts.yaml' if name not in owner else 'by ' + owner[name]}")
            catalogue[name] = model.facts[name]
            owner[name] = model.id
    criteria_index: dict[str, str] = {}
    for located, model, _ in documents:
        for i, crit in enumerate(model.criteria):
            if crit.id in criteria_index:
                raise InputError(located.where(("criteria", i, "id")), f"criterion id '{crit.id}' is used twice",
                                 f"already in {criteria_index[crit.id]}")
            criteria_index[crit.id] = model.id
    policies = {model.id: POLICIES[model.policy.kind](model) for _, model, _ in documents}
    outcome_fields = {rid: policy.outcome_fields() for rid, policy in policies.items()}
    compiled: dict[str, CompiledRuleset] = {}
    for located, model, path in documents:
        compiled[model.id] = _compile_ruleset(located, model, path, policies[model.id], catalogue, criteria_index,
                                              outcome_fields)
    order = _order_rulesets(compiled)
    rulesets = {rid: compiled[rid] for rid in order}
    all_criteria = {c.id: c for rs in rulesets.values() for c in rs.criteria}
    return Library(catalogue, rulesets, all_criteria)


def _compile_ruleset(located: Located, model: Ruleset, path: Path | None, policy, catalogue, criteria_index,
                     outcome_fields) -> CompiledRuleset:
    def fail(where: tuple, message: str, hint: str = "") -> InputError:
        return InputError(located.where(where), message, hint)

    _static_checks(model, policy, fail)
    _check_deadlines(model, catalogue, fail)
    policy.check(fail)
    env = conditions.Env(catalogue, criteria_index, outcome_fields, located.where)
    depends: set[str] = set()

    def parse(raw, where: tuple, criterion: str | None = None):
        env.current_criterion = criterion
        node = conditions.parse(raw, env, where)
        _, crits, rulesets = conditions.references(node)
        if model.id in rulesets:
            raise fail(where, "a ruleset cannot reference its own outcome", "reference its criteria instead")
        depends.update(rulesets)
        depends.update(criteria_index[c] for c in crits if criteria_index[c] != model.id)
        return node

    compiled_criteria: dict[str, CompiledCriterion] = {}
    local_deps: dict[str, set[str]] = {}
    for i, crit in enumerate(model.criteria):
        requires = parse(crit.requires, ("criteria", i, "requires"), crit.id)
        applies = parse(crit.applies_if, ("criteria", i, "applies_if"), crit.id) if crit.applies_if else None
        declared = {e.kind for e in crit.evidence}
        for node in (requires, applies):
            for kind in conditions.evidence_kinds(node) if node else []:
                if kind not in declared:
                    raise fail(("criteria", i, "evidence"), f"criterion {crit.id} tests evidence '{kind}' "
                               "without describing it under `evidence`", "auditors need the description")
        due = crit.amount_due
        if due and (due.per_fact not in catalogue or catalogue[due.per_fact].type not in ("integer", "number")):
            raise fail(("criteria", i, "amount_due", "per_fact"), f"amount_due needs a numeric fact, not '{due.per_fact}'")
        refs = set()
        for node in (requires, applies):
            if node:
                refs |= {c for c in conditions.references(node)[1] if criteria_index[c] == model.id}
        if crit.id in refs:
            raise fail(("criteria", i), f"criterion {crit.id} refers to itself")
        local_deps[crit.id] = refs
        compiled_criteria[crit.id] = CompiledCriterion(crit.id, model.id, crit, requires, applies)
    order = _topological([c.id for c in model.criteria], local_deps,
                         lambda cid: fail(("criteria", [c.id for c in model.criteria].index(cid)),
                                          f"criteria refer to each other in a cycle through {cid}"))
    result = CompiledRuleset(model.id, model, located, path, policy, [compiled_criteria[c] for c in order])
    scope = model.policy.applies_if
    if scope:
        result.scope_node = parse(scope, ("policy", "applies_if"))
    for where, raw in policy.conditions():
        result.policy_nodes.append(parse(raw, where) if raw else None)
    for i, stage in enumerate(model.stages):
        node = parse(stage.reached_if, ("stages", i, "reached_if")) if stage.reached_if else None
        result.stages.append(CompiledStage(stage, node))
    result.depends_on = depends
    return result


def _check_deadline(deadline, where: tuple, crit, catalogue: dict[str, FactDef], stages: dict, fail) -> None:
    """A deadline counts from a date fact of the catalogue, or ends with a stage whose `due` is dated."""
    if deadline is None:
        return
    if deadline.every_months is not None:
        if deadline.evidence not in {e.kind for e in crit.evidence}:
            raise fail((*where, "evidence"), f"criterion {crit.id} does not describe evidence "
                       f"'{deadline.evidence}' under `evidence`", "a periodic deadline counts from that evidence's date")
        return
    if deadline.stage is not None:
        stage = stages.get(deadline.stage)
        if stage is None:
            known = "stages: " + ", ".join(stages) if stages else "declare `stages`"
            raise fail((*where, "stage"), f"unknown stage '{deadline.stage}'", did_you_mean(deadline.stage, list(stages), known))
        if stage.due is None:
            raise fail((*where, "stage"), f"stage '{deadline.stage}' has no due date",
                       f"give stage {deadline.stage} a `due:` counted from a date fact")
        return
    fact = catalogue.get(deadline.date)
    if fact is None:
        raise fail((*where, "date"), f"unknown fact '{deadline.date}'",
                   did_you_mean(deadline.date, [n for n, f in catalogue.items() if f.type in ("date", "collection")],
                                "a deadline counts from a date fact, e.g. dates.first_shooting_day"))
    if deadline.field is not None or fact.type == "collection":
        _check_roster_deadline(deadline, where, fact, catalogue, fail)
    elif fact.type != "date":
        raise fail((*where, "date"), f"a deadline counts from a date fact; '{deadline.date}' is {fact.type}")


def _check_roster_deadline(deadline, where: tuple, fact: FactDef, catalogue: dict[str, FactDef], fail) -> None:
    """A deadline person by person: a collection fact, a date field of its members, and a date fact
    for a dossier without the list (`otherwise_date`) when given."""
    if fact.type != "collection":
        raise fail((*where, "field"), f"`field` counts from the members of a list of persons; '{deadline.date}' is {fact.type}",
                   "give a fact of type collection under `date` (e.g. roster.children)")
    fields = fact.fields or {}
    if deadline.field is None:
        raise fail((*where, "date"), f"'{deadline.date}' is a list of persons: name the date field of its members",
                   "add `field:` (" + ", ".join(n for n, f in fields.items() if f.type == "date") + ")")
    declared = fields.get(deadline.field)
    if declared is None:
        raise fail((*where, "field"), f"unknown field '{deadline.field}' of {deadline.date}",
                   did_you_mean(deadline.field, [n for n, f in fields.items() if f.type == "date"],
                                f"the date fields of {deadline.date}"))
    if declared.type != "date":
        raise fail((*where, "field"), f"a deadline counts from a date field; '{deadline.date}.{deadline.field}' "
                   f"is {declared.type}")
    other = deadline.otherwise_date
    if other is not None and other not in catalogue:
        raise fail((*where, "otherwise_date"), f"unknown fact '{other}'",
                   did_you_mean(other, [n for n, f in catalogue.items() if f.type == "date"],
                                "a deadline counts from a date fact, e.g. dates.first_shooting_day"))
    if other is not None and catalogue[other].type != "date":
        raise fail((*where, "otherwise_date"), f"`otherwise_date` is a date fact; '{other}' is {catalogue[other].type}",
                   "a deadline counts from a date fact, e.g. dates.first_shooting_day")


def _check_deadlines(model: Ruleset, catalogue: dict[str, FactDef], fail) -> None:
    """Every deadline of the ruleset: its stages' (a date, never another stage), its criteria's and
    their evidence pieces'."""
    stages = {s.id: s for s in model.stages}
    for i, stage in enumerate(model.stages):
        if stage.due is not None and (stage.due.date is None or stage.due.field is not None):
            raise fail(("stages", i, "due"), f"the due date of stage {stage.id} counts from a date fact",
                       "give `date:` (e.g. dates.first_shooting_day) and `offset_days`")
        _check_deadline(stage.due, ("stages", i, "due"), None, catalogue, stages, fail)
    for i, crit in enumerate(model.criteria):
        _check_deadline(crit.due, ("criteria", i, "due"), crit, catalogue, stages, fail)
        for j, spec in enumerate(crit.evidence):
            if spec.due is not None and spec.due.every_months is not None:
                raise fail(("criteria", i, "evidence", j, "due"), "an evidence piece's deadline counts from a date "
                           "fact or a stage", "a periodic deadline belongs to its criterion")
            _check_deadline(spec.due, ("criteria", i, "evidence", j, "due"), crit, catalogue, stages, fail)


def _static_checks(model: Ruleset, policy, fail) -> None:
    groups = [g.id for g in model.groups]
    stages = [s.id for s in model.stages]
    documents = [d.id for d in model.sources]
    for name, ids in (("group", groups), ("stage", stages), ("source", documents)):
        if len(set(ids)) != len(ids):
            raise fail((name + "s",), f"two {name}s share an id")
    refs = [(("criteria", i, "source", "document"), c.source.document) for i, c in enumerate(model.criteria)]
    refs += policy.source_refs()
    refs += [(("criteria", i, "due", "source", "document"), c.due.source.document) for i, c in enumerate(model.criteria)
             if c.due is not None]
    refs += [(("criteria", i, "evidence", j, "due", "source", "document"), e.due.source.document)
             for i, c in enumerate(model.criteria) for j, e in enumerate(c.evidence) if e.due is not None]
    refs += [(("stages", i, "due", "source", "document"), s.due.source.document) for i, s in enumerate(model.stages)
             if s.due is not None]
    for where, doc in refs:
        if doc not in documents:
            raise fail(where, f"unknown source document '{doc}'", "declare it under `sources`")
    for i, crit in enumerate(model.criteria):
        if crit.group not in groups:
            raise fail(("criteria", i, "group"), f"unknown group '{crit.group}'", "groups: " + ", ".join(groups))
        if crit.stage is not None and crit.stage not in stages:
            hint = ("stages: " + ", ".join(stages)) if stages else "declare `stages`"
            raise fail(("criteria", i, "stage"), f"unknown stage '{crit.stage}'", hint)
        for j, spec in enumerate(crit.evidence):
            if spec.stage is not None and spec.stage not in stages:
                hint = ("stages: " + ", ".join(stages)) if stages else "declare `stages`"
                raise fail(("criteria", i, "evidence", j, "stage"), f"unknown stage '{spec.stage}'", hint)
        kinds = [e.kind for e in crit.evidence]
        if len(set(kinds)) != len(kinds):
            raise fail(("criteria", i, "evidence"), f"criterion {crit.id} lists an evidence kind twice")
    totals = model.totals
    if totals:
        if totals.criteria is not None and totals.criteria != len(model.criteria):
            raise fail(("totals", "criteria"), f"totals say {totals.criteria} criteria, the file has {len(model.criteria)}")
        if totals.groups is not None and totals.groups != len(model.groups):
            raise fail(("totals", "groups"), f"totals say {totals.groups} groups, the file has {len(model.groups)}")
        if totals.points is not None:
            points = sum(c.points or 0 for c in model.criteria)
            if abs(points - totals.points) > 1e-9:
                raise fail(("totals", "points"), f"totals say {totals.points:g} points, the criteria sum to {points:g}")


def _topological(items: list[str], deps: dict[str, set[str]], on_cycle) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(item: str) -> None:
        if state.get(item) == 2:
            return
        if state.get(item) == 1:
            raise on_cycle(item)
        state[item] = 1
        for dep in sorted(deps.get(item, ())):
            visit(dep)
        state[item] = 2
        order.append(item)

    for item in items:
        visit(item)
    return order


def _order_rulesets(compiled: dict[str, CompiledRuleset]) -> list[str]:
    def on_cycle(rid: str) -> InputError:
        return InputError(compiled[rid].located.where(), f"rulesets depend on each other in a cycle through {rid}")

    return _topological(sorted(compiled), {rid: rs.depends_on for rid, rs in compiled.items()}, on_cycle)

"""The engine's one API for every front end (the `raccord` CLI, the team workspace, a library user).

    engine = Engine.load()                        # the bundled rulesets (or a folder, extra files)
    dossier = engine.dossier("dossier.yaml")      # or engine.dossier_from_text(text, "dossier.yaml")
    evaluation = engine.evaluate(dossier, Options(as_of=date(2025, 10, 15)))
    engine.result(evaluation)                     # raccord.result/1: decisions, scores, criteria, missing
    engine.explain(evaluation, "AFN-INC-03")      # one criterion with its condition trace
    engine.missing(evaluation)                    # what remains, blocking items first
    engine.plan(evaluation, "afnor_spec_2308:2")  # raccord.plan/1, verified by re-evaluation
    engine.eligibility(engine.evaluate(dossier, Options(date(2025, 10, 15), engine.claim_rulesets)))
    engine.calendar(evaluation)                   # raccord.calendar/1: deadlines, milestones, expiries by date
    engine.questions(dossier, date(2026, 2, 10))  # unknown facts that can change a decision, most decisive first
    dossier = engine.reviewed(dossier)            # with the auditor's file beside it (engine/review.py)
    engine.validated(evaluation)                  # the same counting only the evidence the auditor accepted
    engine.fact_value("work.budget", "3 200 000") # a typed value from an answer as a user writes it

Every method computes; none reads the clock, prints or writes. The documents are typed
(engine/documents.py) and JSON-ready. docs/api.md is the reference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import attribution, claims, plan, questions, report, review
from .calendar import calendar_document
from .compiled import Library
from .documents import CalendarDocument, EligibilityDocument, ExplainDocument, MissingItem, PlanDocument, ResultDocument
from .dossier import Dossier, build_dossier, load_dossier
from .errors import Bilingual, InputError
from .evaluate import Evaluation, Options, evaluate_with
from .fact_values import coerce_fact
from .loader import load_library
from .policies import Target
from .questions import Question
from .roster import coerce_roster
from .source_files import Located, parse_json, parse_yaml


def _version() -> str:
    from raccord import __version__

    return __version__


class Engine:
    """A loaded library of rulesets and the operations on a dossier evaluated against it."""

    def __init__(self, library: Library) -> None:
        self.library = library

    @classmethod
    def load(cls, rulesets_dir: Path | None = None, ruleset_files: list[Path] | None = None) -> Engine:
        """The bundled rulesets, or those of `rulesets_dir`; `ruleset_files` replace rulesets of the
        same id (an imported official grid)."""
        return cls(load_library(rulesets_dir, ruleset_files))

    # -- dossiers ------------------------------------------------------------------------------
    def dossier(self, path: Path | str) -> Dossier:
        """A dossier file (YAML or JSON), its facts typed against the catalogue (InputError located)."""
        return load_dossier(Path(path), self.library.catalogue)

    def dossier_from_text(self, text: str, name: str = "dossier.yaml", folder: Path | None = None) -> Dossier:
        """A dossier held elsewhere than in a file (a database): `name` locates errors and says
        YAML or JSON; evidence paths are relative to `folder`."""
        located = parse_json(text, name) if name.endswith(".json") else parse_yaml(text, name)
        return build_dossier(located, self.library.catalogue, (folder / name) if folder else None)

    # -- evaluation ----------------------------------------------------------------------------
    @property
    def claim_rulesets(self) -> tuple[str, ...]:
        """The rulesets whose policy decides aid (what `eligibility` reports on)."""
        return claims.claim_rulesets(self.library)

    def evaluate(self, dossier: Dossier, options: Options | dt.date) -> Evaluation:
        """Statuses and outcomes at a date (`Options` for rulesets, portfolio, evidence problems,
        what-if assumptions)."""
        if isinstance(options, dt.date):
            options = Options(options)
        return evaluate_with(self.library, dossier, options)

    def result(self, evaluation: Evaluation, complete: bool = True, validated: bool = True) -> ResultDocument:
        """The `raccord.result/1` document (`complete=False`: met criteria unexplained, for text reports),
        with the validated figures beside the declared ones (`validated=False` leaves them out)."""
        doc = report.result_document(evaluation, _version(), complete)
        return review.add_validated(doc, evaluation, review.validated(evaluation)) if validated else doc

    # -- the auditor ---------------------------------------------------------------------------
    def reviewed(self, dossier: Dossier, audit: review.AuditFile | bool | None = True) -> Dossier:
        """The dossier with the auditor's decisions applied: `audit` as given (a workspace builds it
        from its database), or by default the file beside the dossier (`<stem>.audit.yaml`, checked
        against the dossier; none there: the dossier as it is)."""
        if audit is True:
            audit = review.load_audit(review.audit_path(dossier.path)) if dossier.path else None
        if not audit:
            return dossier
        review.check_audit(audit, dossier, self.library.criteria)
        return review.with_reviews(dossier, audit)

    def validated(self, evaluation: Evaluation) -> Evaluation:
        """The evaluation counting only the evidence the auditor accepted (pending items do not count):
        the figure an attestation rests on. The evaluation itself when nothing is pending."""
        return review.validated(evaluation)

    def summary(self, evaluation: Evaluation, reasons: bool = True) -> list[dict]:
        """Each evaluated ruleset's entry without its groups and criteria (decision, outcome, counts,
        the policy's fields): what a dashboard line needs, without explaining any criterion.
        `reasons=False`: the outcomes' reasons without those that say why a decision is undetermined
        (`missing_fact:NAME`, `evidence_expired`, `evidence_late`), which cost the findings of every
        unknown criterion: the decisions, scores and figures alone, for a page that shows no reason."""
        return [report.ruleset_summary(evaluation, rid, reasons) for rid in evaluation.selected]

    def explain(self, evaluation: Evaluation, criterion: str) -> ExplainDocument:
        if criterion not in self.library.criteria:
            raise InputError(criterion, "unknown criterion", "`raccord rulesets show ID` lists criteria")
        return report.explain_document(evaluation, criterion)

    def missing(self, evaluation: Evaluation, include_settled: bool = False) -> list[MissingItem]:
        """What remains, blocking items first, then by points per day of effort; what can no longer
        change an outcome is left out unless `include_settled`."""
        return report.missing_items(evaluation, include_settled=include_settled)

    # -- plans and aid -------------------------------------------------------------------------
    def target(self, text: str) -> Target:
        """`RID`, `RID:LEVEL`, `RID:SCHEME` or `aid:SCHEME` (InputError located on --target)."""
        return plan.parse_target(self.library, text)

    def plan(self, evaluation: Evaluation, target: Target | str) -> PlanDocument:
        """The least-effort set of remaining criteria reaching `target`, verified by re-evaluation."""
        return plan.plan_document(evaluation, self.target(target) if isinstance(target, str) else target)

    def eligibility(self, evaluation: Evaluation) -> EligibilityDocument:
        """Every aid scheme: decision, amount, blockers with their source, what would settle it."""
        return claims.eligibility_document(evaluation, _version())

    def calendar(self, evaluation: Evaluation) -> CalendarDocument:
        """Every dated obligation of the evaluated rulesets, the dossier's date facts and its expiring
        evidence, in date order; deadlines whose date fact is missing apart (`undated`)."""
        return calendar_document(evaluation, _version())

    # -- questions (raccord interview, the workspace's questionnaire) -----------------------------
    def questions(self, dossier: Dossier, options: Options | dt.date, skip: Iterable[str] = (),
                  reask: bool = False) -> list[Question]:
        """Every unknown fact whose answer can change a decision (a ruleset's, an aid scheme's, a
        level), found by re-evaluation: the most decisions first, then the most points. `skip`:
        facts not to ask again (answered « je ne sais pas »); the dossier's `unanswered:` facts are
        skipped too unless `reask`. Empty: nothing left to ask."""
        return questions.questions(self.library, dossier, options, skip, reask)

    def next_question(self, dossier: Dossier, options: Options | dt.date, skip: Iterable[str] = (),
                      reask: bool = False) -> Question | None:
        found = self.questions(dossier, options, skip, reask)
        return found[0] if found else None

    def fact_value(self, name: str, answer: Any, where: str = "") -> Any:
        """A fact's typed value from an answer as a user writes it (« oui », « 02/03/2026 »,
        « 3 200 000 », « Île-de-France »: engine/fact_values.py), the same forms a dossier file
        accepts, a roster (`collection`: {complete, members}) included; None for None. InputError
        (French and English, the expected form as hint) otherwise."""
        fact = self.library.catalogue.get(name)
        if fact is None:
            raise InputError(where or name, Bilingual(f"fait inconnu « {name} »", f"unknown fact '{name}'"),
                             Bilingual("`raccord schema` liste tous les faits", "`raccord schema` lists every fact"))
        if fact.type == "collection":  # a roster: {complete, members: [{ref, fields...}]}, checked as in a dossier
            return None if answer is None else coerce_roster(name, answer, fact, Located(answer, where or name), ())
        return coerce_fact(name, answer, fact, where or name)

    def applicable_facts(self, dossier: Dossier, options: Options | dt.date) -> list[str]:
        """The facts that matter to this production as far as the dossier tells: read by a
        referential that covers it or a criterion that applies (`raccord init`), catalogue order."""
        return questions.applicable_facts(self.library, dossier, options)

    def with_facts(self, dossier: Dossier, values: dict[str, Any]) -> Dossier:
        """The dossier with facts set (typed values, see `fact_value`) or removed (None): a what-if."""
        return questions.with_facts(dossier, values)

    def verify_attribution(self, dossier: Dossier, as_of: dt.date, problems: dict[str, str], expired: set[str],
                           rulesets: list[str] | None = None) -> attribution.Attribution:
        """Which criteria each evidence problem changes (`problems`: item id -> file state, found by
        the caller's file checks; `expired`: items past their expiry date)."""
        return attribution.attribute_problems(self.library, dossier, as_of, problems, expired, rulesets)


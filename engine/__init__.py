"""raccord's evaluator. It knows no referential by name: rulesets are data (docs/ruleset-format.md)."""

from .compiled import Library
from .dossier import Dossier, build_dossier, load_dossier
from .errors import Bilingual, EvaluationError, InputError
from .evaluate import Evaluation, Options, evaluate, evaluate_with
from .loader import bundled_rulesets_dir, load_library

__all__ = [
    "Bilingual",
    "Dossier",
    "Engine",
    "Evaluation",
    "EvaluationError",
    "InputError",
    "Library",
    "Options",
    "build_dossier",
    "bundled_rulesets_dir",
    "evaluate",
    "evaluate_with",
    "load_dossier",
    "load_library",
]


def __getattr__(name: str):
    # The Engine object imports every analysis module: loaded on first use, so that a cold
    # `raccord check` imports only what it runs.
    if name == "Engine":
        from .api import Engine

        return Engine
    raise AttributeError(name)

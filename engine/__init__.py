"""raccord's evaluator. It knows no referential by name: rulesets are data (docs/ruleset-format.md)."""

from .compiled import Library
from .dossier import Dossier, build_dossier, load_dossier
from .errors import EvaluationError, InputError
from .evaluate import Evaluation, evaluate
from .loader import bundled_rulesets_dir, load_library

__all__ = [
    "Dossier",
    "Evaluation",
    "EvaluationError",
    "InputError",
    "Library",
    "build_dossier",
    "bundled_rulesets_dir",
    "evaluate",
    "load_dossier",
    "load_library",
]

"""The hint of an error naming something unknown: the closest known name, or a way to list them."""

from __future__ import annotations

from collections.abc import Iterable


def did_you_mean(word: str, known: Iterable[str], otherwise: str = "", cutoff: float = 0.6) -> str:
    """« did you mean 'X'? » for the closest known name (difflib's ratio ≥ `cutoff`), else `otherwise`."""
    import difflib  # only on an error path: not worth its import on every run

    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else otherwise


def suggested(word: str, known: Iterable[str], otherwise):
    """`did_you_mean` in both languages (« vouliez-vous dire « X » ? »), else `otherwise` (a Bilingual)."""
    from .errors import Bilingual

    close = did_you_mean(word, known)
    if not close:
        return otherwise
    name = close.removeprefix("did you mean '").removesuffix("'?")
    return Bilingual(f"vouliez-vous dire « {name} » ?", close)

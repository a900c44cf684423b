"""What the printed report (and its PDF) needs beyond the screen: each cited text numbered once for
the appendix, so that table cells carry a short reference « [3] art. 32.2 » instead of the full title
and edition on every row, and the dossier's fingerprint for the first page and every footer."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .citations import citation_parts
from .i18n import text


def source_key(parts: dict[str, str]) -> str:
    return parts["name"] + "\x00" + parts["where"] + "\x00" + parts["url"]


def numbered_sources(doc: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The texts cited by the criteria, schemes and missing items, once each, in order of first
    appearance: [{number, name, where, url}]."""
    seen: dict[str, dict[str, str]] = {}
    sources = [c["source"] for rs in doc["rulesets"] for c in rs["criteria"]]
    sources += [s["source"] for rs in doc["rulesets"] for s in rs.get("schemes", []) if s.get("source")]
    sources += [m["source"] for m in doc.get("missing", []) if m.get("source")]
    for source in sources:
        parts = citation_parts(source, lang)
        if parts["name"]:
            seen.setdefault(source_key(parts), {**parts, "number": str(len(seen) + 1)})
    return list(seen.values())


def source_number(numbers: dict[str, str], parts: dict[str, str]) -> str:
    return numbers.get(source_key(parts), "")


def shared_assumptions(doc: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Assumptions written on two criteria or more, numbered once for the appendix (an assumption of
    one criterion stays in its row): [{number, text, criteria}]."""
    by_text: dict[str, list[str]] = {}
    for rs in doc["rulesets"]:
        for crit in rs["criteria"]:
            if crit.get("assumption"):
                by_text.setdefault(text(crit["assumption"], lang), []).append(crit["id"])
    shared = [(said, ids) for said, ids in by_text.items() if len(ids) > 1]
    return [{"number": str(i), "text": said, "criteria": ids} for i, (said, ids) in enumerate(shared, 1)]


def short_words(label: str) -> str:
    """A label without its parenthesis (« reconstitué (à vérifier sur le texte officiel) » → « reconstitué »)."""
    return label.split(" (", 1)[0]


def css_string(value: str) -> Markup:
    """A CSS string literal's content (the template autoescapes HTML, which is wrong inside <style>)."""
    return Markup("".join(c if c.isalnum() or c in " .,:;-_/()'«»—" else f"\\{ord(c):x} " for c in value))


def print_context(doc: dict[str, Any], lang: str, dossier_sha256: str | None) -> dict[str, Any]:
    """The template values of the print layout."""
    sources = numbered_sources(doc, lang)
    numbers = {source_key(s): s["number"] for s in sources}
    assumptions = shared_assumptions(doc, lang)
    assumption_numbers = {a["text"]: a["number"] for a in assumptions}
    return {"sources": sources, "source_number": lambda parts: source_number(numbers, parts),
            "assumptions": assumptions, "assumption_number": lambda said: assumption_numbers.get(said, ""),
            "short": short_words, "css": css_string, "dossier_sha256": dossier_sha256}


def dossier_fingerprint(path: Path | None) -> str | None:
    """The sha256 of the dossier file evaluated (None when it was not read from a file)."""
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None

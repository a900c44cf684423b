"""Sources as a reader finds them: the public citation of a clause, and the notice, on the first
screen of every report, of which referentials are reconstructed and what that means.

The result document keeps the maintainers' provenance (seed file, lines, document id) beside each
`citation` (engine/model.py `SourceDocument.cite`); nothing here prints it: that is
`raccord explain --sources`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from .i18n import colon, text, words

WORDS = {
    "notice_title": {"fr": "À lire d'abord : critères reconstitués et sources à confirmer",
                     "en": "Read first: reconstructed criteria and sources to confirm"},
    "notice_meaning": {
        "fr": "Un critère reconstitué est formulé par raccord faute de texte officiel consulté : son statut est une "
              "indication à confirmer sur le texte officiel, qui seul fait foi (un auditeur ne s'appuiera pas sur cette "
              "grille). Les autres critères citent le texte officiel ou un résumé publié.",
        "en": "A reconstructed criterion is worded by raccord because no official text was consulted: its status is an "
              "indication to confirm against the official text, which alone counts (an auditor will not rely on this "
              "grid). The other criteria cite the official text or a published summary."},
    "reconstructed_count": {"fr": "{n} critères sur {total} reconstitués", "en": "{n} of {total} criteria reconstructed"},
    "reconstructed_one": {"fr": "1 critère sur {total} reconstitué", "en": "1 of {total} criteria reconstructed"},
    "read_on": {"fr": "à lire sur", "en": "read it on"},
    "texts_cited": {"fr": "Textes cités", "en": "Texts cited"},
}
w = words(WORDS)


def _citation(source: dict[str, Any]) -> dict[str, Any]:
    """The source's public citation; for a document written before citations, its title and section
    (never the document's id, which is ours)."""
    if "citation" in source:
        return source["citation"]
    name = source.get("title", "")
    return {"name": {"fr": name, "en": name}, "article": {"fr": source.get("section", ""), "en": source.get("section", "")}}


def citation_text(source: dict[str, Any], lang: str, with_url: bool = False) -> str:
    """« Convention collective … (IDCC 3097), Titre I art. 32.2 (…) — Légifrance »: name, article, where."""
    cit = _citation(source)
    out = ", ".join(p for p in (text(cit["name"], lang), text(cit.get("article"), lang)) if p)
    where = text(cit.get("where"), lang)
    if where:
        out += f" — {where}"
    if with_url and cit.get("url"):
        out += f" <{cit['url']}>"
    return out


def citation_parts(source: dict[str, Any], lang: str) -> dict[str, str]:
    """The citation's pieces for a template or a Markdown link: name, article, where, url ('' when absent)."""
    cit = _citation(source)
    return {"name": text(cit["name"], lang), "article": text(cit.get("article"), lang),
            "where": text(cit.get("where"), lang), "url": cit.get("url", "")}


def cited_texts(sources: list[dict[str, Any]], lang: str) -> list[tuple[str, str]]:
    """Each text cited once, in order of appearance: (name — where, url)."""
    seen: dict[str, str] = {}
    for source in sources:
        parts = citation_parts(source, lang)
        if parts["url"]:
            seen.setdefault(parts["name"] + (f" — {parts['where']}" if parts["where"] else ""), parts["url"])
    return list(seen.items())


def notice(rulesets: list[dict[str, Any]], lang: str) -> list[str]:
    """One line per referential with reconstructed criteria or a warning its sources carry, then the
    caveats; [] when every referential evaluated cites official or published texts."""
    lines: list[str] = []
    caveats: list[str] = []
    for rs in rulesets:
        if rs["outcome"].get("decision") == "not_applicable":
            continue
        criteria = rs["criteria"]
        reconstructed = Counter(c["provenance"] for c in criteria)["reconstructed"]
        notes: list[str] = []
        for crit in criteria:
            if crit.get("status") == "not_applicable":  # a caveat on a clause that does not apply is noise
                continue
            cit = _citation(crit["source"])
            for key, bucket in (("reconstruction", notes), ("caveat", caveats)):
                said = text(cit.get(key), lang)
                if said and said not in bucket:
                    bucket.append(said)
        if not reconstructed and not notes:
            continue
        count = (w("reconstructed_one", lang, total=len(criteria)) if reconstructed == 1
                 else w("reconstructed_count", lang, n=reconstructed, total=len(criteria)))
        line = text(rs["title"], lang) + colon(lang) + (count if reconstructed else "")
        if notes:
            line += (" — " if reconstructed else "") + " ; ".join(notes)
        lines.append(line)
    return lines + caveats


def notice_lines(rulesets: list[dict[str, Any]], lang: str) -> list[str]:
    """The notice as plain lines (text and Markdown reports): title, one item per referential, meaning."""
    items = notice(rulesets, lang)
    if not items:
        return []
    return [w("notice_title", lang)] + [f"- {item}" for item in items] + [w("notice_meaning", lang)]


def library_notice(library: Any, ruleset_ids: list[str], lang: str) -> list[str]:
    """The notice for outputs that carry no criterion sources (`raccord plan`): read from the rulesets."""
    from raccord.engine.model import to_data

    rulesets = []
    for rid in dict.fromkeys(ruleset_ids):
        model = library.rulesets[rid].model
        docs = {d.id: d for d in model.sources}
        criteria = [{"provenance": c.provenance, "source": {"citation": docs[c.source.document].cite(c.source.section)}}
                    for c in model.criteria]
        rulesets.append({"title": to_data(model.title), "outcome": {}, "criteria": criteria})
    lines = notice_lines(rulesets, lang)
    return [""] + lines if lines else []

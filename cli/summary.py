"""One-line summaries of a ruleset's outcome, shared by the text, Markdown and HTML renderers."""

from __future__ import annotations

from typing import Any

from .i18n import colon, label, money, percent, reason, t, text

STATUS_MARK = {"met": "✔", "not_met": "✘", "unknown": "?", "not_applicable": "–"}


def decision_line(rs: dict[str, Any], lang: str) -> str:
    outcome = rs["outcome"]
    decision = outcome.get("decision")
    if rs["policy"] == "levels" and decision is None:
        decision_text = level_text(outcome, lang)
    else:
        decision_text = t(decision, lang) if decision else "-"
    if decision == "not_applicable" and rs.get("not_applicable_reason"):
        decision_text += " — " + text(rs["not_applicable_reason"], lang)
    return decision_text


def level_text(outcome: dict[str, Any], lang: str) -> str:
    level = outcome.get("level")
    if not level:
        return "-"
    cur, best = level
    if cur == best:
        return f"{t('level', lang)} {cur}"
    return f"{t('level', lang)} " + t("level_range", lang, cur=cur, best=best)


def detail_lines(rs: dict[str, Any], lang: str) -> list[str]:
    """Score, threshold, level, stars, amounts: what the policy produced, as label/value lines."""
    outcome = rs["outcome"]
    lines: list[str] = []
    if outcome.get("decision") == "not_applicable":
        return lines
    score = outcome.get("score")
    if score:
        lines.append(f"{label('score', lang)}" + t("score_range", lang, cur=percent(score[0], lang),
                                                    best=percent(score[1], lang)))
    threshold = outcome.get("threshold")
    if threshold:
        word = t("inclusive", lang) if threshold["inclusive"] else t("strict", lang)
        lines.append(f"{label('threshold', lang)}{word} {percent(threshold['value'], lang)}")
    if rs["policy"] == "levels" and outcome.get("level") and outcome.get("decision"):
        lines.append(level_text(outcome, lang))
    for breaker in outcome.get("portfolio") or []:
        if breaker.get("project"):
            lines.append(t("portfolio_breaker", lang, project=breaker["project"], level=breaker["level"],
                           reached=breaker["project_level"][0]))
    stars = outcome.get("stars")
    if stars:
        shown = str(stars[0]) if stars[0] == stars[1] else f"{stars[0]}–{stars[1]}"
        flag = "" if rs.get("stars_verified") else f" ({t('stars_unverified', lang)})"
        lines.append(f"{label('stars', lang)}{shown}{flag}")
    if rs["policy"] == "eligibility":
        titles = {s["id"]: s["title"] for s in rs.get("schemes", [])}
        for sid, scheme in outcome.get("schemes", {}).items():
            amount = f" — {money(scheme['amount'], lang)}" if scheme.get("amount") else ""
            why = ", ".join(reason(r, lang) for r in scheme.get("reasons", []))
            lines.append(f"{text(titles.get(sid), lang)}{colon(lang)}{t(scheme['decision'], lang)}{amount}"
                         + (f" ({why})" if why else ""))
    counts = rs["counts"]
    lines.append(f"{label('criteria', lang)}" + ", ".join(f"{t(s, lang)} {counts[s]}" for s in STATUS_MARK if counts[s]))
    return lines


def reasons_text(rs: dict[str, Any], lang: str, max_facts: int = 4) -> str:
    codes = rs["outcome"].get("reasons", [])
    facts = [c.split(":", 1)[1] for c in codes if c.startswith("missing_fact:")]
    parts = [reason(c, lang) for c in codes if not c.startswith("missing_fact:")]
    if facts:
        shown = ", ".join(facts[:max_facts]) + (f" (+{len(facts) - max_facts})" if len(facts) > max_facts else "")
        parts.append(f"{t('missing_facts', lang).lower()}{colon(lang)}{shown}")
    return (" ; " if lang == "fr" else "; ").join(parts)  # French sets a space before « ; » too


def source_text(source: dict[str, Any]) -> str:
    parts = [source.get("title", source.get("document", "")), source.get("section", "")]
    if source.get("seed") and source.get("lines"):
        parts.append(f"{source['seed']} l. {source['lines']}")
    return ", ".join(p for p in parts if p)

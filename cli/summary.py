"""One-line summaries of a ruleset's outcome, shared by the text, Markdown and HTML renderers."""

from __future__ import annotations

from typing import Any

from raccord.engine.policies import Statement, policy_class

from .i18n import colon, joined, label, money, percent, reason, t, text

STATUS_MARK = {"met": "✔", "not_met": "✘", "unknown": "?", "not_applicable": "–"}


def statements(rs: dict[str, Any]) -> list[Statement]:
    """The policy's summary of a ruleset entry (engine/policies: each policy says what it reports)."""
    return policy_class(rs["policy"]).summary(rs)


def headline(rs: dict[str, Any]) -> Statement | None:
    return policy_class(rs["policy"]).headline(rs)


def decision_line(rs: dict[str, Any], lang: str) -> str:
    outcome = rs["outcome"]
    decision = outcome.get("decision")
    stand_in = headline(rs) if decision is None else None
    if stand_in is not None and stand_in["kind"] == "level":
        decision_text = statement_text(stand_in, lang)
    else:
        decision_text = t(decision, lang) if decision else "-"
    if decision == "not_applicable" and rs.get("not_applicable_reason"):
        decision_text += " — " + text(rs["not_applicable_reason"], lang)
    return decision_text


def statement_text(item: Statement, lang: str, why: dict[str, str] | None = None) -> str:
    """One summary statement as a line of text (the vocabulary is in docs/api.md); `why`: per aid
    scheme, the sentence naming what blocks it (cli/aid_text.py), instead of the reason codes."""
    kind = item["kind"]
    if kind == "score":
        return label("score", lang) + t("score_range", lang, cur=percent(item["low"], lang), best=percent(item["high"], lang))
    if kind == "pass_mark":
        word = t("inclusive", lang) if item["inclusive"] else t("strict", lang)
        return f"{label('pass_mark', lang)}{word} {percent(item['value'], lang)}"
    if kind == "level":
        if item["low"] == item["high"]:
            return f"{t('level', lang)} {item['low']}"
        return f"{t('level', lang)} " + t("level_range", lang, cur=item["low"], best=item["high"])
    if kind == "portfolio_breaker":
        return t("portfolio_breaker", lang, project=item["project"], level=item["level"], reached=item["reached"])
    if kind == "stars":
        shown = str(item["low"]) if item["low"] == item["high"] else f"{item['low']}–{item['high']}"
        flag = "" if item["verified"] else f" ({t('stars_unverified', lang)})"
        return f"{label('stars', lang)}{shown}{flag}"
    if kind == "scheme":
        head = f"{text(item['title'], lang)}{colon(lang)}{t(item['decision'], lang)}{scheme_amount(item, lang)}"
        if why and why.get(item.get("id", "")):
            return f"{head} — {why[item['id']]}"
        reasons = ", ".join(reason(r, lang) for r in item.get("reasons", []))
        return head + (f" ({reasons})" if reasons else "")
    if kind == "amount_total":
        high = f" – {money(item['high'], lang)}" if item["high"] != item["low"] else ""
        return f"{label('amount_total', lang)}{money(item['low'], lang)}{high}"
    return text(item.get("text"), lang)  # a policy's own words: {"kind": "text", "text": {fr, en}}


AT_STAKE = {"fr": "{amount} en jeu", "en": "{amount} at stake"}


def scheme_amount(item: dict[str, Any], lang: str) -> str:
    """The amount beside a scheme's decision: obtained once eligible, at stake while undetermined,
    and none beside a negative decision (« non éligible — 28 000 € » read as if it were granted) or
    a scheme that does not apply to the production (it pays nothing, even at best)."""
    if not item.get("amount") or item.get("decision") in ("not_eligible", "not_applicable"):
        return ""
    amount = money(item["amount"], lang)
    if item.get("decision") == "eligible":
        return f" — {amount}"
    return " — " + AT_STAKE.get(lang, AT_STAKE["fr"]).format(amount=amount)


# What the text and Markdown reports print under a ruleset's decision (the aid total is in
# `raccord eligibility`; the HTML summary table shows it).
LISTED = frozenset({"score", "pass_mark", "level", "portfolio_breaker", "stars", "scheme", "text"})


def detail_lines(rs: dict[str, Any], lang: str, why: dict[str, str] | None = None) -> list[str]:
    """Score, threshold, level, stars, schemes...: what the policy reports, then the counts."""
    if rs["outcome"].get("decision") == "not_applicable":
        return []
    if "mandatory" in rs["outcome"] and "recommended" in rs["outcome"]:  # obligations: counted, never a percentage
        return obligations_lines(rs, lang)
    lines = [statement_text(item, lang, why) for item in statements(rs) if item["kind"] in LISTED]
    lines.append(label("criteria", lang) + counts_text(rs["counts"], lang))
    return lines


def counts_text(counts: dict[str, int], lang: str) -> str:
    """« 22 satisfaits, 3 non satisfaits, 3 inconnus » (French agrees the status with the number)."""
    return ", ".join(f"{counts[s]} {status_agreed(s, counts[s], lang)}" for s in STATUS_MARK if counts[s])


STATUS_PLURAL = {"met": "satisfaits", "not_met": "non satisfaits", "unknown": "inconnus", "not_applicable": "non applicables"}


def status_agreed(status: str, number: int, lang: str) -> str:
    if lang == "fr" and number >= 2:
        return STATUS_PLURAL.get(status, t(status, lang))
    return t(status, lang)


OBLIGATION_WORDS = {
    "fr": {"met": ("respectée", "respectées"), "not_met": ("non respectée", "non respectées"),
           "unknown": ("à prouver", "à prouver"), "of": "sur {n} applicables", "of_one": "sur {n} applicable",
           "recommended": "Recommandations", "r_met": ("suivie", "suivies"), "r_not_met": ("non suivie", "non suivies")},
    "en": {"met": ("met", "met"), "not_met": ("not met", "not met"), "unknown": ("to prove", "to prove"),
           "of": "of {n} applicable", "of_one": "of {n} applicable", "recommended": "Recommendations",
           "r_met": ("followed", "followed"), "r_not_met": ("not followed", "not followed")},
}


def obligations_lines(rs: dict[str, Any], lang: str) -> list[str]:
    """« Obligations : 52 respectées, 14 à prouver (sur 66 applicables) », then the recommendations."""
    table = OBLIGATION_WORDS["en" if lang == "en" else "fr"]
    outcome = rs["outcome"]
    lines = []
    kinds = (("mandatory", label("obligations_title", lang), ""), ("recommended", table["recommended"] + colon(lang), "r_"))
    for key, title, prefix in kinds:
        groups = outcome.get(key)
        if groups is None:
            continue
        numbers = {s: len(groups.get(s, [])) for s in ("met", "not_met", "unknown")}
        applicable = sum(numbers.values())
        if not applicable:
            continue
        parts = [f"{n} {table.get(prefix + s, table[s])[0 if n < 2 else 1]}" for s, n in numbers.items() if n]
        of = table["of_one" if applicable < 2 else "of"].format(n=applicable)
        lines.append(f"{title}{', '.join(parts)} ({of})")
    return lines or [label("criteria", lang) + counts_text(rs["counts"], lang)]


def fact_titles(library: Any, lang: str) -> dict[str, str]:
    """Fact name -> its title in `lang`, for sentences that name a missing fact."""
    return {name: fact.title.get(lang) for name, fact in library.catalogue.items()}


def reasons_text(rs: dict[str, Any], lang: str, max_facts: int = 4, titles: dict[str, str] | None = None) -> str:
    codes = rs["outcome"].get("reasons", [])
    facts = [(titles or {}).get(name, name) for name in (c.split(":", 1)[1] for c in codes if c.startswith("missing_fact:"))]
    parts = [reason(c, lang) for c in codes if not c.startswith("missing_fact:")]
    if facts:
        shown = ", ".join(facts[:max_facts]) + (f" (+{len(facts) - max_facts})" if len(facts) > max_facts else "")
        parts.append(f"{t('missing_facts', lang).lower()}{colon(lang)}{shown}")
    return joined(parts, lang)



def members_lines(entries: list[dict[str, Any]], lang: str) -> list[str]:
    """The persons of a roster a criterion fails for or cannot decide yet, by internal reference."""
    lines = []
    for entry in entries:
        collection = entry["collection"]
        if entry["complete"] is None:
            lines.append(t("roster_absent", lang, collection=collection))
            continue
        if entry["failing"]:
            lines.append(label_of("members_failing", lang, collection) + ", ".join(entry["failing"]))
        if entry["undecided"]:
            lines.append(label_of("members_undecided", lang, collection) + ", ".join(entry["undecided"]))
        if not entry["complete"]:
            lines.append(t("roster_incomplete", lang, collection=collection))
    return lines


def label_of(key: str, lang: str, collection: str) -> str:
    return t(key, lang, collection=collection) + colon(lang)

"""Markdown rendering of a result document (for wikis, tickets and e-mails)."""

from __future__ import annotations

from typing import Any

from .citations import citation_parts, notice
from .citations import w as cw
from .deadline_text import due_text
from .i18n import label, t, text
from .review_text import figures_line, problem_text, review_lines, validated_line
from .review_text import w as rw
from .summary import STATUS_MARK, decision_line, detail_lines, members_lines, reasons_text


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def citation_md(source: dict[str, Any], lang: str) -> str:
    """Name, article, and where to read it as a link."""
    parts = citation_parts(source, lang)
    where = f"[{parts['where'] or parts['url']}]({parts['url']})" if parts["url"] else parts["where"]
    return ", ".join(p for p in (parts["name"], parts["article"]) if p) + (f" — {where}" if where else "")


def render_check(doc: dict[str, Any], lang: str, why: dict[str, str] | None = None,
                 titles: dict[str, str] | None = None) -> str:
    dossier = doc["dossier"]
    out = [f"# {dossier['title']}", "", f"*{label('as_of', lang)}{doc['as_of']}* — `{dossier['id']}`"]
    items = notice(doc["rulesets"], lang)  # before the first table: which referentials are reconstructed
    if items:
        out += ["", f"> **{cw('notice_title', lang)}**", ">"] + [f"> - {item}" for item in items]
        out += [">", f"> {cw('notice_meaning', lang)}"]
    for rs in doc["rulesets"]:
        out += ["", f"## {text(rs['title'], lang)}", ""]
        decision = decision_line(rs, lang)
        if decision != "-":  # a ruleset of aid schemes has no decision of its own
            out += [f"**{label('decision', lang)}{decision}**", ""]
        reasons = reasons_text(rs, lang, titles=titles)
        if reasons:
            out.append(f"- {label('reasons', lang)}{reasons}")
        out += [f"- {line}" for line in detail_lines(rs, lang, why)]
        out += [f"- **{line}**" for line in (figures_line(rs, lang), validated_line(rs, lang)) if line]
        out += ["", f"| | {t('criterion', lang)} | {t('source', lang)} | {t('provenance', lang)} |", "|---|---|---|---|"]
        for crit in rs["criteria"]:
            out.append(f"| {STATUS_MARK[crit['status']]} {t(crit['status'], lang)} | `{crit['id']}` "
                       f"{_cell(text(crit['title'], lang))} | {_cell(citation_md(crit['source'], lang))} "
                       f"| {t(crit['provenance'], lang)} |")
    review = review_lines(doc, lang)
    if review:
        out += ["", f"## {rw('review', lang)}", ""] + [line if line.startswith("- ") else f"- {line.strip()}" for line in review]
    out += ["", f"## {t('missing', lang)}", ""]
    if not doc["missing"]:
        out.append(t("none_missing", lang))
    for item in doc["missing"]:
        tag = f" **{t('blocking', lang)}**" if item["blocking"] else ""
        wanted = ", ".join(text(e["description"], lang) for e in item["evidence_expected"]
                           if not item["missing_evidence"] or e["kind"] in item["missing_evidence"])
        due = f" {due_text(item['due'], item.get('status_reason'), lang)}." if item.get("due") else ""
        persons = "".join(f" {line}." for line in members_lines(item.get("members", []), lang))
        rejected = "".join(f" {_cell(problem_text(p, lang))}." for p in item["evidence_problems"] if p.get("reason"))
        out.append(f"- `{item['criterion']}` {text(item['title'], lang)} — {t(item['status'], lang)}{tag}.{due}{persons} "
                   f"{label('evidence_expected', lang)}{wanted or '-'}.{rejected} "
                   f"{label('source', lang)}{citation_md(item['source'], lang)}")
    return "\n".join(out) + "\n"

"""Terminal rendering of a result document."""

from __future__ import annotations

from typing import Any

from .citations import citation_text, cited_texts, notice_lines
from .citations import w as cw
from .deadline_text import due_text, same_date
from .i18n import colon, count, decimal, label, money, t, text
from .review_text import figures_line, finding_text, problem_text, review_lines, validated_line
from .review_text import w as rw
from .summary import STATUS_MARK, decision_line, detail_lines, label_of, members_lines, reasons_text

MISSING_LIMIT = 10  # the missing items a check report shows


def render_check(doc: dict[str, Any], lang: str, verbose: bool = False, missing_limit: int = MISSING_LIMIT,
                 why: dict[str, str] | None = None, titles: dict[str, str] | None = None) -> str:
    """`why`: per aid scheme, what blocks it in one sentence (cli/aid_text.py); `titles`: the facts'
    titles, shown instead of their names (summary.fact_titles)."""
    out = [header(doc, lang)]
    notice = notice_lines(doc["rulesets"], lang)  # on the first screen, before any decision
    if notice:
        out += [""] + notice
    for rs in doc["rulesets"]:
        out.append("")
        out.append(f"== {text(rs['title'], lang)} ({rs['id']} {rs['version']}) ==")
        decision = decision_line(rs, lang)
        if decision != "-":  # a ruleset of aid schemes has no decision of its own: each scheme has one
            out.append(f"{label('decision', lang)}{decision}")
        reasons = reasons_text(rs, lang, titles=titles)
        if reasons:
            out.append(f"{label('reasons', lang)}{reasons}")
        out.extend(detail_lines(rs, lang, why))
        out.extend(line for line in (figures_line(rs, lang), validated_line(rs, lang)) if line)
        if verbose:
            out.extend(criteria_lines(rs, lang))
    review = review_lines(doc, lang)
    if review:
        out += [""] + review
    out.append("")
    out.extend(missing_lines(doc["missing"], lang, missing_limit, titles))
    shown = doc["missing"] if missing_limit is None else doc["missing"][:missing_limit]
    out.extend(texts_cited_lines([item["source"] for item in shown], lang))
    return "\n".join(out) + "\n"


def texts_cited_lines(sources: list[dict[str, Any]], lang: str) -> list[str]:
    """Where to read each text cited above, once (the rows name the text and the site)."""
    cited = cited_texts(sources, lang)
    if not cited:
        return []
    return ["", cw("texts_cited", lang) + colon(lang).rstrip()] + [f"- {name} : {url}" if lang == "fr" else f"- {name}: {url}"
                                                                    for name, url in cited]


def header(doc: dict[str, Any], lang: str) -> str:
    dossier = doc["dossier"]
    return f"raccord — {dossier['title']} ({dossier['id']}) — {label('as_of', lang)}{doc['as_of']}"


def criteria_lines(rs: dict[str, Any], lang: str) -> list[str]:
    titles = {g["id"]: text(g["title"], lang) for g in rs["groups"]}
    lines: list[str] = []
    group = None
    for crit in rs["criteria"]:
        if crit["group"] != group:
            group = crit["group"]
            lines.append(f"  [{titles.get(group, group)}]")
        flag = ""
        if crit.get("expired"):
            flag = f" ({t('expired', lang)})"
        elif crit.get("declined"):
            flag = f" ({t('declined', lang)})"
        lines.append(f"   {STATUS_MARK[crit['status']]} {crit['id']:<20} {text(crit['title'], lang)}{flag}")
        if crit.get("amount_due"):
            lines.append(f"      {amount_due_text(crit['amount_due'], lang)}")
        lines.extend(f"      {line}" for line in members_lines(crit.get("members", []), lang))
    return lines


def missing_lines(items: list[dict[str, Any]], lang: str, limit: int | None, titles: dict[str, str] | None = None) -> list[str]:
    if not items:
        return [t("none_missing", lang)]
    shown = items if limit is None else items[:limit]
    title = t("missing", lang) + (f" ({len(shown)}/{len(items)})" if len(shown) < len(items) else "")
    lines = [title + " :"]
    for item in shown:
        tags = []
        if item["blocking"]:
            tags.append(t("blocking", lang))
        if item.get("due_now"):
            tags.append(t("due_now", lang))
        tag = f" [{', '.join(tags)}]" if tags else ""
        validated = f" ({rw('validated_status', lang)}{colon(lang)}{t(item['validated_status'], lang)})" \
            if item.get("validated_status") else ""
        lines.append(f"- {item['criterion']} {text(item['title'], lang)} — {t(item['status'], lang)}{validated}{tag}")
        if item.get("due"):
            lines.append(f"    {due_text(item['due'], item.get('status_reason'), lang)}")
        persons = item.get("members_due", [])
        if len(persons) > 1:  # person by person (one: the line above is theirs)
            lines += [f"      {one['member']}{colon(lang)}{due_text(one, None, lang)}" for one in persons]
        descriptions = {e["kind"]: text(e["description"], lang) for e in item["evidence_expected"]}
        for kind in item["missing_evidence"]:
            lines.append(f"    {label('evidence_expected', lang)}{descriptions.get(kind, kind)}")
            piece = item.get("piece_due", {}).get(kind)
            if piece and not same_date(piece, item.get("due")):  # the piece is due apart from its criterion
                lines.append(f"      {due_text(piece, None, lang)}")
        if item["status"] == "not_met" and not item.get("declined"):
            lines.append(f"    {t('condition_failed', lang)}")
        if item.get("declined"):
            lines.append(f"    {label('declined', lang)}{item['declined']}")
        for problem in item["evidence_problems"]:
            lines.append(f"    {problem_text(problem, lang)}")
        if item["missing_facts"]:
            named = [(titles or {}).get(name, name) for name in item["missing_facts"]]
            lines.append(f"    {label('missing_facts', lang)}{(' ; ' if lang == 'fr' else '; ').join(named)}")
        lines.extend(f"    {line}" for line in members_lines(item.get("members", []), lang))
        if item.get("follows_from"):
            lines.append(f"    {label('follows_from', lang)}{', '.join(item['follows_from'])}")
        lines.append(f"    {label('source', lang)}{citation_text(item['source'], lang)}")
    return lines


AWAITING = {"fr": "En attente de l'auditeur : {n} satisfait{s} sur déclaration, pas au vu des seules preuves acceptées : {ids}",
            "en": "Awaiting the auditor: {n} met as declared, not on accepted evidence alone: {ids}"}
MORE = {"fr": "… et {n} autres", "en": "… and {n} more"}


def awaiting_review_lines(doc: dict[str, Any], lang: str, limit: int = 10) -> list[str]:
    """The criteria `missing` does not list because they are met as declared, yet not validated
    (their evidence awaits the auditor or was rejected): what an attestation still lacks."""
    ids = [c["id"] for rs in doc["rulesets"] for c in rs["criteria"]
           if c["status"] == "met" and c.get("validated_status", "met") != "met"]
    if not ids:
        return []
    shown = ", ".join(ids[:limit]) + (" " + MORE[lang].format(n=len(ids) - limit) if len(ids) > limit else "")
    return [AWAITING[lang].format(n=count(len(ids), "criterion", lang), s="s" if len(ids) > 1 else "", ids=shown)]


def render_explain(trace: dict[str, Any], entry: dict[str, Any], lang: str, sources: bool = False) -> str:
    """The explanation of one criterion; `sources` adds the maintainers' provenance (seed file, lines)."""
    lines = [f"{entry['id']} — {text(entry['title'], lang)}",
             f"{label('status', lang)}{t(entry['status'], lang)}"]  # a criterion has a status; a ruleset, a decision
    if entry.get("validated_status"):
        lines.append(f"{rw('validated_status', lang).capitalize()}{colon(lang)}{t(entry['validated_status'], lang)}")
    if entry.get("not_applicable_reason"):
        lines.append(f"  ({t(entry['not_applicable_reason'], lang)}"
                     + (f"{colon(lang)}{entry['justification']}" if entry.get("justification") else "") + ")")
    if entry.get("declined"):
        lines.append(f"  ({label('declined', lang)}{entry['declined']})")
    elif entry.get("due"):
        lines.append(f"  {due_text(entry['due'], entry.get('status_reason'), lang)}")
    for key in ("applies_if", "requires"):
        if key in trace:
            lines.append(f"{t(key, lang)}{colon(lang).rstrip()}")
            lines.extend(tree_lines(trace[key], lang, 1))
    if entry.get("amount_due"):
        lines.append(amount_due_text(entry["amount_due"], lang))
    lines.append(f"{label('evidence_used', lang)}{', '.join(entry.get('evidence_used', [])) or '-'}")
    lines += [f"  {problem_text(p, lang)}" for p in entry.get("evidence_problems", []) if p.get("reason") or p.get("due")]
    if entry.get("findings"):
        lines.append(f"{rw('findings', lang)}{colon(lang).rstrip()}")
        lines += [f"  {finding_text(f, lang)}" for f in entry["findings"]]
    for e in entry["evidence_expected"]:
        lines.append(f"{label('evidence_expected', lang)}{text(e['description'], lang)} [{e['kind']}]")
    source = entry["source"]
    lines.append(f"{label('source', lang)}{citation_text(source, lang, with_url=True)}")
    if source.get("quote"):
        lines.append(f"  « {source['quote']} »")
    lines.append(f"{label('provenance', lang)}{t(entry['provenance'], lang)}")
    rebuilt = text(source.get("citation", {}).get("reconstruction"), lang)
    if rebuilt:
        lines.append(f"  ({rebuilt})")
    if sources:
        lines.append(f"{label('maintainer_source', lang)}{maintainer_source(source)}")
    if entry.get("assumption"):
        lines.append(f"{label('assumption', lang)}{text(entry['assumption'], lang)}")
    return "\n".join(lines) + "\n"


def maintainer_source(source: dict[str, Any]) -> str:
    """The maintainers' provenance of a clause: document id, title, edition, seed file and lines."""
    parts = [source.get("document", ""), source.get("title", ""), source.get("edition", ""), source.get("section", "")]
    if source.get("seed"):
        parts.append(source["seed"] + (f" l. {source['lines']}" if source.get("lines") else ""))
    elif source.get("lines"):
        parts.append(f"l. {source['lines']}")
    return ", ".join(p for p in parts if p)


def tree_lines(node: dict[str, Any], lang: str, depth: int) -> list[str]:
    pad = "  " * depth
    value = t(node["value"], lang)
    op = node["op"]
    if op in ("all", "any", "not"):
        head = [f"{pad}{t('op_' + op, lang)} → {value}"]
        return head + [line for child in node.get("children", []) for line in tree_lines(child, lang, depth + 1)]
    if op == "fact" and node["test"] == "known":
        return [f"{pad}{node['fact']} {_given(node, lang)} ({label('seen', lang)}{shown(node['seen'], lang)}) → {value}"]
    if op == "fact":
        return [f"{pad}{node['fact']} {_compared(node, lang)} → {value}"]
    if op == "ratio":
        num, den = node["numerator"], node["denominator"]
        ratio = decimal(round(node["ratio"], 4), lang) if "ratio" in node else "-"
        test = TESTS.get(node["test"], {}).get(lang, node["test"])
        return [f"{pad}{num['fact']} / {den['fact']} = {shown(num['seen'], lang)}/{shown(den['seen'], lang)} ({ratio}) "
                f"{test} {decimal(node['expected'], lang)} → {value}"]
    if op == "evidence":
        items = _items(node, lang)
        age = f", ≤ {node['max_age_days']} {t('days', lang)}" if node.get("max_age_days") is not None else ""
        if "count" in node:
            wanted = "?" if node["count_gte"] is None else node["count_gte"]
            age += f", {node['count']}/{wanted}" + (f" ({node['count_fact']})" if node.get("count_fact") else "")
        return [f"{pad}{t('evidence', lang)} {node['kind']}{age}{colon(lang)}{items} → {value}"]
    if op == "criterion":
        seen = t(node["seen"], lang) if node["seen"] else "-"
        return [f"{pad}{t('criterion', lang)} {node['criterion']} ({seen}) → {value}"]
    if op == "outcome":
        return [f"{pad}{node['outcome']} {node['test']} {node['expected']} ({label('seen', lang)}{node['seen']}) → {value}"]
    if op in ("every", "count"):
        return roster_lines(node, lang, depth)
    if op == "field":
        return [f"{pad}{t('field', lang)} {node['field']} {_compared(node, lang)} → {value}"]
    if op == "member_evidence":
        items = _items(node, lang)
        return [f"{pad}{t('member_evidence', lang)} {node['kind']}{colon(lang)}{items} → {value}"]
    return [f"{pad}{op} → {value}"]


def roster_lines(node: dict[str, Any], lang: str, depth: int) -> list[str]:
    """`every` / `count` over a roster: the form, then each person it fails for or cannot decide,
    by internal reference, with what was asked of them."""
    pad, value, collection = "  " * depth, t(node["value"], lang), node["collection"]
    if "members" not in node:
        return [f"{pad}{t('op_' + node['op'], lang, collection=collection)} ({t('roster_absent', lang, collection=collection)})"
                f" → {value}"]
    if node["op"] == "count":
        test = TESTS.get(node["test"], {}).get(lang, node["test"])
        span = str(node["count"]) if node["count_max"] == node["count"] else f"{node['count']}..{node['count_max'] or '∞'}"
        lines = [f"{pad}{t('op_count', lang, collection=collection)} {test} {shown(node['expected_value'], lang)} "
                 f"({label('seen', lang)}{span}) → {value}"]
        if node["undecided"]:
            lines.append(f"{pad}  {label_of('members_undecided', lang, collection)}{', '.join(node['undecided'])}")
    else:
        concerned = t("members_concerned", lang, concerned=node["concerned"], members=node["members"])
        lines = [f"{pad}{t('op_every', lang, collection=collection)} ({concerned}) → {value}"]
        for member in node["member_details"]:
            if member["value"] == "true":
                continue
            lines.append(f"{pad}  {member['ref']} → {t(member['value'], lang)}")
            for key in ("where", "requires"):
                if key in member:
                    lines.extend(tree_lines(member[key], lang, depth + 2))
    if not node["complete"]:
        lines.append(f"{pad}  {t('roster_incomplete', lang, collection=collection)}")
    return lines


def amount_due_text(due: dict[str, Any], lang: str) -> str:
    rate = money(due["rate"], lang, due["unit"])
    if due["value"] is None:
        return f"{label_text(due['title'], lang)}{rate} × {due['per_fact']} ({t('absent', lang)})"
    return f"{label_text(due['title'], lang)}{money(due['value'], lang, due['unit'])} ({rate} × {due['count']})"


def label_text(value: Any, lang: str) -> str:
    return text(value, lang) + colon(lang)


# How a fact test reads in an explanation (the ruleset's operator names are for rule writers).
TESTS = {
    "eq": {"fr": "=", "en": "="}, "ne": {"fr": "≠", "en": "≠"}, "is_true": {"fr": "=", "en": "="},
    "gt": {"fr": ">", "en": ">"}, "gte": {"fr": "≥", "en": "≥"}, "lt": {"fr": "<", "en": "<"}, "lte": {"fr": "≤", "en": "≤"},
    "in": {"fr": "parmi", "en": "in"}, "not_in": {"fr": "hors de", "en": "not in"},
    "contains": {"fr": "contient", "en": "contains"},
}
GIVEN = {True: {"fr": "est renseigné", "en": "is given"}, False: {"fr": "n'est pas renseigné", "en": "is not given"}}


def _given(node: dict[str, Any], lang: str) -> str:
    """`known: true` or `known: false`: a `known` test is never unknown, so whether it asked for the
    fact to be given is whether being given (a value seen) made it true."""
    asked = (node["seen"] is not None) == (node["value"] == "true")
    return GIVEN[asked][lang]


def shown(value: Any, lang: str) -> str:
    """A fact value as a French (or English) reader expects it."""
    if value is None:
        return t("absent", lang)
    if isinstance(value, bool):
        return t("true" if value else "false", lang)
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "∅"
    if isinstance(value, dict) and set(value) == {"members", "complete"}:  # a roster, by its size
        return t("roster_seen" if value["complete"] else "roster_seen_incomplete", lang, members=value["members"])
    return str(value)


def _compared(node: dict, lang: str) -> str:
    """« test target (seen: value) » of a fact or member-field test."""
    expected = node.get("expected_value", node.get("expected", ""))
    test = TESTS.get(node["test"], {}).get(lang, node["test"])
    target = shown(expected, lang) if node["test"] != "is_true" else t("true", lang)
    return f"{test} {target} ({label('seen', lang)}{shown(node['seen'], lang)})"


def _items(node: dict, lang: str) -> str:
    """The evidence items a node looked at, with their state (ok when valid)."""
    return ", ".join(f"{i['id']} ({t(i['state'], lang) if i['state'] != 'valid' else 'ok'})"
                     for i in node["items"]) or t("absent", lang)

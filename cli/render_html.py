"""The auditor's HTML report: one self-contained, printable page (A4), French by default.

No network resource is referenced (system fonts, inline CSS, no script). Evidence links are relative
paths, so the page works next to the dossier (`check --format html -o ...`) and inside the audit
bundle (`raccord dossier`), where the files sit under `evidence/`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from raccord.engine.model import to_data
from raccord.engine.policies import policy_class
from raccord.engine.review import audit_path

from .citations import WORDS as CITATION_WORDS
from .citations import citation_parts, notice
from .deadline_text import due_text
from .i18n import MESSAGES, colon, count, money, percent, reason, t, text, words
from .integrity import OK, PROBLEMS, FileCheck, check_files, date_state, file_of, w
from .integrity import WORDS as REGISTER_WORDS
from .review_text import figures_line, findings_by_criterion, review_lines, validated_line
from .review_text import w as rw
from .summary import STATUS_MARK, headline, members_lines, scheme_amount, statement_text, statements

FIGURES = frozenset({"score", "pass_mark", "level", "amount_total", "text"})  # the stars have their own column

WORDS: dict[str, dict[str, str]] = {
    "report_title": {"fr": "Dossier d'audit", "en": "Audit file"},
    "production": {"fr": "Production", "en": "Production"},
    "company": {"fr": "Société", "en": "Company"},
    "generated_by": {"fr": "Produit par raccord", "en": "Produced by raccord"},
    "referentials": {"fr": "Référentiels", "en": "Referentials"},
    "summary": {"fr": "Synthèse par référentiel", "en": "Summary by referential"},
    "referential": {"fr": "Référentiel", "en": "Referential"},
    "aid": {"fr": "Éligibilité aux aides", "en": "Aid eligibility"},
    "no_aid": {"fr": "Aucun référentiel d'aide n'a été évalué.", "en": "No aid referential was evaluated."},
    "scheme": {"fr": "Dispositif", "en": "Scheme"},
    "validity": {"fr": "Validité", "en": "Validity"},
    "criterion_col": {"fr": "Critère", "en": "Criterion"},
    "evidence_col": {"fr": "Preuves", "en": "Evidence"},
    "source_col": {"fr": "Clause source", "en": "Source clause"},
    "mandatory": {"fr": "obligatoire", "en": "mandatory"},
    "recommended": {"fr": "recommandé", "en": "recommended"},
    "scheme_condition": {"fr": "condition du dispositif", "en": "condition of the scheme"},
    "evidence_problems": {"fr": "Preuves écartées", "en": "Evidence not counted"},
    "missing_evidence": {"fr": "Preuve manquante", "en": "Missing evidence"},
    "justification": {"fr": "Justification", "en": "Justification"},
    "register_intro": {"fr": "Chaque fichier est identifié par son empreinte SHA-256 enregistrée ; l'état indique "
                                "s'il est inchangé depuis son enregistrement à la date de ce rapport.",
                       "en": "Each file is identified by its registered SHA-256 fingerprint; the state says whether "
                             "it is unchanged since registration at the time of this report."},
    "file_state": {"fr": "État du fichier", "en": "File state"},
    "dates": {"fr": "Dates", "en": "Dates"},
    "collected": {"fr": "collectée le", "en": "collected"},
    "expires": {"fr": "expire le", "en": "expires"},
    "author": {"fr": "Auteur", "en": "Author"},
    "size": {"fr": "octets", "en": "bytes"},
    "saved_copy": {"fr": "copie enregistrée", "en": "saved copy"},
    "criteria_supported": {"fr": "Critères", "en": "Criteria"},
    "integrity_alert": {"fr": "Des preuves ne sont pas intactes et ne comptent pas dans ce rapport",
                        "en": "Some evidence is not intact and does not count in this report"},
    "no_evidence": {"fr": "Aucune preuve enregistrée.", "en": "No evidence registered."},
    "contents": {"fr": "Sommaire", "en": "Contents"},
    "na_reason": {"fr": "Motif", "en": "Reason"},
    "unverified_note": {"fr": "Correspondance score → étoiles non vérifiée sur un texte officiel.",
                        "en": "Score-to-stars mapping not verified against an official text."},
    "none": {"fr": "aucune", "en": "none"},
    "by": {"fr": "par", "en": "by"},
    "on": {"fr": "le", "en": "on"},
    # the print layout (cli/print_layout.py, templates/print.css.j2)
    "dossier_sha256": {"fr": "Empreinte du dossier (SHA-256)", "en": "Dossier fingerprint (SHA-256)"},
    "audit_sha256": {"fr": "Empreinte du fichier de l'auditeur (SHA-256)", "en": "Auditor's file fingerprint (SHA-256)"},
    "sources_appendix": {"fr": "Annexe : textes cités", "en": "Appendix: texts cited"},
    "sources_intro": {"fr": "Les tableaux renvoient à ces textes par leur numéro entre crochets, suivi de l'article.",
                      "en": "The tables refer to these texts by their number in brackets, followed by the article."},
    "footer_dossier": {"fr": "Dossier d'audit", "en": "Audit file"},
    "see_appendix": {"fr": "voir l'annexe", "en": "see the appendix"},
    "assumptions_appendix": {"fr": "Hypothèses communes à plusieurs critères", "en": "Assumptions shared by several criteria"},
    "page": {"fr": "Page", "en": "Page"},
}

DECISION_CLASS = {"eligible": "good", "compliant": "good", "not_eligible": "bad", "not_compliant": "bad",
                  "undetermined": "warn", "not_applicable": "muted"}
STATUS_CLASS = {"met": "good", "not_met": "bad", "unknown": "warn", "not_applicable": "muted"}


word = words(WORDS, MESSAGES, REGISTER_WORDS, CITATION_WORDS)  # the report's words, the shared ones, the register's...


def scheme_source(rs: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """A scheme's source (the policy's parameters carry no citation): the citation of a criterion
    of the same document, with the scheme's section."""
    for crit in rs["criteria"]:
        cited = crit["source"]
        if cited.get("document") == source.get("document") and "citation" in cited:
            section = source.get("section", "")
            return {"citation": {**cited["citation"], "article": {"fr": section, "en": section}}}
    return source


def href_for(path: str) -> str:
    """A relative path as a URL: every segment percent-encoded, so no scheme or query can sneak in."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def evidence_register(dossier, checks: dict[str, FileCheck], as_of: dt.date, doc: dict[str, Any],
                      links: dict[str, str]) -> list[dict[str, Any]]:
    """The register as the report shows it: each item with its file state, dates, auditor status and use."""
    used_by: dict[str, list[str]] = {}
    for rs in doc["rulesets"]:
        for crit in rs["criteria"]:
            for eid in crit.get("evidence_used", []):
                used_by.setdefault(eid, []).append(crit["id"])
    out = []
    for item in dossier.file.evidence:
        check = checks.get(item.id)
        url = item.url if item.url and item.url.startswith(("https://", "http://")) else None
        out.append({
            "id": item.id,
            "kind": item.kind,
            "path": item.path,
            "url": url,
            "copy": item.copy,
            "href": links.get(item.id),
            "sha256": item.sha256,
            "size": item.size,
            "collected": item.collected.isoformat() if item.collected else None,
            "expires": item.expires.isoformat() if item.expires else None,
            "author": item.author,
            "auditor": to_data(item.auditor, exclude_none=True, json=True),
            "file_state": check.state if check else OK,
            "file_detail": check.detail if check else "",
            "file_problem": bool(check and check.problem),
            "dates": date_state(item, as_of),
            "criteria": item.criteria,
            "used_by": used_by.get(item.id, []),
        })
    return out


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("raccord.cli", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_report(doc: dict[str, Any], lang: str, register: list[dict[str, Any]], dossier_sha256: str | None = None,
                  audit_sha256: str | None = None) -> str:
    """The HTML page for a result document and its evidence register (and the dossier file's
    sha256, shown on the first page and in every printed footer; the auditor's file's too, on the
    first page: the reviews, findings and sign-offs the report shows come from that version)."""
    from .print_layout import print_context

    by_id = {e["id"]: e for e in register}
    rulesets = []
    for rs in doc["rulesets"]:
        titles = {g["id"]: text(g["title"], lang) for g in rs["groups"]}
        groups: list[dict[str, Any]] = []
        for crit in rs["criteria"]:
            if not groups or groups[-1]["id"] != crit["group"]:
                groups.append({"id": crit["group"], "title": titles.get(crit["group"], crit["group"]), "criteria": []})
            groups[-1]["criteria"].append(crit)
        head = headline(rs)
        # the summary table's middle column: what the policy reports, a level standing for the decision included
        figures = [s for s in statements(rs) if s["kind"] in FIGURES]
        if head is not None and head["kind"] == "level" and not rs["outcome"].get("decision"):
            figures.append(head)
        rulesets.append({**rs, "grouped": groups, "head": head, "figures": figures})
    aid = [rs for rs in doc["rulesets"] if policy_class(rs["policy"]).makes_claims]
    problems = [e for e in register if e["file_problem"]]
    template = _environment().get_template("report.html.j2")
    schemes = {s["id"]: text(s["title"], lang) for rs in doc["rulesets"] for s in statements(rs) if s["kind"] == "scheme"}

    def L(key: str, **values: Any) -> str:  # noqa: N802 (short name for the template)
        return word(key, lang, **values)

    return template.render(
        doc=doc, lang=lang, rulesets=rulesets, aid=aid, register=register, evidence=by_id, problems=problems,
        L=L, t=lambda key, **values: t(key, lang, **values), w=lambda key: w(key, lang), text=lambda v: text(v, lang),
        reason=lambda code: reason(code, lang), percent=lambda v: percent(v, lang),
        money=lambda v: money(v, lang), tags=lambda c: criterion_tags(c, lang, schemes),
        at_stake=lambda r: scheme_amount(r, lang).removeprefix(" — "), statement=lambda s: statement_text(s, lang),
        citation=lambda source: citation_parts(source, lang), scheme_source=scheme_source, notice=notice(doc["rulesets"], lang),
        mark=STATUS_MARK, decision_class=DECISION_CLASS, status_class=STATUS_CLASS, problem_states=PROBLEMS,
        sep=colon(lang), due=lambda item: due_text(item.get("due"), item.get("status_reason"), lang),
        members=lambda entries: members_lines(entries, lang),
        figures_line=lambda rs: figures_line(rs, lang), validated_line=lambda rs: validated_line(rs, lang),
        review_lines=review_lines(doc, lang), rv=lambda key: rw(key, lang), findings_of=findings_by_criterion(doc, lang),
        audit_sha256=audit_sha256, **print_context(doc, lang, dossier_sha256),
    )


def criterion_tags(c: dict[str, Any], lang: str, schemes: dict[str, str]) -> str:
    """« obligatoire · 3 points », « condition du dispositif · Prime RSE+ du CNC », « Niveau 1 »: an
    aid's condition and a level's action are what the scheme or the level requires, never « recommandé »;
    a scheme by its title, not its id."""
    if c.get("mandatory"):
        tags = [word("mandatory", lang)]
    elif c.get("scheme"):
        tags = [word("scheme_condition", lang)]
    else:
        tags = [] if c.get("level") is not None else [word("recommended", lang)]
    if c.get("points") is not None:
        tags.append(count(c["points"], "point", lang))
    if c.get("level") is not None:
        tags.append(f"{t('level', lang)} {c['level']}")
    if c.get("scheme"):
        tags.append(schemes.get(c["scheme"], c["scheme"]))
    return " · ".join(tags)


def evidence_links(dossier, checks: dict[str, FileCheck], report_dir: Path | None) -> dict[str, str]:
    """Relative links from the report's folder to each evidence file (dossier folder when unknown)."""
    links = {}
    for item in dossier.file.evidence:
        check = checks.get(item.id)
        source = file_of(item)[0]  # the file, or an online item's saved copy
        if source is None or check is None or check.state == "outside_dossier":
            continue
        if report_dir is None:
            links[item.id] = href_for(source)
        else:
            target = dossier.base_dir.resolve() / source
            links[item.id] = href_for(Path(os.path.relpath(target, report_dir.resolve())).as_posix())
    return links


def render_for_check(evaluation, doc: dict[str, Any], lang: str, output: str | None) -> str:
    """`raccord check --format html`: links are relative to the output file (or to the dossier folder)."""
    dossier = evaluation.dossier
    checks = check_files(dossier)
    # A bundle (`check FILE.zip`) is read in a temporary folder removed when the command ends: links
    # into it would point at nothing, so its evidence is named in plain text (the bundle's own
    # index.html links every file inside it).
    links = {} if doc.get("bundle") else evidence_links(dossier, checks, Path(output).parent if output else None)
    from .print_layout import dossier_fingerprint

    audit = audit_path(dossier.path) if dossier.path is not None and getattr(dossier, "audit", None) is not None else None
    return render_report(doc, lang, evidence_register(dossier, checks, evaluation.as_of, doc, links),
                         dossier_fingerprint(dossier.path), dossier_fingerprint(audit))

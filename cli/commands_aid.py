"""`raccord eligibility`: which aid the production can claim, what blocks each one, what would settle it."""

from __future__ import annotations

import json
from typing import Any

import click

from raccord import __version__
from raccord.engine.claims import claim_rulesets, eligibility_document
from raccord.engine.policies.eligibility import NO_APPLICABLE_CONDITION

from .aid_text import blocking_sentence, fact_title, outcome_part
from .citations import citation_text, library_notice
from .context import common_as_of, common_lang, library_from, library_options, run_evaluation
from .i18n import NNBSP, colon, label, money, reason, t, text, words
from .language import bi
from .render_text import header
from .review_text import w as rw

WORDS = {
    "amount": {"fr": "Montant", "en": "Amount"},
    "condition_only": {"fr": "condition d'accès (pas de montant)", "en": "access condition (no amount)"},
    "rate": {"fr": "{rate}\u202f% de {base}", "en": "{rate}% of {base}"},
    "prize": {"fr": "prix de {value}", "en": "prize of {value}"},
    "validity": {"fr": "Validité", "en": "Validity"},
    "paid_at": {"fr": "Versement", "en": "Paid"},
    "blocked_by": {"fr": "Bloqué par", "en": "Blocked by"},
    "to_establish": {"fr": "À établir", "en": "To establish"},
    "conditions": {"fr": "Conditions en cause", "en": "Conditions involved"},
    "see_above": {"fr": "voir plus haut", "en": "see above"},
    "verbose_hint": {"fr": "Le détail de chaque condition et sa source : raccord eligibility -v",
                     "en": "Each condition in detail with its source: raccord eligibility -v"},
    "not_in_force": {"fr": "dispositif hors de sa période de validité à cette date", "en": "scheme not in force at this date"},
    "provenance": {"fr": "Provenance", "en": "Provenance"},
    "why": {"fr": "Motif", "en": "Reason"},
    "note": {"fr": "Note", "en": "Note"},
    "total": {"fr": "Montant accessible", "en": "Amount within reach"},
}


w = words(WORDS)


def amount_text(amount: dict | None, lang: str) -> str:
    if not amount:
        return w("condition_only", lang)
    kind = amount.get("kind", "flat")
    currency = amount.get("currency", "EUR")
    if kind == "rate":
        rate = f"{amount['rate'] * 100:g}"
        base = amount.get("base") or "-"
        if lang == "fr" and base[:1].lower() in "aeéèêiouyh":  # « 15 % de l'aide », not « de aide »
            out = f"{rate}{NNBSP}% de l'{base}"
        else:
            out = w("rate", lang, rate=rate, base=base)
    elif kind == "prize":
        out = w("prize", lang, value=money(amount.get("value"), lang, currency))
    elif amount.get("value") is not None:
        out = money(amount["value"], lang, currency)
    else:
        out = text(amount.get("note"), lang) or "-"
        return out
    note = text(amount.get("note"), lang)
    return f"{out} ({note})" if note else out


def _rulesets_cited(entries: list[dict[str, Any]]) -> list[str]:
    """The rulesets of blockers, however deep (an aid blocked by AFNOR criteria cites AFNOR)."""
    out = []
    for entry in entries:
        out += [entry["ruleset"]] + _rulesets_cited(entry.get("because_of", []))
    return out


def render(doc: dict[str, Any], lang: str, notice: list[str] | None = None, library: Any = None,
           statuses: dict[str, str] | None = None, verbose: bool = False) -> str:
    """Per scheme: its decision and amount, then what blocks it in one sentence (cli/aid_text.py);
    `verbose` adds each blocking criterion with its source, a criterion shared by several schemes
    shown in full once."""
    lines = [header(doc, lang), *(notice or []), ""]
    shown: set[str] = set()
    for scheme in doc["schemes"]:
        lines.append(f"== {text(scheme['title'], lang)} ({scheme['id']}){colon(lang)}{t(scheme['decision'], lang).upper()} ==")
        lines.append(f"{w('amount', lang)}{colon(lang)}{amount_text(scheme['amount'], lang)}")
        if "validated_decision" in scheme and scheme["decision"] != "not_applicable":  # both, always (issue 15)
            lines.append(f"{rw('validated_status', lang).capitalize()}{colon(lang)}{t(scheme['validated_decision'], lang)}")
        if verbose:
            lines += _scheme_details(scheme, lang)
        if "scheme_not_in_force" in scheme["reasons"]:
            lines.append(f"{w('blocked_by', lang)}{colon(lang)}{w('not_in_force', lang)}")
        if NO_APPLICABLE_CONDITION in scheme["reasons"]:
            lines.append(f"{w('why', lang)}{colon(lang)}{reason(NO_APPLICABLE_CONDITION, lang)}")
        sentence = blocking_sentence(scheme, library, statuses or {}, lang) if library is not None else ""
        if sentence:
            key = "blocked_by" if scheme["decision"] == "not_eligible" else "to_establish"
            lines.append(f"{w(key, lang)}{colon(lang)}{sentence}")
        blockers = scheme["not_met"] + scheme["unknown"]
        if verbose and blockers:
            lines.append(f"{w('conditions', lang)}{colon(lang).rstrip()}")
            for blocker in blockers:
                lines += _blocker_lines(blocker, lang, 1, library, statuses or {}, shown)
        lines.append("")
    low, high = doc["amount"]
    lines.append(f"{w('total', lang)}{colon(lang)}{money(low, lang)} – {money(high, lang)}")
    if any("validated_decision" in s for s in doc["schemes"]):
        lines.append(rw("attestation_note", lang))
    if not verbose and any(s["not_met"] or s["unknown"] for s in doc["schemes"]):
        lines.append(w("verbose_hint", lang))
    return "\n".join(lines) + "\n"


def _scheme_details(scheme: dict[str, Any], lang: str) -> list[str]:
    lines = []
    if scheme["valid_from"] or scheme["valid_until"]:
        lines.append(f"{w('validity', lang)}{colon(lang)}{scheme['valid_from'] or '…'} → {scheme['valid_until'] or '…'}")
    if scheme.get("paid_at"):
        lines.append(f"{w('paid_at', lang)}{colon(lang)}{text(scheme['paid_at'], lang)}")
    lines.append(f"{label('source', lang)}{citation_text(scheme['source'], lang)}"
                 f" — {w('provenance', lang)}{colon(lang)}{t(scheme['provenance'], lang)}")
    if scheme.get("note"):
        lines.append(f"{w('note', lang)}{colon(lang)}{text(scheme['note'], lang)}")
    return lines


def _blocker_lines(entry: dict, lang: str, depth: int, library: Any, statuses: dict[str, str], shown: set[str]) -> list[str]:
    """A blocking criterion with its source and what it lacks, in words; shown in full once."""
    pad = "  " * depth
    head = f"{pad}- {entry['criterion']} {text(entry['title'], lang)} — {t(entry['status'], lang)}"
    if entry["criterion"] in shown:
        return [f"{head} ({w('see_above', lang)})"]
    shown.add(entry["criterion"])
    lines = [head, f"{pad}    {label('source', lang)}{citation_text(entry['source'], lang)}"]
    for outcome in entry.get("outcomes", []):
        lines.append(f"{pad}    {outcome_part(outcome, library, statuses, lang)}")
    if entry.get("declined"):
        lines.append(f"{pad}    {label('declined', lang)}{entry['declined']}")
    if entry["missing_facts"]:
        titles = [fact_title(name, library, lang) for name in entry["missing_facts"]]
        lines.append(f"{pad}    {label('missing_facts', lang)}{' ; '.join(titles) if lang == 'fr' else '; '.join(titles)}")
    descriptions = {e["kind"]: text(e["description"], lang) for e in entry["evidence_expected"]}
    for kind in entry["missing_evidence"]:
        lines.append(f"{pad}    {label('evidence_expected', lang)}{descriptions.get(kind, kind)}")
    for child in entry.get("because_of", []):
        lines += _blocker_lines(child, lang, depth + 1, library, statuses, shown)
    return lines


def register(cli: click.Group) -> None:
    @cli.command(help=bi("Aides accessibles : éligible / non éligible / indéterminé, montant, blocages et leur source.",
                         "Aid within reach: eligible / not eligible / undetermined, amount, blockers and their source."))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @common_as_of
    @common_lang
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("-v", "--verbose", is_flag=True,
                  help=bi("Détailler chaque condition en cause avec sa source.",
                          "Detail each condition involved with its source."))
    @library_options
    def eligibility(dossier, as_of, lang, fmt, verbose, rulesets_dir, ruleset_files):
        library = library_from(rulesets_dir, ruleset_files)
        evaluation = run_evaluation(library, dossier, as_of, claim_rulesets(library))
        from raccord.engine import review

        doc = review.add_validated_eligibility(eligibility_document(evaluation, __version__), review.validated(evaluation))
        if fmt == "json":
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        else:
            cited = [s["ruleset"] for s in doc["schemes"]] + _rulesets_cited(
                [b for s in doc["schemes"] for b in s["not_met"] + s["unknown"]])
            click.echo(render(doc, lang, library_notice(library, cited, lang), library, evaluation.ctx.statuses, verbose),
                       nl=False)

"""`raccord eligibility`: which aid the production can claim, what blocks each one, what would settle it."""

from __future__ import annotations

import json
from typing import Any

import click

from raccord import __version__
from raccord.engine.claims import claim_rulesets, eligibility_document
from raccord.engine.policies.eligibility import NO_APPLICABLE_CONDITION

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
    "to_settle": {"fr": "Pour trancher", "en": "To settle"},
    "because_of": {"fr": "à cause de", "en": "because of"},
    "facts": {"fr": "faits à renseigner", "en": "facts to give"},
    "evidence": {"fr": "preuves à fournir", "en": "evidence to supply"},
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


def render(doc: dict[str, Any], lang: str, notice: list[str] | None = None) -> str:
    lines = [header(doc, lang), *(notice or []), ""]
    for scheme in doc["schemes"]:
        lines.append(f"== {text(scheme['title'], lang)} ({scheme['id']}){colon(lang)}{t(scheme['decision'], lang).upper()} ==")
        lines.append(f"{w('amount', lang)}{colon(lang)}{amount_text(scheme['amount'], lang)}")
        if scheme.get("validated_decision", scheme["decision"]) != scheme["decision"]:
            lines.append(f"{rw('validated_status', lang).capitalize()}{colon(lang)}{t(scheme['validated_decision'], lang)}")
        if scheme["valid_from"] or scheme["valid_until"]:
            lines.append(f"{w('validity', lang)}{colon(lang)}{scheme['valid_from'] or '…'} → {scheme['valid_until'] or '…'}")
        if scheme.get("paid_at"):
            lines.append(f"{w('paid_at', lang)}{colon(lang)}{text(scheme['paid_at'], lang)}")
        lines.append(f"{label('source', lang)}{citation_text(scheme['source'], lang)}"
                     f" — {w('provenance', lang)}{colon(lang)}{t(scheme['provenance'], lang)}")
        if scheme.get("note"):
            lines.append(f"{w('note', lang)}{colon(lang)}{text(scheme['note'], lang)}")
        if "scheme_not_in_force" in scheme["reasons"]:
            lines.append(f"{w('blocked_by', lang)}{colon(lang)}{w('not_in_force', lang)}")
        if NO_APPLICABLE_CONDITION in scheme["reasons"]:
            lines.append(f"{w('why', lang)}{colon(lang)}{reason(NO_APPLICABLE_CONDITION, lang)}")
        blockers = scheme["not_met"] + scheme["unknown"]
        if blockers:
            lines.append(f"{w('blocked_by', lang)} :")
            for blocker in blockers:
                lines += _blocker_lines(blocker, lang, 1)
        settle = scheme["settle"]
        if settle["facts"] or settle["evidence"]:
            lines.append(f"{w('to_settle', lang)} :")
            if settle["facts"]:
                lines.append(f"  {w('facts', lang)}{colon(lang)}{', '.join(settle['facts'])}")
            if settle["evidence"]:
                lines.append(f"  {w('evidence', lang)}{colon(lang)}{', '.join(settle['evidence'])}")
        lines.append("")
    low, high = doc["amount"]
    lines.append(f"{w('total', lang)}{colon(lang)}{money(low, lang)} – {money(high, lang)}")
    return "\n".join(lines) + "\n"


def _blocker_lines(entry: dict, lang: str, depth: int) -> list[str]:
    pad = "  " * depth
    lines = [f"{pad}- {entry['criterion']} {text(entry['title'], lang)} — {t(entry['status'], lang)}"]
    lines.append(f"{pad}    {label('source', lang)}{citation_text(entry['source'], lang)}")
    for outcome in entry.get("outcomes", []):
        lines.append(f"{pad}    {outcome['outcome']} {outcome['test']} {outcome['expected']} "
                     f"({t('seen', lang)}{colon(lang)}{outcome['seen']})")
        for level, ids in outcome.get("gaps", {}).items():
            lines.append(f"{pad}    {t('level_lower', lang)} {level}{colon(lang)}{', '.join(ids)}")
    if entry.get("declined"):
        lines.append(f"{pad}    {label('declined', lang)}{entry['declined']}")
    if entry["missing_facts"]:
        lines.append(f"{pad}    {label('missing_facts', lang)}{', '.join(entry['missing_facts'])}")
    descriptions = {e["kind"]: text(e["description"], lang) for e in entry["evidence_expected"]}
    for kind in entry["missing_evidence"]:
        lines.append(f"{pad}    {label('evidence_expected', lang)}{descriptions.get(kind, kind)}")
    for child in entry.get("because_of", []):
        lines += _blocker_lines(child, lang, depth + 1)
    return lines


def register(cli: click.Group) -> None:
    @cli.command(help=bi("Aides accessibles : éligible / non éligible / indéterminé, montant, blocages et leur source.",
                         "Aid within reach: eligible / not eligible / undetermined, amount, blockers and their source."))
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @common_as_of
    @common_lang
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @library_options
    def eligibility(dossier, as_of, lang, fmt, rulesets_dir, ruleset_files):
        library = library_from(rulesets_dir, ruleset_files)
        evaluation = run_evaluation(library, dossier, as_of, claim_rulesets(library))
        from raccord.engine import review

        doc = review.add_validated_eligibility(eligibility_document(evaluation, __version__), review.validated(evaluation))
        if fmt == "json":
            click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        else:
            cited = [s["ruleset"] for s in doc["schemes"]] + _rulesets_cited(
                [b for s in doc["schemes"] for b in s["not_met"] + s["unknown"]])
            click.echo(render(doc, lang, library_notice(library, cited, lang)), nl=False)

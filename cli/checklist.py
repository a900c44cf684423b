"""The action checklist of one evaluated ruleset: the coordinator's working document.

Each action with raccord's status (computed, read-only) and the columns the coordinator fills in:
follow-up (« à faire », « en cours », « fait », « non applicable », « écarté »), owner (a role),
due date (the calendar's, until set) and comment. The XLSX has a title block (production, date,
decision, score and threshold), an autofilter, colours by status, lists and date checks on the
columns to fill in, and a print set-up (landscape, one page wide, header repeated).
`raccord import checklist` (cli/commands_checklist.py) reads those columns back into the dossier.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import Any

from raccord.engine import Evaluation, review
from raccord.engine.report import criterion_entry

from .i18n import colon, label, t
from .integrity import w as rw
from .review_text import problem_text
from .spreadsheet import cell_number, column_letter

# key, French header, English header, width
COLUMNS = [
    ("group", "Poste", "Department", 18), ("id", "N°", "No.", 12), ("title", "Action", "Action", 48),
    ("points", "Points", "Points", 7), ("mandatory", "Impératif", "Mandatory", 10), ("status", "Statut", "Status", 13),
    ("follow_up", "Suivi", "Follow-up", 13), ("owner", "Responsable", "Owner", 16), ("due", "Échéance", "Due", 11),
    ("comment", "Commentaire", "Comment", 28), ("stage", "Étape", "Stage", 18),
    ("expected", "Justificatifs attendus", "Evidence expected", 40), ("found", "Justificatifs trouvés", "Evidence found", 28),
    ("notes", "Remarques raccord", "raccord notes", 24), ("provenance", "Provenance", "Provenance", 14),
    ("validated", "Statut validé par l'auditeur", "Status validated by the auditor", 14),
    ("auditor", "Décision de l'auditeur", "Auditor's decision", 30),
]
FILLED_IN = ("follow_up", "owner", "due", "comment")  # what the coordinator writes; the rest is raccord's
FOLLOW_UP = {
    "todo": {"fr": "à faire", "en": "to do"}, "in_progress": {"fr": "en cours", "en": "in progress"},
    "done": {"fr": "fait", "en": "done"}, "not_applicable": {"fr": "non applicable", "en": "not applicable"},
    "declined": {"fr": "écarté", "en": "declined"},
}
STATUS_FILL = {"met": "C6EFCE", "not_met": "FFC7CE", "unknown": "FFEB9C", "not_applicable": "E7E6E6"}
TITLE = {"fr": "Liste d'actions", "en": "Action list"}


@dataclass
class Checklist:
    title: list[str]  # the lines of the title block
    header: list[str]
    rows: list[list[Any]]


def header_names(lang: str) -> list[str]:
    return [en if lang == "en" else fr for _key, fr, en, _w in COLUMNS]


def build(evaluation: Evaluation, ruleset_id: str, lang: str = "fr") -> Checklist:
    from raccord import __version__
    from raccord.engine.report import result_document

    from .summary import counts_text, decision_line, detail_lines

    rs = evaluation.library.rulesets[ruleset_id]
    groups = {g.id: g for g in rs.model.groups}
    file = evaluation.dossier.file
    evidence_by_id = {item.id: item for item in file.evidence}
    stages = {s.id: s.title.get(lang) for s in rs.model.stages}
    yes, no = ("yes", "no") if lang == "en" else ("oui", "non")
    rows: list[list[Any]] = []
    validated = review.validated(evaluation).ctx.statuses  # only the evidence the auditor accepted counts
    held = review.item_reviews(evaluation.dossier)
    for crit in rs.display_order:
        entry = criterion_entry(evaluation, rs, crit)
        found = []
        for item_id in entry.get("evidence_used", []):
            item = evidence_by_id.get(item_id)
            found.append(item_id + (f" ({item.path or item.url})" if item and (item.path or item.url) else ""))
        for problem in entry.get("evidence_problems", []):
            found.append(problem_text(problem, lang))  # a rejected item with the auditor's reason
        notes = entry.get("justification") or ""
        if entry.get("missing_facts"):
            notes = (notes + " " if notes else "") + label("missing_facts", lang) + ", ".join(entry["missing_facts"])
        track = file.tracking.get(crit.id)
        follow = _follow_up(crit.id, track, file)
        due = track.due if track and track.due else calendar_due(entry)
        values = {
            "group": groups[crit.model.group].title.get(lang), "id": crit.id, "title": crit.model.title.get(lang),
            "points": cell_number(crit.model.points), "mandatory": yes if crit.model.mandatory else no,
            "status": t(entry["status"], lang), "follow_up": FOLLOW_UP[follow][lang] if follow else "",
            "owner": track.owner if track and track.owner else "", "due": due,
            "comment": (track.comment if track and track.comment else "") or file.declined.get(crit.id)
            or file.not_applicable.get(crit.id) or "",
            "stage": stages.get(crit.model.stage or "", ""),
            "expected": "\n".join(e.description.get(lang) for e in crit.model.evidence),
            "found": "\n".join(found), "notes": notes, "provenance": t(crit.model.provenance, lang),
            "validated": t(validated.get(crit.id, entry["status"]), lang),
            "auditor": "\n".join(_decision(eid, held[eid], lang) for eid in _items_of(entry) if held[eid].source != "none"),
        }
        rows.append([values[key] for key, *_ in COLUMNS])
    doc = result_document(evaluation, __version__, complete=False)
    summary = next(r for r in doc["rulesets"] if r["id"] == ruleset_id)
    production = file.production
    decision = decision_line(summary, lang)
    details = [line for line in detail_lines(summary, lang) if not line.startswith(label("criteria", lang))]
    title = [f"{TITLE[lang]} — {rs.model.title.get(lang)}",
             f"{production.title} ({production.id}) — {label('as_of', lang)}{evaluation.as_of.isoformat()}",
             " — ".join([label("decision", lang) + decision, *details]) if decision != "-" else " — ".join(details),
             label("criteria", lang) + counts_text(summary["counts"], lang)]
    return Checklist(title, header_names(lang), rows)


def _items_of(entry: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*entry.get("evidence_used", []), *(p["id"] for p in entry.get("evidence_problems", []))]))


def _decision(eid: str, held: review.ItemReview, lang: str) -> str:
    """`EV-069 : rejetée — Menus non datés (Auditrice, 2025-05-20)`: the auditor's decision on one item."""
    out = f"{eid}{colon(lang)}{rw(held.status, lang)}"
    if held.reason:
        out += f" — {held.reason}"
    if held.by:
        out += f" ({held.by}" + (f", {held.date}" if held.date else "") + ")"
    return out


def _follow_up(cid: str, track: Any, file: Any) -> str | None:
    if cid in file.not_applicable:
        return "not_applicable"
    if cid in file.declined:
        return "declined"
    return track.status if track else None


def calendar_due(entry: dict[str, Any]) -> dt.date | None:
    due = (entry.get("due") or {}).get("due")
    return dt.date.fromisoformat(due) if due else None


def checklist_rows(evaluation: Evaluation, ruleset_id: str, lang: str = "fr") -> list[list[Any]]:
    """The checklist as rows, header first (the CSV)."""
    made = build(evaluation, ruleset_id, lang)
    return [made.header, *[[v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in made.rows]]


HEADER_ROW = 6  # title block on rows 1-4, a blank row, then the header


def write_xlsx(made: Checklist, lang: str) -> bytes:
    import openpyxl
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Actions" if lang == "en" else "Liste d'actions"
    for i, line in enumerate(made.title, start=1):
        sheet.cell(row=i, column=1, value=line).font = Font(bold=i == 1, size=14 if i == 1 else 11)
    keys = [key for key, *_ in COLUMNS]
    thin = Side(style="thin", color="999999")
    for col, name in enumerate(made.header, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7" if keys[col - 1] in FILLED_IN else "D9D9D9")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(bottom=thin)
        sheet.column_dimensions[column_letter(col - 1)].width = COLUMNS[col - 1][3]
    status_col = keys.index("status")
    for r, row in enumerate(made.rows, start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value="" if value is None else value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY" if lang == "fr" else "YYYY-MM-DD"
        status_key = next((k for k in STATUS_FILL if t(k, lang) == row[status_col]), None)
        if status_key:
            sheet.cell(row=r, column=status_col + 1).fill = PatternFill("solid", fgColor=STATUS_FILL[status_key])
        sheet.row_dimensions[r].height = row_height(row)
    last = HEADER_ROW + len(made.rows)
    width = column_letter(len(COLUMNS) - 1)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{width}{last}"
    sheet.freeze_panes = f"D{HEADER_ROW + 1}"
    follow_letter = column_letter(keys.index("follow_up"))
    choices = ",".join(v[lang] for v in FOLLOW_UP.values())
    follow = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                            error=("Choisissez dans la liste" if lang == "fr" else "Choose from the list"))
    follow.add(f"{follow_letter}{HEADER_ROW + 1}:{follow_letter}{last}")
    due_letter = column_letter(keys.index("due"))
    dates = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)", allow_blank=True,
                           showErrorMessage=True, error=("Une date, par exemple 02/03/2026" if lang == "fr" else "A date"))
    dates.add(f"{due_letter}{HEADER_ROW + 1}:{due_letter}{last}")
    sheet.add_data_validation(follow)
    sheet.add_data_validation(dates)
    green = PatternFill("solid", fgColor="C6EFCE")
    done = FOLLOW_UP["done"][lang]
    sheet.conditional_formatting.add(f"{follow_letter}{HEADER_ROW + 1}:{follow_letter}{last}",
                                     FormulaRule(formula=[f'{follow_letter}{HEADER_ROW + 1}="{done}"'], fill=green))
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_height(row: list[Any]) -> float:
    """Points for the tallest wrapped cell of a row (about 1.1 characters per unit of column width)."""
    lines = 1
    for (_key, _fr, _en, width), value in zip(COLUMNS, row, strict=True):
        if isinstance(value, str) and value:
            per_line = max(1, int(width * 1.1))
            lines = max(lines, sum(math.ceil(max(len(part), 1) / per_line) for part in value.split("\n")))
    return 15.0 * lines + 2


@dataclass
class Edited:
    """One action row as the coordinator left it."""

    row: int
    criterion: str
    follow_up: str | None  # a FOLLOW_UP key
    owner: str | None
    due: dt.date | None
    comment: str | None


def read_xlsx(path: Any) -> list[Edited]:
    """The filled-in columns of an exported checklist (French or English headers), located errors."""
    from raccord.engine import InputError
    from raccord.engine.errors import Bilingual

    from .spreadsheet import blank, read_sheet

    sheet = read_sheet(path)
    names = {name: key for key, fr, en, _w in COLUMNS for name in (fr, en)}
    at = next((i for i, row in enumerate(sheet.rows[:30]) if "id" in [names.get(str(v).strip()) for v in row if v]), None)
    if at is None:
        raise InputError(sheet.place, Bilingual("pas de ligne d'en-tête avec une colonne « N° »",
                                                "no header row with a « No. » column"),
                         Bilingual("donnez une liste d'actions exportée par raccord export checklist",
                                   "give an action list exported by raccord export checklist"))
    columns = {names[str(v).strip()]: c for c, v in enumerate(sheet.rows[at]) if v and str(v).strip() in names}
    labels = {v[lang]: k for k, v in FOLLOW_UP.items() for lang in ("fr", "en")}
    out = []
    for r, row in enumerate(sheet.rows[at + 1:], start=at + 2):
        def cell(key: str, row: list[Any] = row) -> Any:
            c = columns.get(key)
            return None if c is None or c >= len(row) or blank(row[c]) else row[c]

        cid = cell("id")
        if cid is None:
            continue
        follow = cell("follow_up")
        key = labels.get(str(follow).strip().lower()) if follow is not None else None
        if follow is not None and key is None:
            raise InputError(f"{sheet.place}, ligne {r}", Bilingual(
                f"suivi « {follow} » inconnu", f"unknown follow-up '{follow}'"),
                Bilingual("choisissez : " + ", ".join(v["fr"] for v in FOLLOW_UP.values()),
                          "choose: " + ", ".join(v["en"] for v in FOLLOW_UP.values())))
        due = cell("due")
        if isinstance(due, dt.datetime):
            due = due.date()
        elif isinstance(due, str):
            due = _parse_day(due, f"{sheet.place}, ligne {r}")
        owner, comment = cell("owner"), cell("comment")
        out.append(Edited(r, str(cid).strip(), key, str(owner).strip() if owner else None, due,
                          str(comment).strip() if comment else None))
    return out


def _parse_day(value: str, where: str) -> dt.date:
    from raccord.engine import InputError
    from raccord.engine.errors import Bilingual

    text = value.strip()
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise InputError(where, Bilingual(f"échéance « {value} » illisible", f"unreadable due date '{value}'"),
                     Bilingual("écrivez une date, par exemple 02/03/2026", "write a date, e.g. 2026-03-02"))

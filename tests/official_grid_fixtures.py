"""Official-style grids built with openpyxl, laid out as the published grids are: title rows above
the header, chapters or posts as merged section rows, one column per level marked « X », numbers
typed as numbers, sub-totals and a TOTAL row, blank rows and a legend. The wordings are raccord's
(the official texts are not in our sources); the layout is the point."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

# AFNOR SPEC 2308: (number, criterion, level, justificatifs à fournir). Chapter 1 has three criteria
# the reconstruction does not know (1.8-1.10); 1.10 is typed as the number 1.1.
AFNOR_CHAPTERS = [
    ("1. GOUVERNANCE RSE", [
        ("1.1", "Rédiger et diffuser une note d'intention RSE", 1, "Note d'intention RSE et preuve de diffusion"),
        ("1.2", "Élaborer la stratégie RSE du projet", 1, "Document de stratégie RSE du projet"),
        ("1.3", "Réaliser les bilans carbone prévisionnel et définitif", 1, "Bilans carbone issus d'un calculateur homologué"),
        ("1.4", "Identifier une ou plusieurs personnes ressources RSE", 1, "Lettre de mission ou organigramme"),
        ("1.5", "Fonder les bilans carbone sur des mesures physiques", 2, "Relevés physiques (factures, compteurs)"),
        ("1.6", "Engager la société dans une démarche d'amélioration continue", 3, "Revue des projets comparables"),
        ("1.7", "Établir la stratégie bas carbone de la société", 3, "Stratégie bas carbone consolidée"),
        ("1.8", "Nommer un référent RSE dans chaque département", 2, "Liste des référents par département"),
        ("1.9", "Présenter le bilan RSE à l'équipe en fin de tournage", 2, "Support de présentation et feuille d'émargement"),
        ("1.10", "Publier le bilan RSE du projet", 2, "Bilan publié (lien ou copie)"),
    ]),
    ("2. ÉNERGIE ET MOBILITÉ", [
        ("2.1", "Établir un plan de mobilité", 1, "Plan de mobilité du projet"),
        ("2.2", "Établir un plan énergétique", 1, "Plan énergétique du projet"),
        ("2.3", "Réduire les émissions liées à la mobilité", 2, "Billets de train, listes de covoiturage"),
        ("2.4", "Utiliser des énergies bas carbone", 2, "Factures de raccordement ou de groupes électrogènes"),
    ]),
    ("3. ACHATS RESPONSABLES, ALIMENTATION ET DÉCHETS", [
        ("3.1", "Réduire la part des repas carnés", 2, "Menus et contrat de restauration"),
        ("3.2", "Identifier, réduire et recycler les déchets", 1, "Suivi des déchets et bordereaux"),
        ("3.3", "Choisir des prestataires responsables", 2, "Liste des prestataires et critères de choix"),
        ("3.4", "Privilégier des consommables à moindre impact", 2, "Factures de consommables"),
        ("3.5", "Réemployer les éléments ayant servi au projet", 2, "Justificatifs de réemploi"),
    ]),
    ("4. SOBRIÉTÉ NUMÉRIQUE", [
        ("4.1", "Identifier les impacts numériques du projet", 1, "Diagnostic des impacts numériques"),
        ("4.2", "Gérer de façon raisonnée les équipements techniques", 2, "Inventaire des équipements"),
        ("4.3", "Limiter la production de données numériques", 2, "Plan de gestion des données"),
    ]),
    ("5. BIODIVERSITÉ ET BIEN-ÊTRE ANIMAL", [
        ("5.1", "Relever les points de vigilance biodiversité du dépouillement", 1, "Dépouillement annoté"),
        ("5.2", "Mettre en œuvre un plan d'actions biodiversité", 2, "Plan d'actions biodiversité"),
    ]),
    ("6. INCLUSION, PARITÉ ET QVT", [
        ("6.1", "Sensibiliser au recrutement inclusif", 1, "Offres d'emploi du projet"),
        ("6.2", "Mesurer le taux de parité des équipes", 1, "Relevé de parité"),
        ("6.3", "Solliciter les réseaux de recrutement inclusif", 2, "Preuves de sollicitation des réseaux"),
        ("6.4", "Constituer une équipe paritaire", 2, "Liste d'équipe avec les postes"),
        ("6.5", "Intégrer la QVT au plan de travail", 2, "Plan de travail"),
    ]),
    ("7. FORMATION ET SENSIBILISATION", [
        ("7.1", "Recenser les personnes sensibilisées ou formées", 1, "Registre des personnes formées"),
        ("7.2", "Sensibiliser la moitié des équipes et former les chefs de poste", 2, "Feuilles d'émargement"),
    ]),
]
AFNOR_NEW = ["AFN-1.8", "AFN-1.9", "AFN-1.10"]
AFNOR_HEADER = ["N°", "Critère", "Niveau 1", "Niveau 2", "Niveau 3", "Justificatifs à fournir", "Commentaires"]


def afnor_rows() -> list[tuple[list, dict]]:
    """The sheet's rows, each with how it is written: {"merge": True} for a section row merged across,
    {"format": "0.00"} for the cell of a number typed as a number."""
    rows: list[tuple[list, dict]] = [
        (["AFNOR SPEC 2308 — Production audiovisuelle, cinématographique et publicitaire responsable"], {"merge": True}),
        (["Grille d'auto-évaluation des critères (version de travail)"], {}),
        ([], {}),
        (AFNOR_HEADER, {}),
    ]
    for chapter, criteria in AFNOR_CHAPTERS:
        rows.append(([chapter], {"merge": True}))
        for number, title, level, proof in criteria:
            marks = ["X" if level <= n else None for n in (1, 2, 3)]
            rows.append(([float(number), title, *marks, proof, None], {"format": "0.00" if number == "1.10" else None}))
        rows.append(([f"Sous-total chapitre {chapter.split('.')[0]}", None, *[sum(1 for c in criteria if c[2] <= n)
                                                                           for n in (1, 2, 3)]], {}))
        rows.append(([], {}))
    total = sum(len(c) for _, c in AFNOR_CHAPTERS)
    rows.append((["TOTAL", f"{total} critères", None, None, None, None, None], {}))
    rows.append((["Légende : X = critère exigé à ce niveau ; les niveaux sont cumulatifs"], {}))
    return rows


def write_afnor_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Critères"
    for r, (values, how) in enumerate(afnor_rows(), start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(r, c, value)
        if how.get("format"):
            sheet.cell(r, 1).number_format = how["format"]
        if how.get("merge"):
            sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(AFNOR_HEADER))
            sheet.cell(r, 1).font = Font(bold=True)
    workbook.save(path)
    return path


def write_afnor_csv(path: Path) -> Path:
    """As a French spreadsheet saves it: `;`, decimal commas, what the cell shows (1.10 typed as a
    number without its format shows 1,1), merged cells in their first column only."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for values, _ in afnor_rows():
        shown = [f"{v:g}".replace(".", ",") if isinstance(v, float) else v for v in values]
        writer.writerow(["" if v is None else v for v in shown])
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


# Label Ecoprod, v1 layout: posts as section rows, « Déplacements » and « Régie » as two posts (F32).
ECOPROD_POSTS = [
    ("1. PRODUCTION ET ENGAGEMENT", [("1.1", "Réaliser un bilan carbone prévisionnel", 3, "oui", "Export du calculateur"),
                                     ("1.2", "Réaliser le bilan carbone définitif", 3, "oui", "Export du calculateur")]),
    ("8. DÉPLACEMENTS", [("8.1", "Privilégier le train à l'avion", 2, None, "Tableau des trajets"),
                         ("8.2", "Organiser le covoiturage", 1, None, "Listes de covoiturage")]),
    ("9. RÉGIE", [("9.1", "Fournir des gourdes à toute l'équipe", 1.5, None, "Factures"),
                  ("9.2", "Trier les déchets sur le plateau", 1, "oui", "Bordereaux de collecte")]),
]
ECOPROD_HEADER = ["N°", "Action", "Points", "Critère impératif", "Justificatifs à fournir"]


def write_ecoprod_xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Grille"
    sheet.append(["Label Ecoprod — grille d'évaluation"])
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(ECOPROD_HEADER)
    first = sheet.max_row + 1
    for post, actions in ECOPROD_POSTS:
        sheet.append([post])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=5)
        start = sheet.max_row + 1
        for number, title, points, mandatory, proof in actions:
            sheet.append([float(number), title, points, mandatory, proof])
        sheet.append([None, "Sous-total", f"=SUM(C{start}:C{sheet.max_row})"])
    sheet.append([])
    sheet.append(["TOTAL", None, f"=SUMIF(B{first}:B{sheet.max_row},\"<>Sous-total\",C{first}:C{sheet.max_row})"])
    workbook.save(path)
    return path

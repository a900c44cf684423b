"""Help texts of commands whose modules were written before `bi` existed (cli/language.py): their
French (or English) source text is translated here without editing those modules. A module that
adopts `help=bi(fr, en)` can drop its lines here; tests/test_languages.py fails when a help text
shows up in the wrong language, so a changed text cannot go silently untranslated."""

from __future__ import annotations

from .language import bi, known

# -- French docstrings: their English --------------------------------------------------------------
bi("Calendrier : échéances, jalons et preuves qui expirent, par date (texte, Markdown, JSON, iCalendar).",
   "Calendar: deadlines, milestones and expiring evidence, by date (text, Markdown, JSON, iCalendar).")
bi("Label Ecoprod : importer la grille officielle, exporter la grille.",
   "Label Ecoprod: import the official grid, export the grid.")
bi("Écrire la grille du référentiel ecoprod_label au format d'import (xlsx ou csv).",
   "Write the grid of the ecoprod_label ruleset in its import format (xlsx or csv).")
bi("""Convertir une grille (xlsx ou csv) en référentiel validé (provenance official_text).

   Identique à : raccord grid import --ruleset ecoprod_label. Évaluer ensuite avec :
   raccord check DOSSIER --ruleset-file FICHIER.""",
   """Convert a grid (xlsx or csv) into a validated ruleset (provenance official_text).

   Same as: raccord grid import --ruleset ecoprod_label. Then evaluate with:
   raccord check DOSSIER --ruleset-file FILE.""")
bi("Gérer le registre des preuves du dossier.", "Manage the dossier's evidence register.")
bi("Grilles officielles (xlsx, csv) d'un référentiel décrit par son grid.yaml : importer, exporter, vérifier.",
   "Official grids (xlsx, csv) of a referential described by its grid.yaml: import, export, check.")
bi("Vérifier un grid.yaml (format, colonnes, mots-clés) contre le référentiel qu'il nomme.",
   "Check a grid.yaml (format, columns, keywords) against the referential it names.")
bi("Écrire la grille d'un référentiel au format d'import de son grid.yaml (xlsx ou csv).",
   "Write a referential's grid in the import format of its grid.yaml (xlsx or csv).")
bi("""Convertir une grille en référentiel validé (provenance official_text par défaut).

   Chaque ligne non importée (titre, section, sous-total, TOTAL, ligne vide, légende) est signalée
   avec son numéro. Évaluer ensuite avec : raccord check DOSSIER --ruleset-file FICHIER ; migrer un
   dossier avec : raccord migrate DOSSIER --mapping MAPPING.yaml --to FICHIER.""",
   """Convert a grid into a validated ruleset (provenance official_text by default).

   Each row not imported (title, section, subtotal, TOTAL, empty row, legend) is reported with its
   number. Then evaluate with: raccord check DOSSIER --ruleset-file FILE; migrate a dossier with:
   raccord migrate DOSSIER --mapping MAPPING.yaml --to FILE.""")
bi("""Migrer un dossier d'une grille à l'autre (grille reconstituée -> grille officielle importée) selon
   une correspondance, et dire ce qui a été repris, ce qui ne l'a pas été et ce qui change dans le verdict.""",
   """Migrate a dossier from one grid to another (reconstructed grid -> imported official grid) along a
   mapping, and say what was carried over, what was not and what changes in the verdict.""")

# -- docstrings mixing both languages -------------------------------------------------------------
known("""Vérifier les preuves d'un dossier (fichiers, empreintes, dates) ou un paquet d'audit reçu (.zip).

      Exit code 3 when a file is missing, modified, outside the dossier folder or expired
      (for a bundle: a file missing, extra or modified against its manifest).""",
      fr="""Vérifier les preuves d'un dossier (fichiers, empreintes, dates) ou un paquet d'audit reçu (.zip).

      Code de sortie 3 si un fichier manque, a été modifié, est hors du dossier ou a expiré
      (pour un paquet : un fichier manquant, en trop ou modifié par rapport à son manifeste).""",
      en="""Check a dossier's evidence (files, hashes, dates) or a received audit bundle (.zip).

      Exit code 3 when a file is missing, modified, outside the dossier folder or expired
      (for a bundle: a file missing, extra or modified against its manifest).""")


# -- English option help and metavars: their French ------------------------------------------------
for fr, en in [
    ("Où écrire le paquet (atomiquement).", "Where to write the bundle (atomically)."),
    ("FICHIER.zip", "FILE.zip"),
    ("Construire le paquet même si des fichiers de preuve manquent ou ont changé (inscrit au manifeste).",
     "Bundle even if evidence files are missing or modified (recorded in the manifest)."),
    ("Le fichier de grille à écrire (.xlsx ou .csv).", "The grid file to write (.xlsx or .csv)."),
    ("Écrire le référentiel dans FICHIER (par défaut : la sortie standard).",
     "Write the ruleset to FILE (default: standard output)."),
    ("Dossier de référentiels d'où prendre la description de grille, la politique et les faits.",
     "Folder of rulesets to take the grid description, policy and facts from."),
    ("NATURE", "KIND"),
    ("RÔLE", "ROLE"),
    ("Une note pour l'auditeur.", "A note for the auditor."),
    ("TEXTE", "TEXT"),
    ("Le référentiel à écrire sous forme de grille.", "The ruleset to write as a grid."),
    ("Le référentiel dont le grid.yaml décrit la grille.", "The ruleset whose grid.yaml describes the grid."),
    ("Correspondance depuis la grille reconstituée : les critères sans condition prennent la leur (docs/migrate.md).",
     "Correspondence from the reconstructed grid: criteria that state no condition take theirs (docs/migrate.md)."),
    ("La correspondance de la grille du dossier vers l'autre (docs/migrate.md).",
     "The correspondence from the dossier's grid to the other (docs/migrate.md)."),
    ("L'autre grille : un fichier de référentiel (une grille officielle importée) ou un id de référentiel "
     "(par défaut : le `to` de la correspondance).",
     "The other grid: a ruleset file (an imported official grid) or a ruleset id (default: the mapping's `to`)."),
    ("RÉFÉRENTIEL", "RULESET"),
    ("Le dossier migré (par défaut : DOSSIER-<to>.yaml à côté).", "The migrated dossier (default: DOSSIER-<to>.yaml beside it)."),
    ("Écrire le compte rendu dans FICHIER (par défaut : la sortie standard).",
     "Write the report to FILE (default: standard output)."),
    ("Ne mesurer les changements que sur ce référentiel (répétable).", "Measure changes only on this ruleset (repeatable)."),
    ("Lister chaque élément, pas seulement les problèmes et avertissements.",
     "List every item, not only problems and warnings."),
    ("FICHIER", "FILE"),
]:
    bi(fr, en)

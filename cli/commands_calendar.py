"""`raccord calendar`: every dated obligation, milestone and expiring piece of evidence, in date
order, as text, Markdown (cli/render_calendar.py), JSON or iCalendar (cli/calendar_ics.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from raccord import __version__
from raccord.engine.calendar import calendar_document

from .context import common_as_of, common_lang, common_rulesets, library_from, library_options, run_evaluation
from .output import write_atomic
from .render_calendar import calendar_md, calendar_text


def register(cli: click.Group) -> None:
    @cli.command()
    @click.argument("dossier", type=click.Path(dir_okay=False))
    @common_rulesets
    @common_as_of
    @common_lang
    @click.option("--format", "fmt", type=click.Choice(["text", "md", "json", "ics"]), default="text", show_default=True)
    @click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically) instead of standard output.")
    @library_options
    def calendar(dossier, rulesets, as_of, lang, fmt, output, rulesets_dir, ruleset_files):
        """Calendrier : échéances, jalons et preuves qui expirent, par date (texte, Markdown, JSON, iCalendar)."""
        library = library_from(rulesets_dir, ruleset_files)
        evaluation = run_evaluation(library, dossier, as_of, rulesets)
        doc = calendar_document(evaluation, __version__)
        if fmt == "json":
            content: str | bytes = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        elif fmt == "ics":
            from .calendar_ics import render_ics

            content = render_ics(doc, lang)
        elif fmt == "md":
            content = calendar_md(doc, lang)
        else:
            content = calendar_text(doc, lang)
        if not output:
            click.echo(content, nl=False)
            return
        write_atomic(Path(output), content)  # a WriteError says why, in both languages

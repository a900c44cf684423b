"""The report as PDF (`--format pdf`): the HTML report laid out by WeasyPrint with its print style
(templates/print.css.j2: A4, page numbers, the dossier's sha256 in every footer, the table of
contents with page numbers, the PDF's bookmarks from the headings).

Why WeasyPrint rather than a browser's print: it installs with pip like every other dependency
(it needs the system's Pango, present on desktop Linux and installed by .ci/run), it implements
CSS Paged Media (margin boxes, `target-counter` for the contents' page numbers, bookmarks), it runs
in-process with no sandbox to disable and no browser to find, and its output depends only on its
input (no creation date: the same report gives the same bytes). It is slower: about 20 s of CPU for
the feature-film example's 25 pages, where Chromium needs 2 s (README).

Nothing is fetched while rendering: the report is self-contained, and the URL fetcher refuses
every URL, so a crafted dossier cannot make the renderer read a local file or the network.
"""

from __future__ import annotations

import logging
import re
from typing import Any, NoReturn

from raccord.engine import InputError
from raccord.engine.errors import Bilingual


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"raccord fetches nothing while printing ({url[:80]})")


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise InputError("--format pdf", Bilingual(f"le PDF demande WeasyPrint et la bibliothèque Pango ({exc})",
                                                   f"PDF needs WeasyPrint and the Pango library ({exc})"),
                         Bilingual("pip install weasyprint ; sous Debian : apt-get install libpango-1.0-0 "
                                   "libpangoft2-1.0-0 ; ou --format html puis Imprimer",
                                   "pip install weasyprint; on Debian: apt-get install libpango-1.0-0 "
                                   "libpangoft2-1.0-0; or --format html then Print")) from None
    for name in ("weasyprint", "fontTools"):  # CSS the renderer skips (screen-only rules) is not the user's concern
        logging.getLogger(name).setLevel(logging.ERROR)
    return weasyprint


_RELATIVE_HREF = re.compile(r'\shref="(?!#|https?://)[^"]*"')


def html_to_pdf(html: str) -> bytes:
    """The PDF of a report page. Links to evidence files are left out: a PDF would hold them as
    absolute `file://` paths of this machine (the PDF travels, the paths would not, and would tell
    the producer's folder layout); the register names every file. Anchors and web links stay."""
    weasyprint = _weasyprint()
    page = _RELATIVE_HREF.sub("", html)
    return weasyprint.HTML(string=page, base_url=".", url_fetcher=_no_fetch).render().write_pdf()

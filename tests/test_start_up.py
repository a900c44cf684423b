"""What a warm `raccord check` leaves out of its start-up, and the stand-ins that make it possible
(engine/sha.py, deadlines._days_in_month): same results as the standard library's."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as hs

from raccord.cli.i18n import _agreed, _agreed_by_formatter
from raccord.engine import sha
from raccord.engine.deadlines import _days_in_month, add_months

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "long_metrage" / "dossier.yaml"
# Each costs a cold check millions of instructions to import (bench/README.md); none is needed to
# check a dossier whose files' digests are known.
NOT_ON_THE_CHECK_PATH = ("pydantic", "hashlib", "_hashlib", "calendar", "locale", "pickle", "zlib", "string")


@given(hs.binary(max_size=2000))
def test_the_builtin_sha256_gives_hashlibs_digest(data):
    digest = sha.sha256(data[:7])
    digest.update(data[7:])
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_days_in_month_is_calendars_for_every_month_of_every_year():
    assert all(_days_in_month(year, month) == calendar.monthrange(year, month)[1]
               for year in range(1, 10000) for month in range(1, 13))


def test_add_months_keeps_the_end_of_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(1900, 1, 29), 1) == dt.date(1900, 2, 28)
    assert add_months(dt.date(2000, 3, 31), -1) == dt.date(2000, 2, 29)
    assert add_months(dt.date(2025, 8, 31), 1) == dt.date(2025, 9, 30)


def test_a_warm_check_imports_none_of_the_costly_modules(tmp_path):
    probe = (f"import sys; sys.argv = ['raccord', 'check', {str(EXAMPLE)!r}, '--as-of', '2025-10-15']\n"
             "from raccord.cli.entry import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print(' '.join(m for m in {NOT_ON_THE_CHECK_PATH!r} if m in sys.modules) or 'NONE', file=sys.stderr)")
    env = {"RACCORD_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    second = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert "hashlib" in first.stderr  # the first run reads and hashes the files
    assert second.stderr.split()[-1] == "NONE"
    assert first.stdout == second.stdout and "Label Ecoprod" in second.stdout


def test_agreed_texts_read_by_the_c_parser_are_string_formatters():
    cases = [("{n:revue|revues} et {m}", {"n": 1, "m": "x"}), ("{n:revue|revues}", {"n": 2}),
             ("{x!r:>5} {n:.1f} {n:jour|jours}", {"x": "a", "n": 1.5}), ("{{lit}} {n:cas|cas}", {"n": 0}),
             ("{a.real} {n:point|points}", {"a": 3, "n": 3})]
    for text, values in cases:
        for lang in ("fr", "en"):
            assert _agreed(text, lang, values) == _agreed_by_formatter(text, lang, values)
    assert _agreed("{n:jour|jours}", "fr", {"n": 1.5}) == "1.5 jour"
    assert _agreed("{n:jour|jours}", "en", {"n": 1.5}) == "1.5 jours"

"""The errors of a ruleset file, and `raccord evidence add`'s, in French by default and English with
--lang en, at the same place (issue 16: « French everywhere a user looks: errors and hints »).

Each case breaks one thing in a small ruleset and checks the French and English renderings of the
one error: same location, French words in French (no common English word), English in English."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from unittest import mock

import pytest

from raccord.cli.main import main
from raccord.engine import InputError
from raccord.engine.messages_fr import french, translated

from .support import criterion, library_of, ruleset_yaml
from .test_languages import english_words, french_words

SOURCE = "source: {document: src, section: x}"
GOOD = [criterion("T-ONE", "{fact: work.live_action}", points=2),
        criterion("T-TWO", "{evidence: charte}", evidence=["charte"], points=1)]
POLICY = f"{{kind: threshold, threshold: [{{value: 0.5, inclusive: true, {SOURCE}}}]}}"

CASES = {
    "unknown fact": [criterion("T-ONE", "{fact: work.live_actoin}")],
    "unknown criterion": [criterion("T-ONE", "{criterion: T-NONE}")],
    "unknown test": [criterion("T-ONE", "{fact: company.headcount, greater: 3}")],
    "unknown condition form": [criterion("T-ONE", "{fakt: work.live_action}")],
    "a set tested as a boolean": [criterion("T-ONE", "{fact: work.regions}")],
    "ratio of a boolean": [criterion("T-ONE", "{ratio: [work.live_action, team.total], gte: 0.4}")],
    "id used twice": [criterion("T-ONE", "{fact: work.live_action}"), criterion("T-ONE", "{fact: work.live_action}")],
    "unknown group": [criterion("T-ONE", "{fact: work.live_action}").replace("group: g", "group: nulle_part")],
    "unknown source": [criterion("T-ONE", "{fact: work.live_action}").replace("document: src", "document: ailleurs")],
    "an id of the wrong form": [criterion("T-ONE", "{fact: work.live_action}").replace("id: T-ONE", "id: t_one")],
    "a negative effort": [criterion("T-ONE", "{fact: work.live_action}", effort=-1)],
    "evidence tested, not described": [criterion("T-ONE", "{evidence: charte}")],
    "unknown stage": [criterion("T-ONE", "{fact: work.live_action}", stage="tournage")],
    "points missing": ["- id: T-ONE\n  title: {fr: a, en: a}\n  group: g\n  requires: {fact: work.live_action}\n"
                       "  source: {document: src, section: x}\n  provenance: reconstructed\n  points: 1",
                       "- id: T-TWO\n  title: {fr: b, en: b}\n  group: g\n  requires: {fact: work.live_action}\n"
                       "  source: {document: src, section: x}\n  provenance: reconstructed\n  points: 0"],
}


def error_of(criteria: list[str]) -> InputError:
    scored = [c if "points:" in c else c + "\n  points: 1" for c in criteria]  # a threshold policy counts points
    with pytest.raises(InputError) as info:
        library_of(ruleset_yaml("toy", POLICY, scored))
    return info.value


def prose(shown: str, where: str) -> str:
    """The sentence without its place nor the lists of allowed names (identifiers: `in`, `every`...)."""
    return re.sub(r"[\w\[\]']+(?:, [\w\[\]']+)+", " ", shown.removeprefix(where))


def test_a_good_ruleset_loads():
    assert set(library_of(ruleset_yaml("toy", POLICY, GOOD)).criteria) == {"T-ONE", "T-TWO"}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_ruleset_error_in_french_and_english_at_the_same_place(case):
    error = translated(error_of(CASES[case]))  # as the command line shows it (cli/main.py error_line)
    fr, en = error.render("fr"), error.render("en")
    assert error.where and re.search(r":\d+:\d+$", error.where), fr
    assert fr.startswith(error.where + ": ") and en.startswith(error.where + ": ")
    assert fr != en, fr  # translated, not the English twice
    assert english_words(prose(fr, error.where)) == [], fr
    assert french_words(prose(en, error.where)) == [], en
    if "(conseil : " in fr:
        assert "(hint: " in en


def raised_texts(path: Path) -> list[str]:
    """The message and hint of every `raise InputError(where, message, hint)` / `raise fail(where,
    message, hint)` in a module, values shown as « x »."""
    import ast

    def sample(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
        return None

    texts = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = getattr(node.exc.func, "id", getattr(node.exc.func, "attr", ""))
            if name in ("InputError", "fail"):
                texts += [t for t in map(sample, node.exc.args[1:3]) if t]
    return texts


ENGINE = Path(__file__).resolve().parent.parent / "engine"


@pytest.mark.parametrize("module", ["loader.py", "policies/base.py", "policies/levels.py", "policies/eligibility.py"])
def test_the_loaders_own_messages_all_have_their_french(module):
    """Every message and hint the loader (and the policies' checks of a ruleset) raise is translated."""
    raised = raised_texts(ENGINE / module)
    assert raised
    missing = [text for text in raised if french(text) is None]
    assert missing == [], missing


def run(capsys, *args: str) -> tuple[int, str]:
    with mock.patch.object(sys, "argv", ["raccord", *args]):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().err


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "long_metrage" / "dossier.yaml"


@pytest.mark.parametrize(("args", "fr", "en"), [
    (["--kind", "note_intention", "--criteria", "AFN-GOV-01"],
     "nature de preuve inconnue « note_intention » : aucun critère ne l'attend "
     "(conseil : vouliez-vous dire « note_intention_rse » ?)",
     "unknown evidence kind 'note_intention': no criterion expects it (hint: did you mean 'note_intention_rse'?)"),
    (["--kind", "note_intention_rse", "--criteria", "AFN-GOV-99"], "critère inconnu : « AFN-GOV-99 »",
     "unknown criterion 'AFN-GOV-99'"),
    (["--kind", "note_intention_rse", "--criteria", "ECO-PROD-02"], "n'attend pas de preuve de nature « note_intention_rse »",
     "does not expect evidence of kind 'note_intention_rse'"),
])
def test_evidence_add_errors_in_each_language(capsys, monkeypatch, args, fr, en):
    monkeypatch.setenv("RACCORD_LANG", "")
    file = str(EXAMPLE.parent / "evidence" / "does-not-matter.txt")
    code, err = run(capsys, "evidence", "add", str(EXAMPLE), file, *args)
    assert code == 2 and err.startswith("raccord : erreur : ") and fr in err, err
    assert english_words(err.split(": ", 2)[-1]) == [], err
    code, err = run(capsys, "evidence", "add", str(EXAMPLE), file, *args, "--lang", "en")
    assert code == 2 and err.startswith("raccord: error: ") and en in err, err
    assert french_words(err) == [], err


def test_evidence_add_of_a_missing_file_in_french(capsys, monkeypatch):
    monkeypatch.setenv("RACCORD_LANG", "")
    missing = EXAMPLE.parent / "evidence" / "absent.pdf"
    code, err = run(capsys, "evidence", "add", str(EXAMPLE), str(missing), "--kind", "note_intention_rse",
                    "--criteria", "AFN-GOV-01")
    assert code == 2 and f"{missing}: fichier introuvable (conseil : vérifiez le chemin)" in err, err


def test_explain_of_an_unknown_criterion_in_each_language(capsys, monkeypatch):
    monkeypatch.setenv("RACCORD_LANG", "")
    code, err = run(capsys, "explain", str(EXAMPLE), "AFN-INC-3", "--as-of", "2025-10-15")
    assert code == 2, err
    assert err == "raccord : erreur : AFN-INC-3: critère inconnu (conseil : vouliez-vous dire « AFN-INC-03 » ?)\n", err
    code, err = run(capsys, "explain", str(EXAMPLE), "AFN-INC-3", "--as-of", "2025-10-15", "--lang", "en")
    assert code == 2 and err == "raccord: error: AFN-INC-3: unknown criterion (hint: did you mean 'AFN-INC-03'?)\n", err

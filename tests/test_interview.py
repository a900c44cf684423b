"""`raccord interview`: driven by scripted answers, through a pipe (the answer chosen by the fact
asked) and once at a real prompt in tmux. Checked: the dossier written (comments kept, loads with
no error), the questions asked (each one's answer can change a decision; none left at the end)."""

from __future__ import annotations

import datetime as dt
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from raccord.engine import questions as qn
from raccord.engine.api import Engine
from tests.support import requires

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-02-10"
DAY = dt.date(2026, 2, 10)
MAX_QUESTIONS = 60  # far above what any interview here asks: a loop fails instead of hanging
QUESTION = re.compile(r"^Question (\d+) — .* \[([a-z0-9_.]+)\]$", re.M)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def init(tmp_path: Path, *args: str) -> Path:
    path = tmp_path / "dossier.yaml"
    result = subprocess.run([sys.executable, "-m", "raccord", "init", *args, "-o", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return path


class Session:
    """`raccord interview` on a pipe: read up to each prompt, answer by the fact asked."""

    def __init__(self, path: Path, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "raccord", "interview", str(path), "--as-of", AS_OF, *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out = b""

    def until_prompt(self, timeout: float = 120) -> str | None:
        """The text up to the next prompt, or None when the interview ended."""
        end = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while not self.out.endswith(b"> "):
            ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
            assert ready, f"no prompt in {timeout} s: {self.out[-500:]!r}"
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.out += chunk
        return self.out.decode("utf-8")

    def answer(self, text: str) -> None:
        self.out += b"\n"  # the prompt is answered: wait for the next one
        self.proc.stdin.write(text.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def drive(self, answers: dict[str, str], default: str = "je ne sais pas", stop_after: int | None = None) -> list[str]:
        """Answer every question by its fact (`default` for the others); the facts asked, in order."""
        asked: list[str] = []
        seen = 0  # how much of the transcript was read at the last prompt
        while (text := self.until_prompt()) is not None:
            fresh = text[seen:]
            seen = len(text)
            if asked and "✘" in fresh and not QUESTION.search(fresh):
                # a scripted answer refused: the same prompt again, forever if the driver kept answering
                self.proc.kill()
                raise AssertionError(f"answer to {asked[-1]} refused: {fresh[-600:]}")
            assert len(asked) < MAX_QUESTIONS, f"more than {MAX_QUESTIONS} questions: {asked}"
            fact = QUESTION.findall(text)[-1][1]
            asked.append(fact)
            if stop_after is not None and len(asked) > stop_after:
                self.answer("stop")
                break
            self.answer(answers.get(fact, default))
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.out += self.proc.stdout.read()
        return asked

    @property
    def transcript(self) -> str:
        return self.out.decode("utf-8")


def as_text(facts: dict) -> str:
    return yaml.safe_dump({"format": "raccord.dossier/1", "production": {"id": "x", "title": "x"},
                           "facts": {k: sorted(v) if isinstance(v, frozenset) else v for k, v in facts.items()}})


def decisions(engine: Engine, facts: dict) -> dict:
    return qn.decisions(engine.evaluate(engine.dossier_from_text(as_text(facts)), DAY))


# An animated series produced in Occitanie: unlike every example (feature film, advertising, a
# live-action series, an animated feature).
ANIMATED_SERIES = {
    "work.genre": "Animation", "work.regions": "Occitanie", "work.live_action": "non", "work.french_initiative": "oui",
    "cnc.aid_requested": "oui", "cnc.aid_kinds": "production", "cnc.aid_application_date": "15/01/2026",
    "dates.first_shooting_day": "02/03/2026", "dates.wrap": "30/10/2026", "company.headcount": "8",
    "carbon.calculator": "Carbulator", "carbon.calculator_homologated": "oui", "aid.parity.points_women": "7",
    "aid.parity.animation_technique": "deux dimensions", "team.crew_total": "45",
}


def test_a_new_animated_series_written_only_with_init_and_interview(tmp_path, engine):
    path = init(tmp_path, "--type", "serie", "--id", "les-lutins-d-oc", "--title", "Les Lutins d'Oc")
    before = path.read_text(encoding="utf-8")
    session = Session(path)
    asked = session.drive(ANIMATED_SERIES)
    assert session.proc.returncode == 0, session.proc.stderr.read()
    assert "Plus aucune réponse ne peut changer une décision" in session.transcript
    assert len(asked) == len(set(asked)), "a question is asked once"
    catalogue = len(engine.library.catalogue)
    assert len(asked) < catalogue / 3, (len(asked), catalogue)
    print(f"\nanimated series in Occitanie: {len(asked)} questions asked, {catalogue} facts in the catalogue")
    # the dossier loads with no error and holds the answers, typed
    dossier = engine.dossier(path)
    given = {k for k in ANIMATED_SERIES if k in asked}
    assert given and given <= set(dossier.facts)
    assert dossier.facts["work.regions"] == frozenset({"occitanie"}) if "work.regions" in given else True
    assert dossier.facts["work.genre"] == "animation"
    # every comment line of the template is still there, in order
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    after_comments = [line for line in path.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    assert comments == after_comments
    # nothing is left to ask but what was left unknown on purpose
    skipped = [fact for fact in asked if fact not in ANIMATED_SERIES]
    assert engine.questions(dossier, DAY, skip=skipped) == []


def test_each_question_asked_could_change_a_decision(tmp_path, engine):
    path = init(tmp_path, "--type", "court_metrage")
    session = Session(path)
    answers = {"work.genre": "fiction", "work.regions": "Occitanie", "work.live_action": "oui", "cnc.aid_requested": "oui",
               "cnc.aid_kinds": "production", "company.headcount": "3"}
    asked = session.drive(answers, stop_after=8)
    state = {"work.type": "court_metrage"}
    for fact in asked[:-1]:
        before = decisions(engine, state)
        definition = engine.library.catalogue[fact]
        sample = ([True, False] if definition.type == "boolean" else list(definition.values or [])
                  if definition.type == "enum" else [[], *[[v] for v in definition.values]] if definition.type == "set"
                  else [DAY + dt.timedelta(days=d) for d in (-400, -30, -1, 0, 1, 30, 400)] if definition.type == "date"
                  else [0, 1, 2, 5, 10, 11, 50, 250, 1_000_000])
        listed = {q.fact: q for q in engine.questions(engine.dossier_from_text(as_text(state)), DAY)}
        assert fact in listed
        if not listed[fact].partners:  # the engine's own witness, checked here from a dossier file
            sample.append(listed[fact].example[fact])
        changed = False
        for value in sample:
            try:
                changed = changed or decisions(engine, {**state, fact: value}) != before
            except Exception:  # an impossible combination is no answer
                continue
        assert changed or listed[fact].partners, f"{fact} was asked but no answer changes a decision"
        if fact in answers:
            state[fact] = engine.fact_value(fact, answers[fact])


def test_stop_resume_back_and_french_answers(tmp_path, engine):
    path = init(tmp_path, "--type", "long_metrage")
    first = Session(path)
    asked = first.drive({}, default="je ne sais pas", stop_after=0)
    assert "Arrêt : 0 réponse enregistrée dans" in first.transcript  # French: the singular below 2, never « (s) »
    fact = asked[0]
    # resumed: the same first question, answered wrongly, then rightly, then undone with « retour »
    second = Session(path)
    text = second.until_prompt()
    assert QUESTION.findall(text)[-1][1] == fact
    definition = engine.library.catalogue[fact]
    good = {"boolean": "oui", "enum": (definition.values or [""])[0], "set": "Île-de-France",
            "date": "02/03/2026", "integer": "3 200", "number": "3 200 000"}[definition.type]
    second.answer("n'importe quoi 12/13")
    text = second.until_prompt()
    assert "✘" in text and "conseil : " in text
    second.answer(good)
    text = second.until_prompt()
    assert "→ enregistré" in text and fact in engine.dossier(path).facts
    second.answer("retour")
    text = second.until_prompt()
    assert f"réponse à « {fact} » annulée" in text and QUESTION.findall(text)[-1][1] == fact
    assert fact not in engine.dossier(path).facts
    second.answer("stop")
    second.proc.wait(timeout=60)
    assert second.proc.returncode == 0


def test_english_with_lang_en(tmp_path):
    path = init(tmp_path, "--type", "clip")
    session = Session(path, "--lang", "en")
    session.drive({}, stop_after=0)
    assert "Answer:" in session.transcript and "Stopped: 0 answers saved" in session.transcript


@requires(shutil.which("tmux") is not None, "tmux", "apt-get install tmux")
def test_at_a_real_prompt_in_tmux(tmp_path, engine):
    path = init(tmp_path, "--type", "court_metrage")
    name = f"raccord-interview-{os.getpid()}"
    command = f"{sys.executable} -m raccord interview {path} --as-of {AS_OF}; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "200", "-y", "50", command], check=True, cwd=ROOT)
    try:
        def screen() -> str:
            return subprocess.run(["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True).stdout

        def wait_for(pattern: str, timeout: float = 120) -> str:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                text = screen()
                if re.search(pattern, text):
                    return text
                time.sleep(0.3)
            raise AssertionError(f"not on screen: {pattern!r}\n{screen()}")

        text = wait_for(r"Question 1 — .*\[")
        fact = QUESTION.findall(text)[-1][1]
        definition = engine.library.catalogue[fact]
        good = {"boolean": "oui", "enum": (definition.values or [""])[0], "set": "Occitanie",
                "date": "02/03/2026", "integer": "3", "number": "3,5"}[definition.type]
        subprocess.run(["tmux", "send-keys", "-t", name, good, "Enter"], check=True)
        wait_for(r"→ enregistré")
        wait_for(r"Question 2 — ")
        subprocess.run(["tmux", "send-keys", "-t", name, "stop", "Enter"], check=True)
        wait_for(r"Arrêt : 1 réponse")
        assert fact in engine.dossier(path).facts
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)

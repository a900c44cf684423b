"""The explanation of a member's date compared with another of their dates (art. 122-17-1: module 1 before
module 2), as `raccord explain --format json` gives it: what was expected (the other field, not a copy of
its value) beside the value it had. Mutants of FieldValue.describe (bench/mutation.py) survived the
roster tests, which read only the text lines."""

from __future__ import annotations

from raccord.engine import evaluate, load_dossier

from .test_roster import AS_OF, CREW, DOSSIER, LIBRARY, write


def field_tests(node, found):
    if isinstance(node, dict):
        if node.get("op") == "field" and node.get("field") in ("module1_date", "module2_date") and "expected" in node:
            found.append(node)
        for value in node.values():
            field_tests(value, found)
    elif isinstance(node, list):
        for value in node:
            field_tests(value, found)
    return found


def test_a_member_whose_module_1_follows_module_2_is_explained_against_the_other_field(tmp_path):
    text = DOSSIER.replace("module1_date: 2025-08-20", "module1_date: 2025-09-25")  # P-001: module 1 after module 2
    evaluation = evaluate(LIBRARY, load_dossier(write(tmp_path, text), LIBRARY.catalogue), AS_OF)
    assert evaluation.status(CREW) == "not_met"
    tests = field_tests(evaluation.explain(CREW), [])
    order = next(t for t in tests if t["field"] == "module1_date" and t["seen"] == "2025-09-25")
    assert order["value"] == "false"
    assert order["expected"] == {"field": "module2_date"} and order["expected_value"] == "2025-09-22"
    deadline = next(t for t in tests if t["field"] == "module2_date")  # module 2 within 15 days of the first shooting day
    assert deadline["expected"] == {"fact": "dates.first_shooting_day", "plus_days": 15}
    assert deadline["expected_value"] == "2025-09-30"

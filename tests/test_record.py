"""`record` must behave like `dataclass(frozen=True, slots=True)` wherever raccord relies on it."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from raccord.engine.conditions import All, FactTest, Literal
from raccord.engine.dossier import Auditor, EvidenceItem
from raccord.engine.model import Text
from raccord.engine.record import Record, record


@record
class Base(Record):
    name: str
    tags: list[str] = dataclasses.field(default_factory=list)


@record
class Child(Base):
    weight: float = 1.0
    note: str = dataclasses.field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError("weight must not be negative")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Reference:
    name: str
    tags: list[str] = dataclasses.field(default_factory=list)
    weight: float = 1.0
    note: str = dataclasses.field(default="", compare=False, repr=False)


def test_defaults_factories_and_inherited_fields():
    one, two = Child(name="a"), Child(name="a")
    assert (one.name, one.tags, one.weight, one.note) == ("a", [], 1.0, "")
    assert one.tags is not two.tags  # a fresh list per object, as with default_factory
    assert [f.name for f in dataclasses.fields(Child)] == ["name", "tags", "weight", "note"]


def test_construction_errors_match_a_dataclass():
    with pytest.raises(TypeError, match="missing required argument: 'name'"):
        Child()
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Child(name="a", colour="red")
    with pytest.raises(TypeError, match="keyword arguments only"):
        Child("a")
    with pytest.raises(ValueError, match="negative"):
        Child(name="a", weight=-1)


def test_assignment_and_deletion_are_refused():
    item = Child(name="a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.name = "b"
    with pytest.raises(dataclasses.FrozenInstanceError):
        del item.name
    with pytest.raises(AttributeError):
        item.other = 1  # slots: no room for new attributes either


def test_equality_hash_and_repr_follow_the_field_flags_like_a_dataclass():
    ours = [Child(name="a", weight=2.0, note="x"), Child(name="a", weight=2.0, note="y"), Child(name="b")]
    theirs = [Reference(name="a", weight=2.0, note="x"), Reference(name="a", weight=2.0, note="y"),
              Reference(name="b")]
    for i in range(3):
        for j in range(3):
            assert (ours[i] == ours[j]) == (theirs[i] == theirs[j])
    assert ours[0] != Base(name="a")  # another class is never equal
    assert repr(ours[0]) == repr(theirs[0]).replace("Reference", "Child")
    text = Text(fr="Oui", en="Yes")
    assert hash(text) == hash(Text(fr="Oui", en="Yes")) and {text: 1}[Text(fr="Oui", en="Yes")] == 1
    with pytest.raises(TypeError):
        hash(ours[0])  # a list field makes it unhashable, as with a frozen dataclass


def test_pickle_copy_and_replace_keep_every_field():
    item = Child(name="a", tags=["x"], weight=3.0, note="kept")
    for again in (pickle.loads(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)), copy.deepcopy(item)):
        assert again == item and again.note == "kept" and again.tags is not item.tags
    changed = dataclasses.replace(item, weight=4.0)
    assert (changed.weight, changed.name, changed.note) == (4.0, "a", "kept")
    with pytest.raises(ValueError):
        dataclasses.replace(item, weight=-2.0)  # __post_init__ runs again


def test_condition_nodes_take_positional_arguments_and_hash_by_value():
    one = All((FactTest("budget", "gt", Literal(1)), FactTest("budget", "lt", Literal(9))))
    two = All((FactTest("budget", "gt", Literal(1)), FactTest("budget", "lt", Literal(9))))
    assert one == two and hash(one) == hash(two) and len({one, two}) == 1
    assert pickle.loads(pickle.dumps(one)) == one
    with pytest.raises(TypeError, match="takes 1 arguments, 2 given"):
        All((), ())


def test_pydantic_still_validates_records_and_runs_their_cross_field_rules():
    from raccord.engine.validation import validator

    item = validator(EvidenceItem).validate_python({"id": "ev-1", "kind": "devis", "criteria": ["X-1"],
                                                    "url": "https://example.org/devis.pdf"})
    assert isinstance(item, EvidenceItem) and isinstance(item.auditor, Auditor) and item.criteria == ["X-1"]
    with pytest.raises(Exception, match="rejected item needs a `reason`"):
        validator(Auditor).validate_python({"status": "rejected"})

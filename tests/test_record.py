"""`record` must behave like `dataclass(frozen=True, slots=True)` wherever raccord relies on it."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import types
import typing
import weakref
from typing import ClassVar

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


# --- what `record` builds in place of dataclass(): the same fields, slots and flags -------------


@record(positional=True, frozen=False, slots=False)
class Loose(Record):
    """Mutable, with a __dict__ (cached properties), positional."""

    name: str
    size: int = 0
    limit: ClassVar[int] = 10
    also: typing.ClassVar[str] = "class attribute"


@record(positional=True)
class Tight(Record):
    name: str
    size: int = 0


@record(slots=True)
class OnLoose(Record):
    first: str


@record
class GrandChild(Child):
    extra: tuple = ()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ReferenceGrandChild(Reference):
    extra: tuple = ()


def _described(cls: type) -> list[tuple]:
    return [(f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare, f.kw_only,
             dict(f.metadata)) for f in dataclasses.fields(cls)]


def test_fields_are_those_dataclass_builds():
    assert dataclasses.is_dataclass(GrandChild) and dataclasses.is_dataclass(GrandChild(name="a"))
    assert _described(GrandChild) == _described(ReferenceGrandChild)
    assert all(type(f) is dataclasses.Field for f in dataclasses.fields(GrandChild))
    assert list(GrandChild.__dataclass_fields__) == list(ReferenceGrandChild.__dataclass_fields__)
    assert GrandChild.__match_args__ == ReferenceGrandChild.__match_args__ == ()
    assert Tight.__match_args__ == ("name", "size")
    assert (Tight.__dataclass_params__.frozen, Loose.__dataclass_params__.frozen) == (True, False)


def test_class_variables_are_not_fields():
    assert [f.name for f in dataclasses.fields(Loose)] == ["name", "size"]
    assert (Loose.limit, Loose.also, Loose("a").limit) == (10, "class attribute", 10)
    assert Loose.__dataclass_fields__["limit"]._field_type is dataclasses._FIELD_CLASSVAR  # as dataclass keeps it


def test_slots_like_dataclass_slots():
    item = GrandChild(name="a")
    assert GrandChild.__slots__ == ("extra",) and Child.__slots__ == ("weight", "note")  # a base's slots not repeated
    assert isinstance(vars(GrandChild)["extra"], types.MemberDescriptorType)  # the default is not a class attribute
    with pytest.raises(TypeError):
        weakref.ref(item)  # no __weakref__ slot, as dataclass(slots=True) without weakref_slot
    with pytest.raises(AttributeError):
        item.__dict__  # noqa: B018
    assert GrandChild.__qualname__ == "GrandChild" and GrandChild.__doc__ == "GrandChild(extra)"
    assert type(item).__mro__[1] is Child  # the class made again keeps its bases


def test_without_slots_or_frozen():
    item = Loose("a")
    item.size = 3
    item.other = "kept in __dict__"
    assert (item.size, item.other, Loose.size, weakref.ref(item)() is item) == (3, "kept in __dict__", 0, True)
    del item.other
    with pytest.raises(TypeError):
        hash(item)
    assert repr(item) == "Loose(name='a', size=3)" and item == Loose("a", 3) and item != Loose("a", 4)
    tight = Tight("a", 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tight.size = 3
    assert hash(tight) == hash(Tight("a", 2)) and not hasattr(tight, "__dict__")


def test_pickle_every_kind_of_record():
    for item in (Loose("a", 2), Tight("b", 3), GrandChild(name="c", extra=(1,)), OnLoose(first="d")):
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            again = pickle.loads(pickle.dumps(item, protocol=protocol))
            assert again == item and type(again) is type(item) and again is not item
    changed = dataclasses.replace(Tight("a", 2), size=5)
    assert changed == Tight("a", 5)


def test_definition_errors_like_dataclass():
    with pytest.raises(ValueError, match="mutable default"):
        record(type("Bad", (Record,), {"__annotations__": {"items": "list"}, "items": []}))
    with pytest.raises(TypeError, match="no type annotation"):
        record(type("Bad", (Record,), {"__annotations__": {}, "items": dataclasses.field(default=1)}))
    with pytest.raises(TypeError, match="InitVar"):
        record(type("Bad", (Record,), {"__annotations__": {"seed": "dataclasses.InitVar[int]"}}))
    with pytest.raises(TypeError, match="must derive from Record"):
        record(type("Bad", (), {"__annotations__": {"x": "int"}}))


@record
class Stock(Record):
    __pydantic_config__ = {"extra": "forbid"}

    name: str
    count: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)
    label: Text | None = None

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("count must not be negative")


def test_pydantic_round_trip_through_a_record_model_and_its_pickled_validator():
    from raccord.engine.model import to_data
    from raccord.engine.validation import build

    data = {"name": "a", "count": 2, "tags": ["x"], "label": {"fr": "Oui", "en": "Yes"}}
    built = build(Stock)
    for validator in (built, pickle.loads(pickle.dumps(built))):  # a cached validator is a pickled one
        item = validator.validate_python(data)
        assert item == Stock(name="a", count=2, tags=["x"], label=Text(fr="Oui", en="Yes"))
        assert to_data(item) == data and validator.validate_python(to_data(item)) == item
        assert validator.validate_python({"name": "b"}) == Stock(name="b")
        with pytest.raises(Exception, match="count must not be negative"):
            validator.validate_python({"name": "b", "count": -1})
        with pytest.raises(Exception, match=r"extra|unexpected"):
            validator.validate_python({"name": "b", "colour": "red"})

"""Immutable records, cheap to define and to unpickle: the file models and the condition nodes.

`dataclass(frozen=True, slots=True)` compiles six methods for each class when its module is
imported (about 1 ms a class: 45 ms of a 190 ms cold `raccord check` for our 70 classes), and
unpickles every object through `dataclasses.fields()` (10 ms for the cached library). `record`
keeps what `dataclasses` gives pydantic, `fields()` and `replace()` (the fields, the slots, the
parameters) and takes the methods from `Record`, written once for all classes: a keyword-only
`__init__` (positional too with `record(positional=True)`) that applies defaults and calls
`__post_init__`, field-wise `__eq__`, `__hash__` and `__repr__`, assignment refused (unless
`frozen=False`), and a tuple pickle state. The engine's working objects (compiled rulesets, the
dossier, the evaluation) are mutable records for the same reason. `record` builds the fields
itself rather than through `dataclass()` (0.19 M instructions a class against 0.37 M): ClassVar
fields are kept out, InitVar and KW_ONLY refused. tests/test_record.py holds records to the
behaviour of dataclasses.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from dataclasses import (
    _FIELD,
    _FIELD_CLASSVAR,
    _FIELDS,
    KW_ONLY,
    MISSING,
    Field,
    FrozenInstanceError,
    InitVar,
    _DataclassParams,  # type: ignore[attr-defined]
    field,
)
from functools import cache
from itertools import repeat
from types import MemberDescriptorType, ModuleType
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound=type)

_set = object.__setattr__
_consume = deque(maxlen=0).extend  # runs an iterator to its end in C, without a deque per call


class Record:
    """Base of every record. The class attributes below are filled by `record` for each class."""

    __slots__ = ()
    _init: tuple[tuple[str, Any, Any], ...] = ()  # (name, default, default factory) per `__init__` field
    _names: tuple[str, ...] = ()  # every field, in order: the pickle state
    _compared: tuple[str, ...] = ()
    _hashed: tuple[str, ...] = ()
    _shown: tuple[str, ...] = ()
    _positional = False

    def __init__(self, *args: Any, **values: Any) -> None:
        cls = type(self)
        if not values and len(args) == len(cls._init) and cls._positional:  # every field, in order
            for (name, _, _), value in zip(cls._init, args, strict=True):
                _set(self, name, value)
        else:
            self._assign(cls, args, values)
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def _assign(self, cls: type[Record], args: tuple, values: dict[str, Any]) -> None:
        """Set the fields from arguments, defaults and default factories, refusing what a dataclass refuses."""
        if args:
            if not cls._positional:
                raise TypeError(f"{cls.__name__}() takes keyword arguments only")
            if len(args) > len(cls._init):
                raise TypeError(f"{cls.__name__}() takes {len(cls._init)} arguments, {len(args)} given")
            for (name, _, _), value in zip(cls._init, args, strict=False):
                if name in values:
                    raise TypeError(f"{cls.__name__}() got multiple values for argument '{name}'")
                values[name] = value
        for name, default, factory in cls._init:
            if name in values:
                value = values.pop(name)
            elif default is not MISSING:
                value = default
            elif factory is not MISSING:
                value = factory()
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: '{name}'")
            _set(self, name, value)
        if values:
            raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{next(iter(values))}'")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = self._compared
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, name) for name in self._hashed))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field '{name}'")

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, name) for name in self._names)

    def __setstate__(self, state: tuple) -> None:
        # The loop runs in C (map), not in bytecode: a cached library unpickles 4 000 records.
        if len(state) != len(self._names):
            raise ValueError(f"{type(self).__name__}: {len(state)} values for {len(self._names)} fields")
        _consume(map(_set, repeat(self), self._names, state))


def record(cls: R | None = None, /, *, positional: bool = False, frozen: bool = True,
           slots: bool = True) -> R | Callable[[R], R]:
    """Make a `Record` subclass a dataclass with the shared methods (see the module). `frozen=False`
    allows assignment (and, like a dataclass, makes objects unhashable); `slots=False` keeps a
    `__dict__`, which `functools.cached_property` needs."""

    def make(cls: R) -> R:
        if not issubclass(cls, Record):
            raise TypeError(f"{cls.__name__} must derive from Record")
        return _make(cls, positional, frozen, slots)

    return make if cls is None else make(cls)


def _make(cls: R, positional: bool, frozen: bool, slots: bool) -> R:
    """What `dataclass(cls, init=False, repr=False, eq=False, slots=slots, kw_only=not positional)`
    gives, at a third of its cost: real `Field`s in `__dataclass_fields__` (base fields first), so
    that `fields()`, `replace()`, `is_dataclass()` and pydantic see a dataclass, and the defaults as
    class attributes, or no class attribute with `slots` (the class is made again with `__slots__`)."""
    own = cls.__dict__
    annotations = own.get("__annotations__", {})
    every: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        inherited = base.__dict__.get(_FIELDS)
        if inherited:
            every.update(inherited)
    kw_only = not positional
    defaults: dict[str, Any] = {}  # class attribute -> its value, MISSING to delete it
    for name, kind in annotations.items():
        default = getattr(cls, name, MISSING)
        if isinstance(default, Field):
            f = default
            defaults[name] = f.default
        else:
            if isinstance(default, MemberDescriptorType):  # a base's slot, not a default
                default = MISSING
            f = field(default=default)
        f.name = name
        f.type = kind
        if kind.__class__ is str and "ClassVar" not in kind and "InitVar" not in kind and "KW_ONLY" not in kind:
            classvar = False  # the usual case, decided without resolving a name
        else:
            classvar = _is_classvar(cls, kind)
        if classvar:
            f._field_type = _FIELD_CLASSVAR
            if f.default_factory is not MISSING or f.kw_only is not MISSING:
                raise TypeError(f"field {name} is a ClassVar: no default factory, no kw_only")
        else:
            f._field_type = _FIELD
            if f.kw_only is MISSING:
                f.kw_only = kw_only
            if f.default.__class__.__hash__ is None:
                raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: "
                                 "use default_factory")
        every[name] = f
    for name, value in own.items():
        if isinstance(value, Field) and name not in annotations:
            raise TypeError(f"{name!r} is a field but has no type annotation")

    names, init, compared, hashed, shown, matched = [], [], [], [], [], []
    for f in every.values():
        if f._field_type is not _FIELD:
            continue
        name = f.name
        names.append(name)
        if f.init:
            init.append((name, f.default, f.default_factory))
            if not f.kw_only:
                matched.append(name)
        if f.compare:
            compared.append(name)
        if f.compare if f.hash is None else f.hash:
            hashed.append(name)
        if f.repr:
            shown.append(name)
    attributes = {
        "__dataclass_fields__": every, "__dataclass_params__": _params(frozen, kw_only, slots),
        "_init": tuple(init), "_names": tuple(names), "_compared": tuple(compared), "_hashed": tuple(hashed),
        "_shown": tuple(shown), "_positional": positional,
    }
    if "__match_args__" not in own:
        attributes["__match_args__"] = tuple(matched)
    if not cls.__doc__:
        # dataclass() builds this from inspect.signature(), its slowest step; starting with "Name("
        # keeps pydantic from taking it as a schema description.
        attributes["__doc__"] = f"{cls.__name__}({', '.join(annotations)})"
    if not frozen:
        attributes.update(__setattr__=object.__setattr__, __delattr__=object.__delattr__, __hash__=None)
    if slots:
        return _with_slots(cls, attributes)
    for name, default in defaults.items():
        if default is MISSING:
            delattr(cls, name)
        else:
            setattr(cls, name, default)
    for name, value in attributes.items():
        setattr(cls, name, value)
    return cls


def _is_classvar(cls: type, kind: Any) -> bool:
    """Whether an annotation is `ClassVar[...]`, also as a string (`from __future__ import
    annotations`): InitVar and KW_ONLY, which `Record.__init__` does not implement, are refused."""
    if isinstance(kind, str):
        if "ClassVar" not in kind and "InitVar" not in kind and "KW_ONLY" not in kind:
            return False  # the usual case, without resolving any name
        head = kind.split("[", 1)[0].strip()
        module = sys.modules.get(cls.__module__)
        namespace = vars(module) if module is not None else {}
        prefix, _, name = head.rpartition(".")
        if prefix:
            namespace = vars(namespace[prefix]) if isinstance(namespace.get(prefix), ModuleType) else {}
        kind = namespace.get(name)
    if kind is ClassVar or getattr(kind, "__origin__", None) is ClassVar:
        return True
    if kind is KW_ONLY or isinstance(kind, InitVar) or kind is InitVar:
        raise TypeError(f"{cls.__name__}: a record has no InitVar or KW_ONLY field")
    return False


def _with_slots(cls: R, attributes: dict[str, Any]) -> R:
    """The class made again with `attributes` and a slot per field not slotted in a base, as
    dataclass(slots=True) does (a class cannot be given slots once made)."""
    namespace = dict(cls.__dict__)
    if "__slots__" in namespace:
        raise TypeError(f"{cls.__name__} already specifies __slots__")
    taken: set[str] = set()
    for base in cls.__mro__[1:-1]:
        given = base.__dict__.get("__slots__", ())
        taken.update((given,) if isinstance(given, str) else given)
    names = attributes["_names"]
    namespace["__slots__"] = tuple(name for name in names if name not in taken)
    for name in names:
        namespace.pop(name, None)  # a default: Record.__init__ has it
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)  # descriptors of the first class
    namespace.update(attributes)
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


@cache
def _params(frozen: bool, kw_only: bool, slots: bool) -> Any:
    """`__dataclass_params__`: no generated method (init, repr, eq: Record's), and the class's flags.
    Filled slot by slot, since the constructor's arguments change with the Python version."""
    given = {"frozen": frozen, "kw_only": kw_only, "slots": slots, "match_args": True}
    params = _DataclassParams.__new__(_DataclassParams)
    for name in _DataclassParams.__slots__:
        _set(params, name, given.get(name, False))
    return params

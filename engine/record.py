"""Immutable records, cheap to define and to unpickle: the file models and the condition nodes.

`dataclass(frozen=True, slots=True)` compiles six methods for each class when its module is
imported (about 1 ms a class: 45 ms of a 190 ms cold `raccord check` for our 70 classes), and
unpickles every object through `dataclasses.fields()` (10 ms for the cached library). `record`
keeps what `dataclasses` gives pydantic, `fields()` and `replace()` (the fields, the slots, the
parameters) and takes the methods from `Record`, written once for all classes: a keyword-only
`__init__` (positional too with `record(positional=True)`) that applies defaults and calls
`__post_init__`, field-wise `__eq__`, `__hash__` and `__repr__`, assignment refused (unless
`frozen=False`), and a tuple pickle state. The engine's working objects (compiled rulesets, the
dossier, the evaluation) are mutable records for the same reason. tests/test_record.py holds
records to the behaviour of dataclasses.
"""

from __future__ import annotations

import inspect
from collections import deque
from collections.abc import Callable
from dataclasses import MISSING, FrozenInstanceError, dataclass, fields
from itertools import repeat
from typing import Any, TypeVar

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
        if not cls.__doc__:
            # dataclass() would build this from inspect.signature(), the slowest step of defining a
            # class; starting with "Name(" keeps pydantic from taking it as a schema description.
            cls.__doc__ = f"{cls.__name__}({', '.join(inspect.get_annotations(cls))})"
        cls = dataclass(cls, init=False, repr=False, eq=False, slots=slots, kw_only=not positional)
        if not frozen:
            cls.__setattr__ = object.__setattr__
            cls.__delattr__ = object.__delattr__
            cls.__hash__ = None
        every = fields(cls)
        cls._init = tuple((f.name, f.default, f.default_factory) for f in every if f.init)
        cls._names = tuple(f.name for f in every)
        cls._compared = tuple(f.name for f in every if f.compare)
        cls._hashed = tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))
        cls._shown = tuple(f.name for f in every if f.repr)
        cls._positional = positional
        return cls

    return make if cls is None else make(cls)

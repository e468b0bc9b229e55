"""The `._` namespace on Doc, Span and Token: user-defined attributes such as `doc._.trf_data`."""
from __future__ import annotations

import functools
from typing import Any, Callable

_MISSING = object()


class Extension:
    """One registered attribute: a default value, a method, or a getter (and optional setter)."""

    def __init__(self, default: Any = None, getter: Callable | None = None, setter: Callable | None = None,
                 method: Callable | None = None):
        if getter is None and setter is not None:
            raise ValueError("an extension with a setter needs a getter too")
        if sum(x is not None for x in (default, getter, method)) > 1:
            raise ValueError("an extension takes one of default, getter (with an optional setter) and method")
        if method is not None and not callable(method):
            raise ValueError(f"an extension's method must be callable, not {type(method).__name__}")
        self.default, self.getter, self.setter, self.method = default, getter, setter, method


class Underscore:
    """Attribute access for `obj._`: values live in the owning doc's `user_data`, keyed by (name, start, end)."""

    __slots__ = ("_registry", "_obj", "_doc", "_start", "_end")

    def __init__(self, registry: dict[str, Extension], obj: Any, doc: Any, start: int | None, end: int | None):
        object.__setattr__(self, "_registry", registry)
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_doc", doc)
        object.__setattr__(self, "_start", start)
        object.__setattr__(self, "_end", end)

    def _ext(self, name: str) -> Extension:
        try:
            return self._registry[name]
        except KeyError:
            raise AttributeError(
                f"no extension {name!r}; register it first with set_extension({name!r}, default=...)"
            ) from None

    def __getattr__(self, name: str) -> Any:
        ext = self._ext(name)
        if ext.getter is not None:
            return ext.getter(self._obj)
        if ext.method is not None:  # `obj._.name(*args)` calls `method(obj, *args)`
            return functools.partial(ext.method, self._obj)
        value = self._doc.user_data.get(("._.", name, self._start, self._end), _MISSING)
        return ext.default if value is _MISSING else value

    def __setattr__(self, name: str, value: Any) -> None:
        ext = self._ext(name)
        if ext.setter is not None:
            ext.setter(self._obj, value)
        elif ext.getter is not None or ext.method is not None:
            raise AttributeError(f"extension {name!r} has a {'getter' if ext.getter else 'method'} and no setter")
        else:
            self._doc.user_data[("._.", name, self._start, self._end)] = value

    def has(self, name: str) -> bool:
        return name in self._registry


class HasExtensions:
    """Mixin giving a class `set_extension`, `has_extension`, `get_extension` and `remove_extension`."""

    _extensions: dict[str, Extension]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._extensions = {}

    @classmethod
    def set_extension(cls, name: str, *, default: Any = None, method: Callable | None = None,
                      getter: Callable | None = None, setter: Callable | None = None, force: bool = False) -> None:
        """Register `obj._.name`: a stored value (`default`), a computed one (`getter`, optional `setter`), or a
        method (`obj._.name(*args)` calls `method(obj, *args)`). Raises if it exists, unless `force=True`."""
        if name in cls._extensions and not force:
            raise ValueError(f"{cls.__name__} extension {name!r} already exists; pass force=True to replace it")
        cls._extensions[name] = Extension(default, getter, setter, method)

    @classmethod
    def has_extension(cls, name: str) -> bool:
        return name in cls._extensions

    @classmethod
    def get_extension(cls, name: str) -> Extension | None:
        return cls._extensions.get(name)

    @classmethod
    def remove_extension(cls, name: str) -> Extension:
        return cls._extensions.pop(name)

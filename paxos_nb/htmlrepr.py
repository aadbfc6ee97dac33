"""Rich notebook reprs without an import from the core to the UI layer.

Jupyter shows an object as HTML when it has a ``_repr_html_`` method. The HTML of paxos_nb's
objects (sessions, tokens, errors, scope plans) is drawn by the UI layer
(:mod:`paxos_nb.display`), which sits above them. So the core classes only inherit
:class:`HTMLRepr`, whose ``_repr_html_`` looks the object's class up in a table, and the UI
layer fills the table (:func:`register`) when ``paxos_nb`` is imported. The table is keyed
by the class's import path, so registering never imports the class.

This module imports nothing from paxos_nb (a leaf, like :mod:`paxos_nb.errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["HTMLRepr", "html_of", "register", "registered"]

Renderer = Callable[[Any], str]
_renderers: dict[str, Renderer] = {}


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register(target: str | type, render: Renderer) -> None:
    """Draw instances of ``target`` (a class or its ``"module.Class"`` path) with ``render``.

    Subclasses are drawn with it too, unless they have a renderer of their own. A class
    that cannot inherit :class:`HTMLRepr` (the exception tree: :mod:`paxos_nb.errors`
    imports nothing from paxos_nb) is given its ``_repr_html_`` here.
    """
    if isinstance(target, type):
        if not hasattr(target, "_repr_html_"):
            target._repr_html_ = HTMLRepr._repr_html_  # type: ignore[attr-defined]  # see above
        target = _path(target)
    _renderers[target] = render


def registered() -> tuple[str, ...]:
    """The import paths of the classes that have a renderer."""
    return tuple(_renderers)


def html_of(obj: object) -> str | None:
    """The HTML the UI layer draws for ``obj`` (None when no renderer is registered)."""
    for cls in type(obj).__mro__:
        render = _renderers.get(_path(cls))
        if render is not None:
            return render(obj)
    return None


class HTMLRepr:
    """Mixin: ``_repr_html_`` returns what the UI layer registered for the class."""

    __slots__ = ()

    def _repr_html_(self) -> str | None:
        return html_of(self)

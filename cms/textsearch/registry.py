"""Which models are searchable, and how to read their text.

Nothing here touches the database; registering happens in a higher app's
``AppConfig.ready()`` (or inside a test, with :func:`registered`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models


def _public(obj) -> str:
    return "public"


def _no_filters(obj) -> dict:
    return {}


def _japanese(obj) -> str:
    return "ja"


def _always(obj) -> bool:
    return True


@dataclass(frozen=True)
class Registration:
    """How to index instances of one model (every callable takes the instance)."""

    model: type[models.Model]
    title: Callable[[Any], str]
    body: Callable[[Any], str]
    visibility: Callable[[Any], str] = _public
    filters: Callable[[Any], dict] = _no_filters
    language: Callable[[Any], str] = _japanese
    live: Callable[[Any], bool] = _always
    queryset: Callable[[], models.QuerySet] | None = None

    def get_queryset(self) -> models.QuerySet:
        """The objects to fetch hits from and to reindex (the default manager by default)."""
        if self.queryset is not None:
            return self.queryset()
        return self.model._default_manager.all()


_registry: dict[type[models.Model], Registration] = {}


def register(
    model: type[models.Model],
    *,
    title: Callable[[Any], str],
    body: Callable[[Any], str],
    visibility: Callable[[Any], str] = _public,
    filters: Callable[[Any], dict] = _no_filters,
    language: Callable[[Any], str] = _japanese,
    live: Callable[[Any], bool] = _always,
    queryset: Callable[[], models.QuerySet] | None = None,
) -> Registration:
    """Make ``model`` searchable. Registering a model again replaces its registration."""
    if model._meta.abstract or model._meta.proxy:
        raise TypeError(f"{model.__name__}: register a concrete model, not an abstract/proxy one")
    registration = Registration(
        model=model,
        title=title,
        body=body,
        visibility=visibility,
        filters=filters,
        language=language,
        live=live,
        queryset=queryset,
    )
    _registry[model] = registration
    return registration


def unregister(model: type[models.Model]) -> None:
    """Forget ``model`` (and disconnect any signals connected for it). Its index rows stay
    until ``reindex_all()`` purges them; ``search()`` already ignores them."""
    from .signals import disconnect_signals

    disconnect_signals(model)
    _registry.pop(model, None)


@contextmanager
def registered(model: type[models.Model], **options) -> Iterator[Registration]:
    """Register ``model`` for the duration of a ``with`` block (tests), then restore."""
    previous = _registry.get(model)
    try:
        yield register(model, **options)
    finally:
        unregister(model)
        if previous is not None:
            _registry[model] = previous


def registration_for(model_or_obj) -> Registration | None:
    """The registration covering this model or instance (its class or a parent class)."""
    cls = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    for klass in cls.__mro__:
        registration = _registry.get(klass)
        if registration is not None:
            return registration
    return None


def registered_models() -> list[type[models.Model]]:
    return list(_registry)

"""Which programmes a user works on. Apps that own programme participation register a provider here, so
that lower layers (accounts, audit) can ask without importing them."""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable[[object], set[int]]] = []


def register_programme_scope(provider: Callable[[object], set[int]]) -> None:
    """Add a function returning the ids of programmes a user takes part in."""
    if provider not in _providers:
        _providers.append(provider)


def programme_ids_for(user) -> set[int]:
    """Ids of every programme the user takes part in, by any registered provider."""
    ids: set[int] = set()
    for provider in _providers:
        ids |= provider(user)
    return ids

"""What several commands share: opening the state store for an operator command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from service.settings import Settings
from service.state.base import FullStore
from service.state.open import open_store


@asynccontextmanager
async def admin_store(settings: Settings, *, read_only: bool) -> AsyncIterator[FullStore]:
    """The store named by the settings, checked to answer; ``read_only`` never creates a database
    or changes one (``status``, ``deliveries list``). Raises BadStateUrl / StateUnavailable."""
    store = await open_store(settings.state_url, settings, read_only=read_only)
    try:
        await store.ping()
        yield store
    finally:
        await store.close()

"""The editors' roles of the state stores (issue 14): the alert log (``wirewatch alerts``),
silences (``wirewatch silence``, obeyed by delivery) and the item history (``wirewatch
replay``). Their records are ``records.py``; SQLite and Redis implement each in a module of its
own, held to ``tests/integration/state/test_state_records_contract.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from service.model import Item
from service.state.records import AlertRecord, HistoryItem, Silence


class AlertLog(Protocol):
    """What was sent, and what a silence held back: delivery writes, ``wirewatch alerts`` reads."""

    async def record_alerts(self, records: Sequence[AlertRecord], now: float) -> None:
        """Keep ``records``; forget those older than alert_log_ttl (before ``now``)."""

    async def alert_records(
        self, since: float, *, watchlist: str | None = None, channel: str | None = None
    ) -> list[AlertRecord]:
        """Records at or after ``since`` (optionally of one watchlist / channel), newest first."""


class Silences(Protocol):
    """Watchlists held quiet: ``wirewatch silence`` writes, delivery reads before each send."""

    async def add_silence(self, silence: Silence, now: float) -> None:
        """Keep ``silence``; forget silences that ended more than alert_log_ttl before ``now``."""

    async def silences(self) -> list[Silence]:
        """Every silence kept (future, active, or ended within alert_log_ttl), by start time."""

    async def end_silence(self, silence_id: str, now: float) -> Silence | None:
        """End the silence at ``now`` (unless it ended already); the silence as it now is, or
        None when no silence has that id."""


class ItemHistory(Protocol):
    """Recent items of every feed: the pipeline writes each new item, ``wirewatch replay`` reads."""

    async def record_items(self, feed_id: str, items: Sequence[Item], now: float) -> None:
        """Keep ``items`` as seen at ``now``; at most history_max per feed (newest), none older
        than history_ttl."""

    async def history_feeds(self) -> list[str]:
        """Feed ids that may have history (some may have none left), sorted."""

    async def history(self, feed_id: str, since: float) -> list[HistoryItem]:
        """The feed's kept items seen at or after ``since``, oldest first."""

"""The state stores' data and contract, split by role: each caller asks for the roles it uses.

Promises every implementation keeps (``tests/integration/state/test_state_contract.py`` checks them
against SQLite, fakeredis and a real Redis):

- ``claim_and_enqueue`` is atomic: the dedup claim and the outbox rows are written together or
  not at all, so a claimed alert is always queued and a queued alert is claimed once.
- An outbox entry leaves the outbox only by ``ack`` (the channel accepted it, or a silence held
  it back and the alert log recorded that), ``dead_letter`` or ``drop``; nothing else removes
  it. A crash at any moment loses nothing.
- The seen set per feed is bounded (``seen_max`` newest ids) and expiring (``seen_ttl``).
- The editors' records (``records.py``) expire too: the alert log and ended silences after
  ``alert_log_ttl``, the item history after ``history_ttl`` and beyond ``history_max`` per feed.
- Story records (``Stories``) expire: signatures at the ``expires_at`` their writer gives,
  leads and thread refs ``STORY_TTL`` after they were last touched.
- Times are UNIX seconds (floats), passed in by the caller so tests can use their own clock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from service.model import Alert
from service.state.editors import AlertLog, ItemHistory, Silences
from service.state.stories import Stories


@dataclass(slots=True)
class FeedState:
    """What the poller remembers about one feed between polls (and across restarts)."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    url: str | None = None  # a permanent redirect's target, used instead of the configured url
    primed: bool = False
    disabled_reason: str | None = None  # set on 410 Gone; cleared when the feed's url changes
    failures: int = 0
    backoff_until: float | None = None
    last_poll: float | None = None
    last_ok: float | None = None
    last_error: str | None = None
    last_new_item: float | None = None
    next_poll: float | None = None
    item_times: list[float] = field(default_factory=list)  # recent published times, for cadence
    health: str | None = None  # "failing" | "quiet" while a feed-health alert is out
    configured_url: str | None = None  # the url from feeds.yaml when this state was written

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> FeedState:
        data: dict[str, Any] = json.loads(raw)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(slots=True)
class OutboxEntry:
    """One alert waiting for one channel.

    ``batch`` is the key of the message this entry was first sent in, when that message listed
    several alerts: a retry sends the same members under the same key (never a regrouping), so
    a receiver can drop a copy it already has.
    """

    channel: str
    alert: Alert
    next_attempt: float
    created_at: float
    attempts: int = 0
    last_error: str | None = None
    batch: str | None = None

    @property
    def id(self) -> str:
        return entry_id(self.alert.key, self.channel)


@dataclass(frozen=True, slots=True)
class Claim:
    """What ``Outbox.claim`` hands a worker: entries only it may send until ``token``'s lease
    ends, or, when the channel is paused or paced, ``wait_until`` and no entries."""

    token: str
    entries: list[OutboxEntry]
    wait_until: float | None = None


@dataclass(slots=True)
class DeadLetter:
    """An entry that will not be retried on its own: why, and when it gave up."""

    entry: OutboxEntry
    reason: str
    died_at: float

    @property
    def id(self) -> str:
        return self.entry.id


def entry_id(alert_key: str, channel: str) -> str:
    return f"{alert_key}@{channel}"


class StateUnavailable(Exception):
    """The state store cannot be reached; the caller keeps going and tries again later."""


class StateDamaged(StateUnavailable):
    """The store's data cannot be read (a damaged SQLite file); the message says what to do."""


class StateInUse(Exception):
    """Another process holds a store that allows only one (a SQLite file): the message names it."""


class BadStateUrl(ValueError):
    """WIREWATCH_STATE_URL names no store we know how to open; the message says the accepted forms
    and never repeats a password."""


class StateStore(Protocol):
    """Lifecycle every store has; the roles below add what their callers use."""

    shared: bool
    """A server other processes use too (Redis): when it is down it may come back by itself."""

    @property
    def location(self) -> str:
        """Where the state is, for messages: ``sqlite:var/state.db``, ``redis at host:6379/0``."""

    async def open(self) -> None:
        """Connect (SQLite: create the file and schema); raise StateUnavailable when it cannot."""

    async def ping(self) -> None:
        """Raise StateUnavailable if the store cannot be used."""

    async def close(self) -> None: ...


class FeedStates(Protocol):
    """What the poller remembers per feed (the pipeline writes, ``status`` reads)."""

    async def get_feed(self, feed_id: str) -> FeedState:
        """The feed's state, or a fresh FeedState for a feed never polled."""

    async def put_feed(self, feed_id: str, state: FeedState) -> None: ...

    async def list_feeds(self) -> dict[str, FeedState]: ...


class PollLeases(Protocol):
    """One poll of a feed at a time across every process on the store.

    A poller leases the feed with a random token before it polls, and writes the poll's feed
    state only while the lease is still its own (a fencing token): a poller that stalled past
    its lease cannot overwrite the state of the one that took over.
    """

    async def lease_poll(self, feed_id: str, token: str, ttl: float, now: float) -> bool:
        """Take the feed's poll lease for ``ttl`` seconds; False while another holds it."""

    async def release_poll(self, feed_id: str, token: str) -> None:
        """Give the lease back early (only if ``token`` still holds it)."""

    async def put_feed_fenced(self, feed_id: str, state: FeedState, token: str, now: float) -> bool:
        """Write ``state`` and release the lease, only if ``token`` still holds it; False (and
        nothing written) when the lease ran out and was taken."""


class SeenSet(Protocol):
    """Which item ids of a feed were already processed (the pipeline)."""

    async def unseen(self, feed_id: str, item_ids: Sequence[str], now: float) -> list[str]:
        """The ids not seen (or seen longer than seen_ttl ago), in the order given."""

    async def mark_seen(self, feed_id: str, item_ids: Sequence[str], now: float) -> None:
        """Remember ids; keep at most seen_max per feed (newest) and forget expired ones."""


class Outbox(Protocol):
    """Alerts waiting for channels: the pipeline queues, delivery workers claim, send and record.

    Several workers (one per channel per process, several processes on one Redis) may work a
    channel: ``claim`` gives each entry to one worker at a time for ``lease`` seconds (a worker
    that dies loses it when the lease ends), and the channel's gate spaces sends across all of
    them (``spacing`` after each claim; ``pause`` after a 429) so a rate limit holds in total.
    """

    async def claim_and_enqueue(self, alert_key: str, entries: Sequence[OutboxEntry], now: float) -> bool:
        """Atomically claim ``alert_key`` (unless claimed within dedup_ttl) and queue ``entries``.

        Returns False, writing nothing, when the key was already claimed.
        """

    async def enqueue(self, entries: Sequence[OutboxEntry]) -> None:
        """Queue entries without a claim (feed-health alerts); replaces same-id entries."""

    async def claim(
        self, channel: str, now: float, limit: int, *, token: str, lease: float, spacing: float
    ) -> Claim:
        """Up to ``limit`` due entries of ``channel`` (oldest first; an entry of a stored batch
        brings every pending member of it), held for ``token`` until ``now + lease``.

        When something is due but the channel's gate is later than ``now``, nothing is claimed
        and ``wait_until`` says until when; when entries are claimed the gate moves to
        ``now + spacing``.
        """

    async def release(self, entry_ids: Sequence[str], token: str) -> None:
        """Give back claimed entries that were not sent: due again at their next_attempt."""

    async def defer(self, entry_ids: Sequence[str], until: float, token: str) -> None:
        """Give back claimed entries that must wait (a follow-up for its story's first alert):
        due again at ``until``, attempts unchanged (nothing was tried)."""

    async def bind_batch(self, entry_ids: Sequence[str], batch: str, token: str) -> None:
        """These claimed entries form one message with key ``batch``, for life."""

    async def next_due(self, channel: str) -> float | None:
        """When the channel may next have something to send: the earliest due entry, not before
        its gate; None when nothing is pending."""

    async def pending(self, channel: str | None = None) -> list[OutboxEntry]: ...

    async def ack(self, entry_ids: Sequence[str]) -> None:
        """The channel accepted these (or a silence held them back): remove them from the outbox."""

    async def reschedule(self, entry_ids: Sequence[str], next_attempt: float, error: str, token: str) -> None:
        """A retryable failure: attempts += 1, try again at next_attempt (entries still held by
        ``token`` only, so a worker whose lease ran out cannot move another worker's claim)."""

    async def dead_letter(self, entry_ids: Sequence[str], reason: str, now: float, token: str) -> None:
        """Move entries held by ``token`` from the outbox to the dead letters, with the reason."""

    async def pause(self, channel: str, until: float) -> None:
        """The receiver asked for quiet (429, Retry-After): no claim on ``channel`` before ``until``."""


class OutboxAdmin(Protocol):
    """What an operator does with the outbox (``wirewatch deliveries``, ``status``, metrics)."""

    async def pending(self, channel: str | None = None) -> list[OutboxEntry]: ...

    async def dead_letters(self, channel: str | None = None) -> list[DeadLetter]: ...

    async def revive(self, entry_ids: Sequence[str], now: float) -> int:
        """Dead letters back into the outbox, attempts reset, due now. Returns how many."""

    async def drop(self, entry_ids: Sequence[str]) -> int:
        """Discard entries from the outbox or the dead letters. Returns how many."""

    async def depth(self) -> dict[str, tuple[int, int]]:
        """Per channel: (pending, dead)."""


class DeliveryStore(Outbox, AlertLog, Silences, Stories, Protocol):
    """What the delivery worker uses: the outbox, the silences it obeys, the log it keeps and
    the thread refs of first alerts."""


class Recovery(Protocol):
    """What lets a running service notice a wiped store (FLUSHDB, a Redis without persistence
    restarted, a failover to an empty replica) and put back what it knows."""

    async def epoch(self) -> str | None:
        """The marker written when the store was first used; None once it is gone (wiped)."""

    async def ensure_epoch(self, candidate: str) -> str:
        """Write ``candidate`` as the marker unless one exists; the marker now in force."""

    async def restore_claims(self, alert_keys: Sequence[str], now: float) -> None:
        """Claim these keys again (as sent at ``now``), so dedup holds after a wipe."""

    async def forget_seen(self, feed_id: str, item_ids: Sequence[str]) -> None:
        """These items count as unseen again (their alerts were lost and must be made again)."""


class PollStore(FeedStates, PollLeases, SeenSet, Outbox, ItemHistory, Stories, Protocol):
    """What one poll writes: feed state, seen ids, the alerts it queues, the items it saw and
    their stories."""


class AdminStore(StateStore, FeedStates, OutboxAdmin, Protocol):
    """What the operator commands read and change."""


class FullStore(
    StateStore,
    FeedStates,
    PollLeases,
    SeenSet,
    Outbox,
    OutboxAdmin,
    Recovery,
    AlertLog,
    Silences,
    ItemHistory,
    Stories,
    Protocol,
):
    """Every role: what the SQLite and Redis stores implement (the contract suite checks it)."""

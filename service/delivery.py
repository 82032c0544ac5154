"""The outbox worker: every queued alert reaches its channel once, or a dead letter says why.

One task per channel, so a slow or broken channel never delays the others. Each pass a channel:

1. takes its due entries from the outbox (oldest first);
2. dead-letters entries past ``max_age`` or ``max_attempts``;
2b. holds back entries of a silenced watchlist (``_hold_silenced``): they leave the outbox
   unsent and the alert log records them with the silence's id;
3. waits for its rate limit (Slack: 1 message/s by default);
4. sends one Batch: a ``digest`` of everything due (email digests), a ``group`` when more than
   ``burst_threshold`` alerts are due at once (a city falls and 30 stories land), else ``single``;
5. records the result: accepted -> ``ack`` (only now is it "sent"); retryable -> ``reschedule``
   with exponential backoff and jitter, never sooner than the peer's Retry-After (held to
   ``retry_max``, so a hostile peer cannot park an alert for days); permanent -> ``dead_letter``
   with the reason. After an ack, ``_record_sent`` writes the alert log ("what was sent").

Entries leave the outbox only in step 5 (or 2b, once recorded as silenced), so a crash at any
moment loses nothing; at worst the batch in flight is sent again, and its idempotency key makes
that harmless.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from service import metrics
from service.logs import get_logger
from service.notify.base import Batch, Notifier, SendResult
from service.notify.config import ChannelBase
from service.settings import Settings
from service.silencing import split_silenced
from service.state.base import DeliveryStore, OutboxEntry, StateUnavailable
from service.state.records import AlertRecord

log = get_logger(__name__)

Clock = Callable[[], float]
IDLE_POLL = 5.0  # seconds between outbox checks when nothing pokes a channel
DIGEST_LIMIT = 500  # alerts in one digest message at most


@dataclass(slots=True)
class ChannelRoute:
    """A channel as the worker sees it: its notifier, its config and its pacing."""

    name: str
    notifier: Notifier
    config: ChannelBase
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    last_send: float = 0.0

    @property
    def is_digest(self) -> bool:
        return self.config.is_digest

    @property
    def min_interval(self) -> float:
        rate = self.config.default_rate_limit()
        return 1.0 / rate if rate else 0.0


def retry_delay(attempts: int, settings: Settings, retry_after: float | None, rng: random.Random) -> float:
    """Exponential backoff with jitter in [50%, 100%], capped at retry_max; never below Retry-After
    (itself held to retry_max)."""
    base = min(settings.retry_max, settings.retry_base * 2.0 ** max(0, attempts - 1))
    delay: float = base * (0.5 + rng.random() / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.retry_max))
    return delay


class Delivery:
    def __init__(
        self,
        store: DeliveryStore,
        settings: Settings,
        clock: Clock = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._rng = rng or random.Random()
        self._routes: dict[str, ChannelRoute] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self.dead_lettered = 0  # alerts dead-lettered since start (``run --once`` reports it)

    # -- routes -------------------------------------------------------------------------------

    def set_routes(self, routes: Sequence[ChannelRoute]) -> None:
        """Install the channels of the current rules (on start and on every reload)."""
        new = {r.name: r for r in routes}
        for name, old in self._routes.items():
            if name in new:
                new[name].last_send = old.last_send
            old.wake.set()  # a loop asleep on the old route picks up the new one now, not in IDLE_POLL
        self._routes = new
        if self._tasks:  # running: start loops for new channels, stop loops of removed ones
            for name in list(self._tasks):
                if name not in new:
                    self._tasks.pop(name).cancel()
            for name in new:
                if name not in self._tasks:
                    self._tasks[name] = asyncio.create_task(self._loop(name), name=f"deliver-{name}")
            for route in new.values():
                route.wake.set()

    def poke(self, channel: str) -> None:
        """New alerts were queued for ``channel``: look now instead of at the next idle check."""
        route = self._routes.get(channel)
        if route:
            route.wake.set()

    # -- running ------------------------------------------------------------------------------

    def start(self) -> None:
        for name in self._routes:
            if name not in self._tasks:
                self._tasks[name] = asyncio.create_task(self._loop(name), name=f"deliver-{name}")

    async def stop(self, timeout: float) -> None:
        """Let in-flight sends finish (up to ``timeout``), then stop every channel loop."""
        self._stopping.set()
        for route in self._routes.values():
            route.wake.set()
        tasks = list(self._tasks.values())
        self._tasks.clear()
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def drain(self, timeout: float) -> int:
        """``run --once``: deliver until nothing is due before the deadline. Returns what is left
        (not counting digest entries waiting for their scheduled send: they are not late)."""
        deadline = self._clock() + timeout
        await asyncio.gather(*(self._drain_channel(name, deadline) for name in self._routes))
        left, now = 0, self._clock()
        for name, route in self._routes.items():
            try:
                pending = await self._store.pending(name)
            except StateUnavailable:
                continue
            left += sum(
                1 for e in pending if not (route.is_digest and e.attempts == 0 and e.next_attempt > now)
            )
        return left

    async def _drain_channel(self, name: str, deadline: float) -> None:
        route = self._routes[name]
        while True:
            try:
                await self.deliver_due(route)
                nxt = await self._store.next_due(name)
            except StateUnavailable as exc:
                log.error("state_unavailable", channel=name, error=str(exc))
                return
            now = self._clock()
            if nxt is None or nxt > deadline or now >= deadline:
                return
            await asyncio.sleep(max(0.0, min(nxt, deadline) - now))

    async def _loop(self, name: str) -> None:
        while not self._stopping.is_set():
            route = self._routes.get(name)
            if route is None:
                return
            wait = IDLE_POLL
            route.wake.clear()  # before the pass: a poke or stop() during it is not lost
            try:
                await self.deliver_due(route)
                nxt = await self._store.next_due(name)
                if nxt is not None:
                    wait = max(0.0, min(IDLE_POLL, nxt - self._clock()))
            except StateUnavailable as exc:
                log.error("state_unavailable", channel=name, error=str(exc))
            except Exception as exc:  # a bug must not stop deliveries for good
                log.exception("delivery_loop_error", channel=name, error=repr(exc))
            try:
                await asyncio.wait_for(route.wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    # -- one pass -----------------------------------------------------------------------------

    async def deliver_due(self, route: ChannelRoute) -> int:
        """Send everything of ``route`` that is due now; returns how many alerts were accepted."""
        accepted = 0
        while not self._stopping.is_set():
            now = self._clock()
            limit = (
                DIGEST_LIMIT
                if route.is_digest
                else max(route.config.max_group, route.config.burst_threshold + 1)
            )
            entries = await self._store.due(route.name, now, limit)
            entries = await self._expire(route, entries, now)
            entries = await self._hold_silenced(route, entries, now)
            if not entries:
                return accepted
            batch_entries = self._choose(route, entries)
            await self._pace(route)
            accepted += await self._send(route, batch_entries)
        return accepted

    async def _expire(self, route: ChannelRoute, entries: list[OutboxEntry], now: float) -> list[OutboxEntry]:
        max_age = route.config.max_age or self._settings.max_alert_age
        max_attempts = route.config.max_attempts or self._settings.max_attempts
        keep: list[OutboxEntry] = []
        for entry in entries:
            reason = None
            if now - entry.created_at > max_age and not route.is_digest:
                reason = f"older than {max_age:g}s"
            elif entry.attempts >= max_attempts:
                reason = f"gave up after {entry.attempts} attempts"
            if reason:
                if entry.last_error:
                    reason += f" (last error: {entry.last_error})"
                await self._store.dead_letter([entry.id], reason, now)
                self.dead_lettered += 1
                metrics.ALERTS_DEAD.labels(channel=route.name).inc()
                log.warning(
                    "alert_dead_lettered",
                    channel=route.name,
                    alert_key=entry.alert.key,
                    error=reason,
                )
            else:
                keep.append(entry)
        return keep

    async def _hold_silenced(
        self, route: ChannelRoute, entries: list[OutboxEntry], now: float
    ) -> list[OutboxEntry]:
        """Entries a silence holds back (``silencing.py``) leave the outbox unsent, recorded
        first in the alert log with the silence's id; the rest go on to be sent."""
        if not entries:
            return entries
        send, held = split_silenced(await self._store.silences(), entries, route.name, now)
        if held:
            records = [AlertRecord.of(e.alert, route.name, "silenced", now, silence_id=s.id) for e, s in held]
            await self._store.record_alerts(records, now)
            await self._store.ack([e.id for e, _ in held])
            metrics.ALERTS_SILENCED.labels(channel=route.name).inc(len(held))
            for entry, silence in held:
                log.info(
                    "alert_silenced", channel=route.name, alert_key=entry.alert.key, silence_id=silence.id
                )
        return send

    async def _record_sent(
        self, route: ChannelRoute, entries: list[OutboxEntry], batch: Batch, now: float
    ) -> None:
        """After the ack: the alert log says these alerts went out in ``batch``. A log that
        cannot be written is logged and never undoes or repeats a delivery."""
        records = [AlertRecord.of(e.alert, route.name, "sent", now, batch_key=batch.key) for e in entries]
        try:
            await self._store.record_alerts(records, now)
        except StateUnavailable as exc:
            log.warning("alert_log_failed", channel=route.name, alert_key=batch.key, error=str(exc))

    def _choose(self, route: ChannelRoute, entries: list[OutboxEntry]) -> list[OutboxEntry]:
        if route.is_digest:
            return entries
        if len(entries) > route.config.burst_threshold:
            return entries[: route.config.max_group]
        return entries[:1]

    async def _pace(self, route: ChannelRoute) -> None:
        gap = route.min_interval - (self._clock() - route.last_send)
        if gap > 0:
            await asyncio.sleep(gap)

    async def _send(self, route: ChannelRoute, entries: list[OutboxEntry]) -> int:
        batch = Batch.of([e.alert for e in entries], "digest" if route.is_digest else None)
        ids = [e.id for e in entries]
        try:
            result = await route.notifier.send(batch)
        except Exception as exc:  # a notifier bug is a retryable failure, never a lost alert
            log.error("notifier_error", channel=route.name, error=type(exc).__name__)
            result = SendResult.retry(f"internal error: {type(exc).__name__}")
        route.last_send = self._clock()
        now = route.last_send
        if result.ok:
            await self._store.ack(ids)
            await self._record_sent(route, entries, batch, now)
            for entry in entries:
                metrics.ALERTS_DELIVERED.labels(channel=route.name).inc()
                metrics.observe_delivery(route.name, entry.alert.created_at.timestamp(), now)
            log.info(
                "alert_delivered",
                channel=route.name,
                alert_key=batch.key,
                count=len(entries),
                kind=batch.kind,
            )
            return len(entries)
        attempts = max(e.attempts for e in entries) + 1
        max_attempts = route.config.max_attempts or self._settings.max_attempts
        if result.retryable and attempts >= max_attempts:
            result = SendResult.fail(f"gave up after {attempts} attempts (last error: {result.reason})")
        if result.retryable:
            delay = retry_delay(attempts, self._settings, result.retry_after, self._rng)
            await self._store.reschedule(ids, now + delay, result.reason)
            metrics.ALERTS_RETRIED.labels(channel=route.name).inc(len(entries))
            log.warning(
                "delivery_retry",
                channel=route.name,
                alert_key=batch.key,
                error=result.reason,
                attempt=attempts,
                retry_in=round(delay, 1),
            )
            return 0
        await self._store.dead_letter(ids, result.reason, now)
        self.dead_lettered += len(entries)
        metrics.ALERTS_DEAD.labels(channel=route.name).inc(len(entries))
        log.error("alert_dead_lettered", channel=route.name, alert_key=batch.key, error=result.reason)
        return 0

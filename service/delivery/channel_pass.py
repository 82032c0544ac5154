"""One delivery pass of a channel: what it has due now is sent, paced, or dead-lettered with why.

Each pass (``ChannelPass.deliver_due``; ``worker.py`` runs one task per channel):

1. claims due entries: the store holds them for this worker for a lease (a worker that dies
   loses them when it ends) and refuses while the channel's gate is closed, so pacing (Slack:
   1 message/s) and a receiver's "slow down" hold across every worker;
2. dead-letters entries past ``max_age`` or ``max_attempts``, and holds back entries a silence
   covers (``_hold_silenced``: they leave the outbox unsent, recorded in the alert log with
   the silence's id);
3. chooses one message (``choose``) and gives the other entries back;
4. sends it (a follow-up with the message of its story's first alert on this channel, to
   thread under: ``Batch.roots``) and records the result: accepted -> ``ack`` (only now is it
   "sent"), and the receiver's id of the message kept as the thread root of its alerts; retryable ->
   ``reschedule`` with exponential backoff and jitter, never sooner than the peer's
   Retry-After (held to ``retry_max``, so a hostile peer cannot park an alert for days), and
   a 429, a Retry-After or a timeout closes the whole channel's gate for that long;
   permanent -> ``dead_letter`` with the reason. After an ack, ``_record_sent`` writes the alert
   log ("what was sent").

A message, once built, is retried as itself: a group's members and key are stored with its
entries, so a retry after a timeout (the receiver may have it) carries the same key and the
same alerts; news that arrived meanwhile goes in another message. Entries leave the outbox only
in step 4 (or in step 2, once recorded as silenced), so a crash at any moment loses nothing; at
worst the message in flight is sent again, under its idempotency key.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable

from service import metrics
from service.delivery.message import LEASE_MARGIN, ChannelRoute, Message, choose, gave_up, retry_delay
from service.delivery.threads import first_still_queued, keep_roots, with_roots
from service.logs import get_logger
from service.notify.base import Batch, SendFailure, SendResult
from service.recovery import StateWatch
from service.settings import Settings
from service.silencing import split_silenced
from service.state.base import DeliveryStore, OutboxEntry, StateUnavailable
from service.state.records import AlertRecord

log = get_logger(__name__)

Clock = Callable[[], float]
FOLLOWUP_AFTER_FIRST = 1.0  # a follow-up waiting for its story's first alert goes this long after it


class ChannelPass:
    """Sends what a channel has due; shared by every channel task of one ``Delivery``."""

    def __init__(
        self,
        store: DeliveryStore,
        settings: Settings,
        clock: Clock,
        rng: random.Random,
        watch: StateWatch | None,
        stopping: asyncio.Event,
    ) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock
        self._rng = rng
        self._watch = watch
        self._stopping = stopping
        self.dead_lettered = 0

    async def deliver_due(self, route: ChannelRoute) -> int:
        """Send what ``route`` has due now, pacing as its rate limit says; stops early when the
        channel is paused (a 429) and returns how many alerts were accepted."""
        accepted = 0
        lease = route.config.timeout(self._settings.send_timeout) + LEASE_MARGIN
        if self._watch is not None:
            await self._watch.check()
        while not self._stopping.is_set():
            now = self._clock()
            claim = await self._store.claim(
                route.name, now, route.claim_limit(), token=uuid.uuid4().hex, lease=lease,
                spacing=route.min_interval,
            )  # fmt: skip
            if claim.wait_until is not None:
                if claim.wait_until - now > route.min_interval:
                    return accepted  # paused: the loop sleeps until the gate opens
                await asyncio.sleep(claim.wait_until - now)  # pacing
                continue
            entries = await self._expire(route, claim.entries, claim.token, now)
            entries = await self._hold_silenced(route, entries, now)
            if not entries:
                if claim.entries:
                    continue
                return accepted
            message = choose(route, entries)
            chosen = {e.id for e in message.entries}
            await self._store.release([e.id for e in entries if e.id not in chosen], claim.token)
            accepted += await self._send(route, message, claim.token)
        return accepted

    async def _expire(
        self, route: ChannelRoute, entries: list[OutboxEntry], token: str, now: float
    ) -> list[OutboxEntry]:
        max_age = route.config.max_age or self._settings.max_alert_age
        max_attempts = route.config.max_attempts or self._settings.max_attempts
        keep: list[OutboxEntry] = []
        for entry in entries:
            reason = None
            if now - entry.created_at > max_age and not route.is_digest:
                reason = f"older than {max_age:g}s"
            elif entry.attempts >= max_attempts:
                reason = f"gave up after {entry.attempts} attempts"
            if reason is None:
                keep.append(entry)
                continue
            if entry.last_error:
                reason += f" (last error: {entry.last_error})"
            await self._store.dead_letter([entry.id], reason, now, token)
            self.dead_lettered += 1
            metrics.ALERTS_DEAD.labels(channel=route.name).inc()
            log.warning("alert_dead_lettered", channel=route.name, alert_key=entry.alert.key, error=reason)
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

    async def _record_sent(self, route: ChannelRoute, message: Message, now: float) -> None:
        """After the ack: the alert log says these alerts went out in this message. A log that
        cannot be written is logged and never undoes or repeats a delivery."""
        key = message.batch.key
        records = [AlertRecord.of(e.alert, route.name, "sent", now, batch_key=key) for e in message.entries]
        try:
            await self._store.record_alerts(records, now)
        except StateUnavailable as exc:
            log.warning("alert_log_failed", channel=route.name, alert_key=key, error=str(exc))

    async def _send(self, route: ChannelRoute, message: Message, token: str) -> int:
        batch, ids = message.batch, [e.id for e in message.entries]
        if message.new_group:
            await self._store.bind_batch(ids, batch.key, token)
        batch = await with_roots(self._store, route.name, batch)
        if route.threads_followups and await self._wait_for_first(route, batch, ids, token):
            return 0
        route.sending = True
        try:
            result = await route.notifier.send(batch)
        except Exception as exc:  # a notifier bug is a retryable failure, never a lost alert
            log.error("notifier_error", channel=route.name, error=type(exc).__name__)
            result = SendResult.retry(f"internal error: {type(exc).__name__}", failure=SendFailure.INTERNAL)
        finally:
            route.sending = False
        now = self._clock()
        if result.ok:
            if self._watch is not None:  # the receiver has it, whether or not the ack gets stored
                self._watch.delivered(a.key for a in batch.alerts)
            await self._store.ack(ids)
            await keep_roots(self._store, route.name, batch, result.ref, now)
            await self._record_sent(route, message, now)
            for entry in message.entries:
                metrics.ALERTS_DELIVERED.labels(channel=route.name).inc()
                metrics.observe_delivery(route.name, entry.alert.created_at.timestamp(), now)
            log.info(
                "alert_delivered", channel=route.name, alert_key=batch.key, count=len(ids), kind=batch.kind
            )
            return len(ids)
        await self._failed(route, message, result, token, now)
        return 0

    async def _wait_for_first(self, route: ChannelRoute, batch: Batch, ids: list[str], token: str) -> bool:
        """A follow-up whose story's first alert is still queued here goes after it, so it can
        be threaded under that message; True when it was put back to wait."""
        first_due = await first_still_queued(self._store, route.name, batch)
        if first_due is None:
            return False
        until = max(first_due, self._clock()) + FOLLOWUP_AFTER_FIRST
        await self._store.defer(ids, until, token)
        log.info("followup_waits", channel=route.name, alert_key=batch.key, story=batch.alerts[0].story)
        return True

    async def _failed(
        self, route: ChannelRoute, message: Message, result: SendResult, token: str, now: float
    ) -> None:
        batch, ids = message.batch, [e.id for e in message.entries]
        attempts = max(e.attempts for e in message.entries) + 1
        max_attempts = route.config.max_attempts or self._settings.max_attempts
        if result.retryable and attempts < max_attempts:
            delay = retry_delay(attempts, self._settings, result.retry_after, self._rng)
            await self._store.reschedule(ids, now + delay, result.reason, token)
            metrics.ALERTS_RETRIED.labels(channel=route.name).inc(len(ids))
            log.warning(
                "delivery_retry",
                channel=route.name,
                alert_key=batch.key,
                error=result.reason,
                attempt=attempts,
                retry_in=round(delay, 1),
            )
            await self._maybe_pause(route, result, now, delay)
            return
        reason = gave_up(attempts, result, batch.key) if result.retryable else result.reason
        await self._store.dead_letter(ids, reason, now, token)
        self.dead_lettered += len(ids)
        metrics.ALERTS_DEAD.labels(channel=route.name).inc(len(ids))
        log.error("alert_dead_lettered", channel=route.name, alert_key=batch.key, error=reason)

    async def _maybe_pause(self, route: ChannelRoute, result: SendResult, now: float, delay: float) -> None:
        """A 429, a Retry-After or a timeout means the receiver wants quiet: the whole channel
        waits (every worker, every queued alert), not just the message that heard it."""
        if result.retry_after is not None:
            wait = min(result.retry_after, self._settings.retry_max)
        elif result.failure in (SendFailure.RATE_LIMITED, SendFailure.TIMEOUT):
            wait = delay
        else:
            return
        await self._store.pause(route.name, now + wait)
        metrics.CHANNEL_PAUSES.labels(channel=route.name).inc()
        log.warning("channel_paused", channel=route.name, error=result.reason, pause_for=round(wait, 1))

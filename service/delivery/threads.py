"""Threads of stories on a channel: where a story's first alert went, so its follow-ups can be
sent under it (a Matrix thread, an email In-Reply-To).

After a send is accepted, the receiver's id of the message (``SendResult.ref``) is kept in the
store for every ``kind: match`` alert it carried; before a follow-up is sent, the ids of its
stories are read back into ``Batch.roots``. The refs live in the state store, so a follow-up
threads under its first alert across restarts and replicas. A follow-up whose first alert is
still in this channel's outbox (waiting for a retry after the receiver failed, or in flight in
another worker) waits for it (``first_still_queued``), so it is not sent outside the thread.
"""

from __future__ import annotations

from dataclasses import replace

from service.logs import get_logger
from service.notify.base import Batch
from service.state.base import DeliveryStore, StateUnavailable, entry_id
from service.state.stories import Stories

log = get_logger(__name__)


async def with_roots(store: Stories, channel: str, batch: Batch) -> Batch:
    """``batch`` with the thread roots of the stories its follow-ups belong to."""
    stories = sorted({a.story for a in batch.alerts if a.is_followup and a.story})
    if not stories:
        return batch
    return replace(batch, roots=await store.thread_refs(channel, stories))


async def keep_roots(store: Stories, channel: str, batch: Batch, ref: str | None, now: float) -> None:
    """After the ack: the message that carried a story's first alert is where its follow-ups
    thread. A ref that cannot be stored costs threading, never a delivery."""
    if ref is None:
        return
    keys = {a.key: ref for a in batch.alerts if a.kind == "match" and a.story}
    if not keys:
        return
    try:
        await store.set_thread_refs(channel, keys, now)
    except StateUnavailable as exc:
        log.warning("thread_ref_failed", channel=channel, alert_key=batch.key, error=str(exc))


async def first_still_queued(store: DeliveryStore, channel: str, batch: Batch) -> float | None:
    """When a lone follow-up's first alert is due on ``channel``, if it is still in the outbox
    and its message unknown; None when the follow-up can go now (threaded, or its first alert
    was sent before refs were kept, dead-lettered, or never routed here)."""
    alert = batch.alerts[0]
    if len(batch.alerts) != 1 or not alert.is_followup or not alert.story or alert.story in batch.roots:
        return None
    first = entry_id(alert.story, channel)
    return next((e.next_attempt for e in await store.pending(channel) if e.id == first), None)

"""The outbox worker: every queued alert reaches its channel once, or a dead letter says why.

One task per channel, so a slow or broken channel never delays the others; several processes
may work the same store. ``Delivery`` runs the tasks (start, poke, stop, ``run --once``'s
drain); each pass of a channel is ``ChannelPass.deliver_due`` (``channel_pass.py``): claim,
expire, hold silenced, choose one message, send it and record the result.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence

from service.delivery.channel_pass import ChannelPass, Clock
from service.delivery.message import ChannelRoute
from service.logs import get_logger
from service.recovery import StateWatch
from service.settings import Settings
from service.state.base import DeliveryStore, StateUnavailable

log = get_logger(__name__)

IDLE_POLL = 5.0  # seconds between outbox checks when nothing pokes a channel


class Delivery:
    """The channel tasks of one process over one store; ``set_routes`` installs the channels."""

    def __init__(
        self,
        store: DeliveryStore,
        settings: Settings,
        clock: Clock = time.time,
        rng: random.Random | None = None,
        watch: StateWatch | None = None,
    ) -> None:
        self._store = store
        self._watch = watch
        self._clock = clock
        self._routes: dict[str, ChannelRoute] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()
        self._pass = ChannelPass(store, settings, clock, rng or random.Random(), watch, self._stopping)

    @property
    def dead_lettered(self) -> int:
        """Alerts dead-lettered since start (``run --once`` reports it)."""
        return self._pass.dead_lettered

    async def deliver_due(self, route: ChannelRoute) -> int:
        """One pass of ``route`` (``ChannelPass.deliver_due``): how many alerts were accepted."""
        return await self._pass.deliver_due(route)

    # -- routes -------------------------------------------------------------------------------

    def set_routes(self, routes: Sequence[ChannelRoute]) -> None:
        """Install the channels of the current rules (on start and on every reload)."""
        new = {r.name: r for r in routes}
        for old in self._routes.values():
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
        busy = [r.name for r in self._routes.values() if r.sending]
        if busy:
            log.warning(
                "shutdown_abandoned_sends",
                channels=busy,
                error=(
                    f"{len(busy)} channel(s) still sending after {timeout:g}s; those alerts stay in the "
                    "outbox and are sent again on the next start, under the same message key"
                ),
            )
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
                self._saw(None)
            except StateUnavailable as exc:
                log.error("state_unavailable", channel=name, error=str(exc))
                self._saw(str(exc))
            except Exception as exc:  # a bug must not stop deliveries for good
                log.exception("delivery_loop_error", channel=name, error=repr(exc))
            try:
                await asyncio.wait_for(route.wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    def _saw(self, error: str | None) -> None:
        if self._watch is not None:
            self._watch.saw("delivery", error)

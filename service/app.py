"""The composition root: ``build_service`` makes every part once; ``Service`` runs them.

``build_service(settings)`` loads the rules, opens the state store, creates the HTTP clients, the
pipeline, the delivery worker and the scheduler, and closes all of them on exit. ``Service``
receives those finished parts and only runs them: once (``run_once``) or until a signal
(``run_forever``), reloading ``rules/`` when a file changes.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from watchfiles import awatch

from service import metrics
from service.config.yamlfile import ConfigError
from service.delivery import ChannelRoute, Delivery
from service.feeds.client import make_client
from service.logs import get_logger
from service.notify.base import Notifier
from service.notify.registry import NotifierContext, build_notifier, send_client
from service.ops.http import OpsServer, store_ready
from service.pipeline import Pipeline
from service.recovery import StateWatch
from service.rules import Rules, load_rules
from service.scheduler import FeedScheduler
from service.settings import Settings
from service.state.base import FullStore, StateUnavailable
from service.state.open import open_store

log = get_logger(__name__)
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class OnceResult:
    """What one ``run --once`` left undone: alerts dead-lettered during it, and alerts still
    pending at the drain timeout (digest entries waiting for their schedule are not late)."""

    dead_lettered: int
    pending: int


@dataclass
class Channels:
    """The notifiers of the current rules, rebuilt on reload (they share the send client, which
    ``build_service`` owns, so a replaced notifier holds nothing to close)."""

    context: NotifierContext
    notifiers: list[Notifier]

    def routes(self, rules: Rules) -> list[ChannelRoute]:
        routes = [
            ChannelRoute(name, build_notifier(name, config, self.context), config)
            for name, config in rules.channels.items()
        ]
        self.notifiers = [route.notifier for route in routes]
        return routes

    async def aclose(self) -> None:
        for notifier in self.notifiers:
            try:
                await notifier.aclose()
            except Exception as err:  # closing must not mask the real exit
                log.warning("notifier_close_failed", channel=notifier.name, error=type(err).__name__)


@asynccontextmanager
async def build_service(
    settings: Settings, *, once: bool = False, clock: Clock = time.time
) -> AsyncIterator[Service]:
    """Every part of a running Wirewatch, closed in reverse order on exit.

    Raises ConfigError (the rules have problems), BadStateUrl, StateInUse (another process
    holds the SQLite file) or StateUnavailable (the store cannot be opened; a shared Redis that
    is down at start is tolerated unless ``once``).
    """
    rules = load_rules(settings.rules_dir)
    async with AsyncExitStack() as stack:
        store = await open_store(settings.state_url, settings, exclusive=True, tolerate_down=not once)
        stack.push_async_callback(store.close)
        feed_client = await stack.enter_async_context(make_client(settings))
        http = await stack.enter_async_context(send_client(settings))
        channels = Channels(NotifierContext(http, settings), [])
        stack.push_async_callback(channels.aclose)
        watch = StateWatch(store, clock)
        await _start_watch(watch)
        delivery = Delivery(store, settings, clock, watch=watch)
        delivery.set_routes(channels.routes(rules))
        pipeline = Pipeline(
            settings, store, feed_client, rules, on_queued=delivery.poke, clock=clock, watch=watch
        )
        scheduler = FeedScheduler(pipeline.poll_next)
        yield Service(settings, rules, store, pipeline, delivery, scheduler, channels, watch)


async def _start_watch(watch: StateWatch) -> None:
    """Adopt the store's marker now; a shared store that is down is tolerated (checked later)."""
    try:
        await watch.start()
    except StateUnavailable:
        pass


class Service:
    """Runs the parts ``build_service`` made; swaps rules into them on reload."""

    def __init__(
        self,
        settings: Settings,
        rules: Rules,
        store: FullStore,
        pipeline: Pipeline,
        delivery: Delivery,
        scheduler: FeedScheduler,
        channels: Channels,
        watch: StateWatch,
    ) -> None:
        self.settings = settings
        self.rules = rules
        self.store = store
        self.pipeline = pipeline
        self.delivery = delivery
        self.scheduler = scheduler
        self.channels = channels
        self.watch = watch

    # -- run --once ---------------------------------------------------------------------------

    async def run_once(self, drain_timeout: float) -> OnceResult:
        """Poll every feed once, deliver until the outbox is empty or the timeout; say what is
        left undone (``wirewatch run --once`` turns it into its exit code)."""
        dead_before = self.delivery.dead_lettered
        reports = await self.pipeline.poll_all()
        new = sum(r.new_items for r in reports)
        queued = sum(len(r.alerts) for r in reports)
        log.info("poll_done", feeds=len(reports), new_items=new, alerts=queued)
        left = await self.delivery.drain(drain_timeout)
        await self._update_depth()
        if left:
            log.warning("deliveries_pending", pending=left, hint="they stay queued for the next run")
        return OnceResult(dead_lettered=self.delivery.dead_lettered - dead_before, pending=left)

    # -- run (service) ------------------------------------------------------------------------

    async def run_forever(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        ops = await self._start_ops()
        self.scheduler.start(self.rules.feeds)
        self.delivery.start()
        watcher = asyncio.create_task(self._watch_rules(stop), name="rules-watch")
        depth = asyncio.create_task(self._depth_loop(stop), name="outbox-depth")
        log.info(
            "service_started",
            feeds=len(self.rules.feeds),
            watchlists=len(self.rules.watchlists),
            channels=len(self.rules.channels),
            state=self.store.location,
        )
        try:
            await stop.wait()
        finally:
            log.info("service_stopping")
            self.scheduler.shutdown()
            watcher.cancel()
            depth.cancel()
            await asyncio.gather(watcher, depth, return_exceptions=True)
            await self.delivery.stop(self.settings.shutdown_timeout)
            if ops is not None:
                await ops.stop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            log.info("service_stopped")

    async def _start_ops(self) -> OpsServer | None:
        if not self.settings.http_addr:
            return None
        server = OpsServer(self.settings.http_addr, self._ready)
        await server.start()
        return server

    async def _ready(self) -> str | None:
        """Ready when the store answers and the latest polls and deliveries could use it."""
        return await store_ready(self.store) or self.watch.problem()

    async def _depth_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._update_depth()
            try:
                await asyncio.wait_for(stop.wait(), timeout=15)
            except TimeoutError:
                pass

    async def _update_depth(self) -> None:
        try:
            depth = await self.store.depth()
        except StateUnavailable:
            return
        metrics.set_outbox_depth(depth)

    async def _watch_rules(self, stop: asyncio.Event) -> None:
        folder = self.settings.rules_dir
        async for _changes in awatch(folder, stop_event=stop, debounce=300, recursive=True):
            await self.reload(folder)

    async def reload(self, folder: Path) -> bool:
        """Swap in new rules; a broken file keeps the previous rules in force (and says why)."""
        try:
            rules = await asyncio.to_thread(load_rules, folder)
        except ConfigError as exc:
            metrics.RULES_RELOADS.labels(result="failed").inc()
            for problem in exc.problems:
                log.error("rules_invalid", problem=str(problem), hint="previous rules stay in force")
            return False
        self.rules = rules
        self.pipeline.rules = rules
        self.delivery.set_routes(self.channels.routes(rules))
        self.scheduler.sync(rules.feeds)
        metrics.RULES_RELOADS.labels(result="ok").inc()
        log.info(
            "rules_reloaded",
            feeds=len(rules.feeds),
            watchlists=len(rules.watchlists),
            channels=len(rules.channels),
        )
        return True

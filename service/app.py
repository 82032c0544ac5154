"""The running service: wires rules, state, pipeline, delivery, scheduler, reload and ops together."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
from watchfiles import awatch

from service import metrics
from service.config.yamlfile import ConfigError
from service.delivery import ChannelRoute, Delivery
from service.feeds.client import make_client
from service.feeds.config import Feed
from service.logs import get_logger
from service.notify.base import Notifier
from service.notify.registry import NotifierContext, build_notifier
from service.ops.http import OpsServer, store_ready
from service.pipeline import Pipeline
from service.rules import Rules, load_rules
from service.scheduler import FeedScheduler
from service.settings import Settings
from service.state.base import StateStore, StateUnavailable

log = get_logger(__name__)


class Service:
    def __init__(
        self,
        settings: Settings,
        rules: Rules,
        store: StateStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.rules = rules
        self.store = store
        self.clock = clock
        self._stack = AsyncExitStack()
        self._notifiers: list[Notifier] = []
        self.delivery = Delivery(store, settings, clock)
        self.pipeline: Pipeline | None = None
        self._scheduler_ref: FeedScheduler | None = None

    async def __aenter__(self) -> Service:
        feed_client = await self._stack.enter_async_context(make_client(self.settings))
        self._send_client = await self._stack.enter_async_context(
            httpx.AsyncClient(
                timeout=self.settings.send_timeout,
                follow_redirects=False,
                headers={"User-Agent": self.settings.user_agent},
            )
        )
        self.pipeline = Pipeline(
            self.settings,
            self.store,
            feed_client,
            self.rules,
            on_queued=self.delivery.poke,
            clock=self.clock,
        )
        self.delivery.set_routes(self._routes(self.rules))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for notifier in self._notifiers:
            try:
                await notifier.aclose()
            except Exception as err:  # closing must not mask the real exit
                log.warning("notifier_close_failed", channel=notifier.name, error=type(err).__name__)
        await self._stack.aclose()

    def _routes(self, rules: Rules) -> list[ChannelRoute]:
        ctx = NotifierContext(self._send_client, self.settings)
        routes = [
            ChannelRoute(name, build_notifier(name, config, ctx), config)
            for name, config in rules.channels.items()
        ]
        self._notifiers = [route.notifier for route in routes]
        return routes

    # -- run --once ---------------------------------------------------------------------------

    async def run_once(self, drain_timeout: float) -> int:
        """Poll every feed once, deliver until the outbox is empty or the timeout; return what is left."""
        assert self.pipeline is not None
        reports = await self.pipeline.poll_all()
        new = sum(r.new_items for r in reports)
        queued = sum(len(r.alerts) for r in reports)
        log.info("poll_done", feeds=len(reports), new_items=new, alerts=queued)
        left = await self.delivery.drain(drain_timeout)
        await self._update_depth()
        if left:
            log.warning("deliveries_pending", pending=left, hint="they stay queued for the next run")
        return left

    # -- run (service) ------------------------------------------------------------------------

    async def run_forever(self) -> None:
        assert self.pipeline is not None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        scheduler = FeedScheduler(self._scheduled_poll)
        self._scheduler_ref = scheduler
        ops = await self._start_ops()
        scheduler.start(self.rules.feeds)
        self.delivery.start()
        watcher = asyncio.create_task(self._watch_rules(stop), name="rules-watch")
        depth = asyncio.create_task(self._depth_loop(stop), name="outbox-depth")
        log.info(
            "service_started",
            feeds=len(self.rules.feeds),
            watchlists=len(self.rules.watchlists),
            channels=len(self.rules.channels),
            state=_scheme(self.settings.state_url),
        )
        try:
            await stop.wait()
        finally:
            log.info("service_stopping")
            scheduler.shutdown()
            watcher.cancel()
            depth.cancel()
            await asyncio.gather(watcher, depth, return_exceptions=True)
            await self.delivery.stop(self.settings.shutdown_timeout)
            if ops is not None:
                await ops.stop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            log.info("service_stopped")

    async def _scheduled_poll(self, feed: Feed) -> float | None:
        assert self.pipeline is not None
        report = await self.pipeline.poll(feed)
        return report.next_poll

    async def _start_ops(self) -> OpsServer | None:
        if not self.settings.http_addr:
            return None

        server = OpsServer(self.settings.http_addr, self._ready)
        await server.start()
        return server

    async def _ready(self) -> str | None:
        return await store_ready(self.store)

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
        assert self.pipeline is not None
        self.rules = rules
        self.pipeline.rules = rules
        self.delivery.set_routes(self._routes(rules))
        if self._scheduler_ref is not None:
            self._scheduler_ref.sync(rules.feeds)
        metrics.RULES_RELOADS.labels(result="ok").inc()
        log.info(
            "rules_reloaded",
            feeds=len(rules.feeds),
            watchlists=len(rules.watchlists),
            channels=len(rules.channels),
        )
        return True


def _scheme(url: str) -> str:
    return url.split(":", 1)[0]

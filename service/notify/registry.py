"""Every channel type, written out in one place: its config model and how to build its Notifier.

Adding a channel type: write ``notify/<type>.py`` with a ``<Type>Config(ChannelBase)`` and a
Notifier class, then add one line to ``_TYPES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from service.notify.base import Notifier
from service.notify.config import ChannelBase
from service.notify.console import ConsoleConfig, ConsoleNotifier
from service.notify.email import EmailConfig, EmailNotifier
from service.notify.matrix import MatrixConfig, MatrixNotifier
from service.notify.slack import SlackConfig, SlackNotifier
from service.notify.webhook import WebhookConfig, WebhookNotifier
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class NotifierContext:
    """What a notifier may need besides its own config: shared HTTP client and settings."""

    http: httpx.AsyncClient
    settings: Settings


Factory = Callable[[str, Any, NotifierContext], Notifier]

_TYPES: dict[str, tuple[type[ChannelBase], Factory]] = {
    "console": (ConsoleConfig, lambda name, cfg, ctx: ConsoleNotifier(name, cfg)),
    "slack": (SlackConfig, lambda name, cfg, ctx: SlackNotifier(name, cfg, ctx.http, ctx.settings)),
    "matrix": (
        MatrixConfig,
        lambda name, cfg, ctx: MatrixNotifier(name, cfg, ctx.http, ctx.settings),
    ),
    "webhook": (
        WebhookConfig,
        lambda name, cfg, ctx: WebhookNotifier(name, cfg, ctx.http, ctx.settings),
    ),
    "email": (EmailConfig, lambda name, cfg, ctx: EmailNotifier(name, cfg, ctx.settings)),
}


def send_client(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client every notifier of a process shares: ``send_timeout``, no redirects (a
    webhook that redirects is a misconfiguration, not a new target), Wirewatch's User-Agent."""
    return httpx.AsyncClient(
        timeout=settings.send_timeout,
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent},
    )


def known_types() -> list[str]:
    return sorted(_TYPES)


def config_model(type_name: str) -> type[ChannelBase] | None:
    entry = _TYPES.get(type_name)
    return entry[0] if entry else None


def build_notifier(name: str, config: ChannelBase, ctx: NotifierContext) -> Notifier:
    return _TYPES[config.type][1](name, config, ctx)

"""Generic webhook: a documented JSON payload, signed per the Standard Webhooks spec.

Headers: ``webhook-id`` (the batch key: the same on every retry, so receivers can drop
duplicates), ``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,`` + base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}`` keyed with the base64-decoded
part of the ``whsec_...`` secret). The payload shape is documented in README (Channels, webhook) and
is a compatibility promise: fields may be added, never renamed or removed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from pydantic import ConfigDict, SecretStr, field_validator

from service.logs import get_logger
from service.model import Alert
from service.notify.base import Batch, SendResult
from service.notify.config import ChannelBase
from service.notify.http import check_http_url, classify_response, send_request
from service.settings import Settings

log = get_logger(__name__)

PAYLOAD_VERSION = 1
EVENT_TYPES = {"single": "alert", "group": "alert.group", "digest": "alert.digest"}
SECRET_PREFIX = "whsec_"


class WebhookConfig(ChannelBase):
    model_config = ConfigDict(hide_input_in_errors=True)

    type: Literal["webhook"] = "webhook"
    url: SecretStr
    secret: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: SecretStr) -> SecretStr:
        check_http_url(value.get_secret_value())
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            secret_key(value.get_secret_value())
        return value


def secret_key(secret: str) -> bytes:
    """The HMAC key: the base64 part of ``whsec_<base64>``. Errors never repeat the secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(
            "must look like whsec_<base64> (README, Channels: webhook, shows how to generate one)"
        )
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the part after whsec_ is not valid base64") from None
    if len(key) < 16:
        raise ValueError("too short: use at least 16 random bytes (24-64 recommended)")
    return key


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one attempt."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def story_title(alert: Alert) -> str:
    """The story's title as its first alert had it; a first alert's own title (stories off or
    not: a receiver can always show ``story_title``); "" for a follow-up queued without one."""
    if alert.story_title or alert.is_followup:
        return alert.story_title
    return alert.item.title


def alert_payload(alert: Alert) -> dict[str, Any]:
    """One alert as documented in README; ``story`` is the key of the story's first alert
    (its own key for a first alert), so a receiver can thread follow-ups under it."""
    item = alert.item
    return {
        "key": alert.key,
        "kind": alert.kind,
        "story": alert.story_key,
        "story_title": story_title(alert),
        "watchlist": alert.watchlist,
        "matched": alert.matched,
        "snippet": alert.snippet,
        "created_at": alert.created_at.isoformat(),
        "feed": {"id": item.feed_id, "title": item.feed_name},
        "item": {
            "id": item.id,
            "title": item.title,
            "link": item.link,
            "published": item.published.isoformat() if item.published else None,
            "date_source": item.date_source.value,
            "summary": item.summary,
            "categories": list(item.categories),
        },
    }


def build_payload(batch: Batch, now: datetime) -> dict[str, Any]:
    """``{type, timestamp, data: {version, batch_key, kind, count, alerts: [...]}}``."""
    return {
        "type": f"wirewatch.{EVENT_TYPES[batch.kind]}",
        "timestamp": now.isoformat(),
        "data": {
            "version": PAYLOAD_VERSION,
            "batch_key": batch.key,
            "kind": batch.kind,
            "count": len(batch.alerts),
            "alerts": [alert_payload(a) for a in batch.alerts],
        },
    }


class WebhookNotifier:
    """POSTs the payload; the URL and secret stay inside this object."""

    label = "webhook"

    def __init__(
        self,
        name: str,
        config: WebhookConfig,
        http: httpx.AsyncClient,
        settings: Settings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = name
        self._config = config
        self._http = http
        self._timeout = config.timeout(settings.send_timeout)
        self._user_agent = settings.user_agent
        self._clock = clock

    def encode(self, batch: Batch) -> tuple[dict[str, str], bytes]:
        """Headers and body of one attempt (a fresh timestamp, the same id)."""
        stamp = int(self._clock())
        body = json.dumps(
            build_payload(batch, datetime.fromtimestamp(stamp, UTC)),
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": self._user_agent,
            "webhook-id": batch.key,
            "webhook-timestamp": str(stamp),
        }
        if self._config.secret is not None:
            key = secret_key(self._config.secret.get_secret_value())  # validated at load
            headers["webhook-signature"] = sign(key, batch.key, stamp, body)
        return headers, body

    async def send(self, batch: Batch) -> SendResult:
        headers, body = self.encode(batch)
        result = await send_request(
            self.label,
            self._http,
            "POST",
            self._config.url.get_secret_value(),
            timeout=self._timeout,
            judge=lambda response: classify_response(self.label, response),
            headers=headers,
            content=body,
        )
        if not result.ok:
            log.debug("send_failed", channel=self.name, alert_key=batch.key, error=result.reason)
        return result

    async def aclose(self) -> None:
        return None

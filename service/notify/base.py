"""The Notifier contract: send one message for a batch of alerts, say if a failure is worth retrying.

A batch is one alert (``single``), several alerts that arrived in a burst (``group``: one
message listing them), or a scheduled ``digest``. ``key`` is the batch's idempotency id: the
alert key for a single alert, a hash of the sorted keys otherwise; it is the same on every
retry, so Matrix txn ids, webhook ids and email Message-IDs make a repeated send harmless.

A Notifier never raises for a delivery problem: it returns a SendResult. ``ok`` means the
channel accepted the message (only then is it recorded as sent). ``retryable`` failures are
retried with backoff (``retry_after`` seconds when the peer said so); the rest go to the
dead letters with ``reason``. Reasons and logs never contain secrets (URLs with tokens,
passwords).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from service.model import Alert

BatchKind = Literal["single", "group", "digest"]


@dataclass(frozen=True, slots=True)
class Batch:
    alerts: tuple[Alert, ...]
    kind: BatchKind
    key: str

    @classmethod
    def of(cls, alerts: Sequence[Alert], kind: BatchKind | None = None) -> Batch:
        if not alerts:
            raise ValueError("a batch needs at least one alert")
        chosen: BatchKind = kind or ("single" if len(alerts) == 1 else "group")
        if chosen == "single" and len(alerts) == 1:
            key = alerts[0].key
        else:
            digest = hashlib.sha256("\n".join(sorted(a.key for a in alerts)).encode()).hexdigest()
            key = f"{chosen}-{digest[:32]}"
        return cls(tuple(alerts), chosen, key)


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    retryable: bool = False
    retry_after: float | None = None
    reason: str = ""

    @classmethod
    def sent(cls) -> SendResult:
        return cls(ok=True)

    @classmethod
    def retry(cls, reason: str, retry_after: float | None = None) -> SendResult:
        return cls(ok=False, retryable=True, retry_after=retry_after, reason=reason)

    @classmethod
    def fail(cls, reason: str) -> SendResult:
        return cls(ok=False, retryable=False, reason=reason)


class Notifier(Protocol):
    """One configured channel."""

    name: str

    async def send(self, batch: Batch) -> SendResult: ...

    async def aclose(self) -> None: ...

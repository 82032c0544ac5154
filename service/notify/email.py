"""Email over SMTP (aiosmtplib): immediate alerts, or a scheduled digest per channel.

``mode: immediate`` sends each batch as it comes (a burst is one message listing it);
``mode: digest`` receives one batch per ``schedule`` tick (5-field cron in ``timezone``) and
sends one message grouped by watchlist. SMTP 4xx replies and connection problems are
retryable, 5xx replies are permanent. The SMTP password never appears in reasons or logs.
A sent message's Message-ID is its ``ref``: later follow-ups of its stories reply to it.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiosmtplib
from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, field_validator, model_validator

from service.logs import get_logger
from service.notify.base import Batch, SendFailure, SendResult
from service.notify.config import ChannelBase
from service.notify.email_render import build_message
from service.notify.http import scrub
from service.settings import Settings

log = get_logger(__name__)

_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")


class EmailConfig(ChannelBase):
    type: Literal["email"] = "email"
    to: list[str] = Field(min_length=1)
    mode: Literal["immediate", "digest"] = "immediate"
    schedule: str | None = None
    timezone: str = "UTC"
    subject_prefix: str = ""

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not _ADDRESS.match(address.strip()):
                raise ValueError(f"invalid email address {address!r}")
        return [a.strip() for a in value]

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            CronTrigger.from_crontab(value, timezone=UTC)
        except ValueError as exc:
            raise ValueError(
                f"invalid cron expression {value!r} ({exc}); expected 5 fields: "
                "minute hour day month weekday, e.g. '0 7 * * *'"
            ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. 'Europe/London', 'UTC')") from None
        return value

    @model_validator(mode="after")
    def _mode(self) -> EmailConfig:
        if self.mode == "digest" and not self.schedule:
            raise ValueError("mode: digest needs a schedule (5-field cron, e.g. '0 7 * * *')")
        if self.mode == "immediate" and self.schedule:
            raise ValueError("schedule is only used with mode: digest")
        return self

    @property
    def is_digest(self) -> bool:
        return self.mode == "digest"

    def next_digest(self, after: datetime) -> datetime | None:
        """The first digest time strictly after ``after`` (None for immediate channels).

        ``after`` may be naive (taken as UTC); the result is aware, in the channel's zone.
        """
        if self.mode != "digest" or not self.schedule:
            return None
        if after.tzinfo is None:
            after = after.replace(tzinfo=UTC)
        trigger = CronTrigger.from_crontab(self.schedule, timezone=ZoneInfo(self.timezone))
        fire: datetime | None = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        return fire


def classify_smtp(exc: BaseException, secrets: tuple[str | None, ...] = ()) -> SendResult:
    """SMTP reply codes: 4xx retry, 5xx permanent; no reply at all: retry."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients] or [550]
        worst = max(codes)
        reason = f"email: {worst} all recipients refused"
        return SendResult.retry(reason) if worst < 500 else SendResult.fail(reason)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        words = scrub(" ".join(str(exc.message).split())[:120], secrets)
        reason = f"email: {exc.code} {words}".rstrip()
        return SendResult.retry(reason) if exc.code < 500 else SendResult.fail(reason)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return SendResult.fail("email: server does not support the configured TLS/auth")
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return SendResult.retry(f"email: timeout ({type(exc).__name__})", failure=SendFailure.TIMEOUT)
    return SendResult.retry(f"email: connection error ({type(exc).__name__})", failure=SendFailure.NETWORK)


class EmailNotifier:
    """One channel's recipients; SMTP server and credentials come from Settings."""

    def __init__(self, name: str, config: EmailConfig, settings: Settings) -> None:
        self.name = name
        self._config = config
        self._settings = settings

    async def send(self, batch: Batch) -> SendResult:
        s = self._settings
        timeout = self._config.timeout(s.send_timeout)
        password = s.smtp_password.get_secret_value() if s.smtp_password else None
        msg = build_message(batch, s.smtp_from, self._config.to, self._config.subject_prefix)
        sender = parseaddr(s.smtp_from)[1] or s.smtp_from
        try:
            async with asyncio.timeout(timeout):
                errors, _ = await aiosmtplib.send(
                    msg,
                    sender=sender,
                    recipients=self._config.to,
                    hostname=s.smtp_host,
                    port=s.smtp_port,
                    username=s.smtp_user,
                    password=password,
                    use_tls=s.smtp_tls,
                    start_tls=s.smtp_starttls,
                    timeout=timeout,
                )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            result = classify_smtp(exc, (password,))
            log.debug("send_failed", channel=self.name, alert_key=batch.key, error=result.reason)
            return result
        if errors:
            log.warning(
                "recipients_refused",
                channel=self.name,
                alert_key=batch.key,
                error=f"{len(errors)} of {len(self._config.to)} recipients refused",
            )
        return SendResult.sent(ref=str(msg["Message-ID"]))

    async def aclose(self) -> None:
        return None

"""What every channel type's config has in common: ``ChannelBase``.

Each channel module (``slack.py``, ``matrix.py`` ...) subclasses it with its own fields; the
shared fields (rate limit, bursts, retries) and the digest hook live here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.config.durations import Duration


class ChannelBase(BaseModel):
    """Fields every channel type accepts."""

    model_config = ConfigDict(extra="forbid")

    type: str
    rate_limit: float | None = Field(
        None, gt=0, description="messages per second at most (default depends on the type)"
    )
    burst_threshold: int = Field(
        5, ge=1, description="more alerts than this due at once become one grouped message"
    )
    max_group: int = Field(20, ge=2, le=50, description="alerts listed in one grouped message")
    max_attempts: int | None = Field(None, ge=1, description="attempts before dead-lettering")
    max_age: Duration | None = Field(None, description="age after which an alert is dead-lettered")
    send_timeout: Duration | None = Field(
        None, description="seconds for one send to this channel (default WIREWATCH_SEND_TIMEOUT)"
    )
    followups: Literal["thread", "digest", "off"] = Field(
        "thread",
        description=(
            "copies of a story already alerted: thread (under the first alert where the channel "
            "can), digest (held followup_hold and sent together), off (recorded, not sent)"
        ),
    )
    followup_hold: Duration = Field(
        600.0, ge=0, description="how long follow-ups wait to be sent together (digest mode, Slack)"
    )

    @property
    def can_thread(self) -> bool:
        """The channel can put a follow-up under the first alert's message (Matrix threads,
        email In-Reply-To, a webhook's ``story`` field); Slack incoming webhooks cannot."""
        return True

    def followup_delay(self) -> float | None:
        """Seconds a follow-up waits before it may be sent (so copies arriving together go in
        one message); None: follow-ups are not sent to this channel."""
        if self.followups == "off":
            return None
        if self.followups == "digest" or not self.can_thread:
            return float(self.followup_hold)
        return 0.0

    def timeout(self, default: float) -> float:
        """This channel's send timeout: its own ``send_timeout``, else the global one."""
        return self.send_timeout if self.send_timeout is not None else default

    def default_rate_limit(self) -> float | None:
        return self.rate_limit

    @property
    def is_digest(self) -> bool:
        """A digest channel collects alerts and sends them together at ``next_digest``."""
        return False

    def next_digest(self, after: datetime) -> datetime | None:
        """The next scheduled send after ``after``; None for channels that send each alert now."""
        return None

"""Console channel: alerts printed for a person at a terminal (the local default).

A follow-up is one line naming who also reported it and its story; a terminal has no threads.
"""

from __future__ import annotations

import sys
from typing import Literal, TextIO

from service.notify.base import Batch, SendResult
from service.notify.config import ChannelBase
from service.notify.text import alert_lines, followup_line


class ConsoleConfig(ChannelBase):
    type: Literal["console"] = "console"
    stream: Literal["stdout", "stderr"] = "stdout"


class ConsoleNotifier:
    def __init__(self, name: str, config: ConsoleConfig, out: TextIO | None = None) -> None:
        self.name = name
        self._config = config
        self._out = out

    async def send(self, batch: Batch) -> SendResult:
        out = self._out or (sys.stdout if self._config.stream == "stdout" else sys.stderr)
        if batch.kind != "single":
            out.write(f"=== {len(batch.alerts)} alerts ({batch.kind}) on #{self.name} ===\n")
        for alert in batch.alerts:
            lines = [followup_line(alert)] if alert.is_followup else alert_lines(alert)
            out.write("\n".join(lines) + "\n\n")
        out.flush()
        return SendResult.sent()

    async def aclose(self) -> None:
        return None

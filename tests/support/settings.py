"""Settings for tests: no .env file, short send timeout, SMTP pointed wherever the test says."""

from __future__ import annotations

from typing import Any

from service.settings import Settings
from tests.support.waiting import free_port


def quick_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"send_timeout": 0.5, "smtp_host": "127.0.0.1"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def closed_port() -> int:
    """A loopback port with nothing listening (connection refused)."""
    return free_port()

"""Process settings: environment variables with prefix ``WIREWATCH_`` (and a ``.env`` file).

The user's rules (feeds, channels, watchlists) live in YAML under ``rules_dir``; everything
about how the process runs lives here. Every field is documented in README and .env.example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service import __version__


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WIREWATCH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # where things are
    rules_dir: Path = Field(Path("./rules"), description="folder with feeds.yaml, channels.yaml, watchlists/")
    state_url: str = Field(
        "sqlite:///./var/state.db",
        description="sqlite:///path (embedded, one process) or redis://host:port/db (shared)",
    )

    # fetching feeds
    user_agent: str = Field(
        f"Wirewatch/{__version__} (+https://github.com/wirewatch/wirewatch)",
        description="User-Agent sent with every feed request",
    )
    connect_timeout: float = Field(10.0, description="seconds to open a connection to a feed")
    read_timeout: float = Field(20.0, description="seconds to wait for the next bytes of a feed")
    fetch_timeout: float = Field(60.0, description="seconds for a whole feed download")
    max_feed_bytes: int = Field(10 * 1024 * 1024, description="body size cap, after decompression")
    max_connections: int = Field(100, description="concurrent feed downloads")
    max_redirects: int = Field(5, description="redirects followed per poll")
    backoff_base: float = Field(60.0, description="first retry delay after a failed poll, seconds")
    backoff_max: float = Field(6 * 3600.0, description="longest delay between failing polls")
    seen_ttl: float = Field(90 * 86400.0, description="seconds an item id is remembered per feed")
    seen_max: int = Field(5000, description="item ids remembered per feed (newest kept)")
    dedup_ttl: float = Field(90 * 86400.0, description="seconds a sent story is remembered")
    state_timeout: float = Field(
        5.0, description="seconds to wait on the state store (Redis socket timeouts)"
    )
    redis_prefix: str = Field(
        "wirewatch:",
        description="prefix of every Redis key; give it a hash tag, e.g. {wirewatch}:, for a Redis Cluster",
    )

    # editors' records (wirewatch alerts, silence, replay)
    alert_log_ttl: float = Field(
        30 * 86400.0, description="seconds a sent or silenced alert stays in the alert log"
    )
    history_ttl: float = Field(7 * 86400.0, description="seconds an item is kept for wirewatch replay")
    history_max: int = Field(1000, description="items kept per feed for wirewatch replay (newest kept)")

    # stories (one alert per story across outlets)
    stories: bool = Field(
        True, description="cluster near-duplicates into stories: one alert per story, copies as follow-ups"
    )
    story_threshold: float = Field(
        0.86, gt=0.0, le=1.0, description="weighted word overlap at or above which two items are one story"
    )

    # delivery
    drain_timeout: float = Field(60.0, description="run --once: seconds to keep retrying deliveries")
    shutdown_timeout: float = Field(10.0, description="seconds to let in-flight sends finish on stop")
    send_timeout: float = Field(15.0, description="seconds for one send to a channel")
    max_attempts: int = Field(12, description="attempts before an alert is dead-lettered")
    max_alert_age: float = Field(
        2 * 86400.0, description="seconds before an undelivered alert is dead-lettered"
    )
    retry_base: float = Field(2.0, description="first retry delay for a failed send, seconds")
    retry_max: float = Field(900.0, description="longest delay between send retries, seconds")

    # email
    smtp_host: str = Field("localhost", description="SMTP server for email channels")
    smtp_port: int = Field(25, description="SMTP port (587 with starttls, 465 with tls)")
    smtp_user: str | None = Field(None, description="SMTP login user")
    smtp_password: SecretStr | None = Field(None, description="SMTP login password")
    smtp_starttls: bool = Field(False, description="upgrade the connection with STARTTLS")
    smtp_tls: bool = Field(False, description="connect with implicit TLS")
    smtp_from: str = Field("Wirewatch <wirewatch@localhost>", description="From: address")

    # operations
    http_addr: str | None = Field(
        None, description="host:port for /healthz, /readyz, /metrics; off unless set"
    )
    log_format: Literal["text", "json"] = Field("text", description="text for people, json for machines")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")
    health_channel: str | None = Field(None, description="channel that receives feed-health alerts")
    health_failures: int = Field(5, description="consecutive failed polls before a feed-health alert")
    health_quiet_factor: float = Field(
        6.0, description="a feed is quiet after this many times its usual gap between items"
    )
    health_quiet_min: float = Field(
        6 * 3600.0, description="never call a feed quiet before this many seconds"
    )

"""Synapse's homeserver.yaml for the tests: fast start-up, one server, nothing sent off the machine.

Only a client listener on 127.0.0.1 (it also serves ``/_synapse/admin``); no federation
listener, no trusted key servers and an empty federation allow-list, so Synapse never fetches
keys or talks to another server; no stats reporting, metrics, media repository, URL previews or
presence. Rate limits are raised for everything a test does (the bot's message limit is also
switched off through the admin API, see ``tests/support/synapse.py``).
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Any

import yaml

SERVER_NAME = "wirewatch.test"


def _signing_key() -> str:
    """An ed25519 signing key in Synapse's file format (saves a ``--generate-keys`` run)."""
    seed = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    return f"ed25519 a_test {seed}\n"


def write_config(home: Path, port: int, shared_secret: str) -> Path:
    """homeserver.yaml for a fast, silent, single-server Synapse under ``home``."""
    (home / "signing.key").write_text(_signing_key())
    log_config = {
        "version": 1,
        "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "plain",
                "filename": str(home / "homeserver.log"),
            }
        },
        "loggers": {"synapse.storage.SQL": {"level": "WARNING"}},
        "root": {"level": "INFO", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }
    (home / "log.yaml").write_text(yaml.safe_dump(log_config))
    relaxed = {"per_second": 1000, "burst_count": 1000}
    config: dict[str, Any] = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "pid_file": str(home / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(home / "homeserver.db")}},
        "log_config": str(home / "log.yaml"),
        "signing_key_path": str(home / "signing.key"),
        "media_store_path": str(home / "media"),
        "enable_media_repo": False,
        "url_preview_enabled": False,
        "report_stats": False,
        "enable_metrics": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "presence": {"enabled": False},
        "enable_registration": False,
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "rc_message": relaxed,
        "rc_registration": relaxed,
        "rc_login": {"address": relaxed, "account": relaxed, "failed_attempts": relaxed},
        "rc_joins": {"local": relaxed, "remote": relaxed},
        "rc_room_creation": relaxed,
    }
    path = home / "homeserver.yaml"
    path.write_text(yaml.safe_dump(config))
    return path

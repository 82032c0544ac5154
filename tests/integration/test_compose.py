"""``docker compose config`` (or Debian's ``docker-compose config``) accepts docker-compose.yml.

Run as a fresh clone would after the documented first step (``cp .env.example .env``): only
tracked deploy files copied into a temporary folder. Skips with a reason only where neither tool
exists; under CI=true that is a failure unless .ci/run recorded why it could not install one
(WIREWATCH_COMPOSE_UNAVAILABLE).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import ROOT


def compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.fixture(scope="module")
def compose() -> list[str]:
    cmd = compose_command()
    if cmd is None:
        why = os.environ.get("WIREWATCH_COMPOSE_UNAVAILABLE")
        if os.environ.get("CI") == "true" and not why:
            pytest.fail("neither `docker compose` nor `docker-compose` found; .ci/run installs one")
        pytest.skip(f"neither `docker compose` nor `docker-compose` is installed ({why or 'local'})")
    return cmd


def fresh_clone(tmp: Path) -> Path:
    for name in ("docker-compose.yml", "Dockerfile", ".dockerignore", ".env.example"):
        shutil.copy(ROOT / name, tmp / name)
    shutil.copy(ROOT / ".env.example", tmp / ".env")
    (tmp / "rules").mkdir()
    return tmp


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WIREWATCH_", "COMPOSE_"))}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_compose_config_is_valid(compose: list[str], tmp_path: Path) -> None:
    folder = fresh_clone(tmp_path)
    result = run([*compose, "config"], folder)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"wirewatch", "redis"} <= set(services)
    app = services["wirewatch"]
    assert app["environment"]["WIREWATCH_STATE_URL"] == "redis://redis:6379/0"
    assert {"redis-data", "wirewatch-state"} <= set(config["volumes"])
    assert services["redis"]["image"] == "redis:7-alpine"
    assert [published(p) for p in app["ports"]] == [("127.0.0.1", "9108-9117", 9108)]


def test_compose_variables_override_images_and_ports(compose: list[str], tmp_path: Path) -> None:
    folder = fresh_clone(tmp_path)
    with (folder / ".env").open("a", encoding="utf-8") as env:
        env.write("REDIS_IMAGE=local/redis:7-bookworm\nOPS_PORTS=20000-20009\n")
    result = run([*compose, "config"], folder)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["redis"]["image"] == "local/redis:7-bookworm"
    assert [published(p) for p in services["wirewatch"]["ports"]] == [("127.0.0.1", "20000-20009", 9108)]


def published(port: str | dict[str, Any]) -> tuple[str, str, int]:
    """(host ip, host ports, container port) from v1's short form or v2's long form."""
    if isinstance(port, dict):
        return port["host_ip"], str(port["published"]), int(port["target"])
    host_ip, host_ports, target = port.split("/")[0].split(":")
    return host_ip, host_ports, int(target)


def test_mail_profile_adds_mailpit(compose: list[str], tmp_path: Path) -> None:
    folder = fresh_clone(tmp_path)
    result = run([*compose, "--profile", "mail", "config", "--services"], folder)
    assert result.returncode == 0, result.stderr
    assert {"wirewatch", "redis", "mailpit"} <= set(result.stdout.split())


def test_env_values_reach_the_container_environment(compose: list[str], tmp_path: Path) -> None:
    folder = fresh_clone(tmp_path)
    with (folder / ".env").open("a", encoding="utf-8") as env:
        env.write("WIREWATCH_HEALTH_FAILURES=7\nWIREWATCH_STATE_URL=sqlite:///ignored.db\n")
    result = run([*compose, "config"], folder)
    assert result.returncode == 0, result.stderr
    environment = yaml.safe_load(result.stdout)["services"]["wirewatch"]["environment"]
    assert str(environment["WIREWATCH_HEALTH_FAILURES"]) == "7"
    assert environment["WIREWATCH_STATE_URL"] == "redis://redis:6379/0", "compose wins over .env"

"""Deploy files kept honest: settings documented, secrets listed, image and compose as promised."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from service.settings import Settings
from tests.support.paths import ROOT

CHANNEL_SECRETS = ("SLACK_WEBHOOK_URL", "MATRIX_TOKEN", "WEBHOOK_SECRET")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


def env_names() -> list[str]:
    return [f"WIREWATCH_{name.upper()}" for name in Settings.model_fields]


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    missing = []
    for name in env_names():
        at = [i for i, line in enumerate(lines) if re.match(rf"^#?\s*{name}=", line)]
        if not at:
            missing.append(name)
            continue
        before = lines[at[0] - 1] if at[0] else ""
        assert before.startswith("#") and "=" not in before.split()[1:2], f"{name} needs a comment"
    assert not missing, f".env.example lacks {', '.join(missing)}"


def test_env_example_changes_nothing_until_edited() -> None:
    """Safe defaults: a copied .env.example sets no value (every assignment commented out)."""
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        assert not line.strip() or line.lstrip().startswith("#"), line


def test_env_example_lists_every_channel_secret() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    referenced = set(CHANNEL_SECRETS)
    for path in (ROOT / "rules" / "channels.yaml", ROOT / "README.md"):
        if path.exists():
            referenced |= set(_VAR.findall(path.read_text(encoding="utf-8"))) - {"VAR"}
    missing = sorted(v for v in referenced if not re.search(rf"^#?\s*{v}=", text, re.M))
    assert not missing, f".env.example lacks channel secrets {missing}"


def _deploy_doc(name: str) -> str:
    path = ROOT / name
    if not path.exists():
        if name == "README.md":
            pytest.fail("README.md is missing (the Deploy section with the settings table lives there)")
        pytest.skip(f"{name} absent (its sections were merged into README.md)")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", ["README.md"])
def test_every_setting_is_documented(doc: str) -> None:
    text = _deploy_doc(doc)
    missing = [name for name in env_names() if f"`{name}`" not in text]
    assert not missing, f"{doc}: settings table lacks {', '.join(missing)}"


@pytest.mark.parametrize("doc", ["README.md"])
def test_deploy_section_covers_compose_volumes_env_and_scaling(doc: str) -> None:
    text = _deploy_doc(doc)
    assert re.search(r"^#+ Deploy\b", text, re.M), f"{doc}: no 'Deploy' heading"
    assert re.search(r"^#+ Observe\b", text, re.M), f"{doc}: no 'Observe' heading"
    for needle in ("docker compose", "volume", ".env", "one scheduler per Redis", "/readyz"):
        assert needle in text, f"{doc}: Deploy section does not mention {needle!r}"


def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_wires_wirewatch_to_a_persistent_redis() -> None:
    services = compose()["services"]
    app, redis = services["wirewatch"], services["redis"]
    assert app["env_file"] == ".env"
    assert app["environment"]["WIREWATCH_STATE_URL"].startswith("redis://redis:")
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert any(v.split(":")[1] == "/rules" for v in app["volumes"])
    assert all(p.startswith("127.0.0.1:") for p in app["ports"]), "ops port on loopback only"
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert redis["volumes"][0].split(":")[0] in compose()["volumes"]
    assert "healthcheck" in redis and "healthcheck" in app
    for name in ("wirewatch", "redis", "mailpit"):
        assert services[name]["restart"] == "unless-stopped"


def test_compose_mail_catcher_is_an_optional_profile() -> None:
    raw = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    mail = compose()["services"]["mailpit"]
    assert mail["profiles"] == ["mail"] and "mailpit" in mail["image"]
    assert "WIREWATCH_SMTP_HOST=mailpit" in raw and "WIREWATCH_SMTP_PORT=1025" in raw


def test_dockerfile_is_multistage_slim_non_root_with_healthcheck_and_volumes() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M)
    assert len(stages) >= 2, "multi-stage build"
    assert "slim" in text.split("ARG PYTHON_IMAGE=", 1)[1].splitlines()[0]
    assert "COPY --from=build" in text
    user = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert user and not user[-1].startswith(("root", "0")), "runs as a non-root user"
    assert re.search(r"^HEALTHCHECK .*\n?.*service\.ops\.probe.*/healthz", text, re.M)
    assert re.search(r'^VOLUME \[.*"/rules".*"/var/lib/wirewatch"', text, re.M)
    assert "sqlite:////var/lib/wirewatch/" in text, "embedded state on the volume"
    installs = [line for line in text.splitlines() if "pip install" in line]
    assert installs and all("[dev]" not in line and "-e " not in line for line in installs), (
        "runtime dependencies only"
    )


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    lines = set((ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines())
    assert {".env", ".venv", ".git", "var", "tests", "rules"} <= lines
    assert not {"service", "pyproject.toml", "README.md"} & lines

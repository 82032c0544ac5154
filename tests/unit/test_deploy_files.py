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
    for needle in ("docker compose", "volume", ".env", "--scale wirewatch=3", "/readyz"):
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
    assert redis["image"] == "${REDIS_IMAGE:-redis:7-alpine}", "the public image unless REDIS_IMAGE says"
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert redis["volumes"][0].split(":")[0] in compose()["volumes"]
    assert "healthcheck" in redis and "healthcheck" in app
    for name in ("wirewatch", "redis", "mailpit"):
        assert services[name]["restart"] == "unless-stopped"


def defaults(value: str) -> str:
    """``${VAR:-default}`` -> ``default``: what compose uses when VAR is not set."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}", r"\1", value)


def test_compose_ops_port_scales() -> None:
    """`--scale wirewatch=3` gets three host ports: a range, one port per replica, 9108 first."""
    (port,) = compose()["services"]["wirewatch"]["ports"]
    host_ip, published, target = defaults(port).split(":")
    first, last = (int(p) for p in published.split("-"))
    assert (host_ip, target, first) == ("127.0.0.1", "9108", 9108)
    assert last - first + 1 >= 3, "room for at least three replicas"


def test_compose_declares_the_state_volume_it_uses() -> None:
    """The image's VOLUME /var/lib/wirewatch gets a name, not a nameless volume per container."""
    data = compose()
    mounts = [v.split(":") for v in data["services"]["wirewatch"]["volumes"]]
    state = [source for source, target, *_ in mounts if target == "/var/lib/wirewatch"]
    assert state and state[0] in data["volumes"], "a named volume on /var/lib/wirewatch"
    for service in data["services"].values():
        for source, *_ in (v.split(":") for v in service.get("volumes", [])):
            assert source.startswith((".", "/")) or source in data["volumes"], f"undeclared volume {source}"


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
    installs = [line for line in text.splitlines() if re.search(r"\bpip\b.* install ", line)]
    assert installs and all("[dev]" not in line and "-e " not in line for line in installs), (
        "runtime dependencies only"
    )


def dockerfile_stages() -> dict[str, str]:
    """Stage name -> its text (from its FROM line to the next)."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    parts = re.split(r"^(?=FROM\s)", text, flags=re.M)[1:]
    return {re.match(r"FROM\s+\S+\s+AS\s+(\S+)", part).group(1): part for part in parts}  # type: ignore[union-attr]


def test_dockerfile_has_no_syntax_line() -> None:
    """A `# syntax=` directive makes BuildKit pull a frontend image, even for a local base image."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert not re.search(r"^#\s*syntax\s*=", text, re.M | re.I)


def test_runtime_stage_has_no_pip_or_setuptools() -> None:
    stages = dockerfile_stages()
    build, runtime = stages["build"], stages["runtime"]
    assert "venv --without-pip /opt/wirewatch" in build, "the copied venv is made without pip"
    commands = [line for line in build.splitlines() if not line.lstrip().startswith("#")]
    installs = [line for line in commands if re.search(r"\bpip\b.* (install|check)\b", line)]
    assert installs and all("--python /opt/wirewatch/bin/python" in line for line in installs), (
        "pip runs from its own venv and installs into /opt/wirewatch"
    )
    assert "COPY --from=build /opt/wirewatch /opt/wirewatch" in runtime
    assert not re.search(r"\bpip\b.* install\b", runtime), "nothing is installed in the runtime stage"
    assert "pip uninstall" in runtime, "the base image's pip and setuptools are removed"
    assert re.search(
        r"find_spec\(m\).*\n?.*\('pip', 'setuptools'\)|\('pip', 'setuptools'\).*find_spec", runtime
    ), "the runtime stage fails its build while pip or setuptools can still be imported"


def test_lock_files_are_what_make_ci_and_the_image_install() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    stamp = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert stamp, "Makefile: the venv stamp rule"
    assert "$(DEV_LOCK)" in stamp.group(1) and "$(RUNTIME_LOCK)" in stamp.group(1), (
        "reinstall when a lock changes"
    )
    assert "--requirement $(DEV_LOCK)" in stamp.group(2) and "--no-deps --editable ." in stamp.group(2)
    assert "DEV_LOCK     := requirements/dev.txt" in makefile
    assert "RUNTIME_LOCK := requirements/runtime.txt" in makefile
    assert re.search(r"^lock:", makefile, re.M), "`make lock` regenerates the locks"
    assert "COPY requirements/runtime.txt" in dockerfile
    assert "install --requirement requirements/runtime.txt" in dockerfile
    assert "install --no-deps ." in dockerfile, "the package itself resolves nothing"
    last = [line for line in ci.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last.strip() == "make check", ".ci/run ends with `make check` (format, lint, types, tests)"


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    lines = set((ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines())
    assert {".env", ".venv", ".git", "var", "tests", "rules"} <= lines
    assert not {"service", "pyproject.toml", "README.md", "requirements", "requirements/runtime.txt"} & lines

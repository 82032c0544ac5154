# Wirewatch container: two stages, so the image carries the runtime packages only (no pip, no
# setuptools, no build tools, no dev/test extras) and runs as an unprivileged user.
#
#   docker build -t wirewatch .
#   docker run --rm -v "$PWD/rules:/rules:ro" -v wirewatch-state:/var/lib/wirewatch -p 127.0.0.1:9108:9108 wirewatch
#
# Plain Dockerfile syntax (no `# syntax=` line): the classic builder and BuildKit both build it, and
# BuildKit does not fetch a frontend image first.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the locked runtime dependencies and the package, into a venv that has no pip -------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# pip lives in its own venv and installs into /opt/wirewatch (`pip --python`), so the venv that is
# copied to the runtime stage never contains pip or setuptools.
RUN python -m venv /opt/pip \
 && python -m venv --without-pip /opt/wirewatch
WORKDIR /src
# Dependencies first, from the lock (make lock): this layer is rebuilt only when the lock changes.
COPY requirements/runtime.txt requirements/runtime.txt
RUN /opt/pip/bin/pip --python /opt/wirewatch/bin/python install --requirement requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY service ./service
# Not editable, no [dev] extra, no resolving: the package alone (byte-compiled here, since the
# runtime user cannot write into the venv). `pip check` fails the build when pyproject.toml needs
# something the lock lacks (run `make lock`).
RUN /opt/pip/bin/pip --python /opt/wirewatch/bin/python install --no-deps . \
 && /opt/pip/bin/pip --python /opt/wirewatch/bin/python check

# --- runtime: the venv, a user, two volumes ------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="wirewatch" \
      org.opencontainers.image.description="Watch news feeds, match watchlists, deliver alerts once" \
      org.opencontainers.image.licenses="MIT"
# The base image's own installers go too (python:*-slim ships pip and setuptools; Debian's python3
# keeps their wheels for ensurepip): nothing in the running image can install packages.
RUN if python -c "import pip" 2>/dev/null; then PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore \
      python -m pip uninstall --yes --quiet pip setuptools wheel; fi \
 && rm -rf /usr/share/python-wheels \
      "$(python -c 'import ensurepip, os; print(os.path.dirname(ensurepip.__file__))')/_bundled" \
 && python -c "import importlib.util as u, sys; left = [m for m in ('pip', 'setuptools') if u.find_spec(m)]; \
      sys.exit(f'runtime stage still has {left}' if left else 0)" \
 && groupadd --system --gid 10001 wirewatch \
 && useradd --system --uid 10001 --gid wirewatch --home-dir /var/lib/wirewatch \
      --no-create-home --shell /usr/sbin/nologin wirewatch \
 && mkdir -p /rules /var/lib/wirewatch \
 && chown wirewatch:wirewatch /var/lib/wirewatch
COPY --from=build /opt/wirewatch /opt/wirewatch
# Container defaults; anything in .env / `environment:` overrides them.
#   rules/ is read from the /rules volume (mount it read-only; edits are picked up live);
#   embedded state (SQLite) lives on the /var/lib/wirewatch volume, owned by uid 10001 (a host
#   folder mounted there must be too: chown -R 10001:10001 <folder>); compose switches to Redis;
#   the ops endpoint is on, on all interfaces of the container (publish it to loopback only).
ENV PATH=/opt/wirewatch/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WIREWATCH_RULES_DIR=/rules \
    WIREWATCH_STATE_URL=sqlite:////var/lib/wirewatch/state.db \
    WIREWATCH_HTTP_ADDR=0.0.0.0:9108 \
    WIREWATCH_LOG_FORMAT=json
VOLUME ["/rules", "/var/lib/wirewatch"]
WORKDIR /var/lib/wirewatch
USER wirewatch:wirewatch
EXPOSE 9108
# Process alive = /healthz answers (standard library probe; follows WIREWATCH_HTTP_ADDR and
# ignores http_proxy, which Docker copies from the client's settings into the container).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-m", "service.ops.probe", "/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["wirewatch"]
CMD ["run"]

# syntax=docker/dockerfile:1
# Wirewatch container: two stages, so the image carries the runtime packages only (no pip cache,
# no build tools, no dev/test extras) and runs as an unprivileged user.
#
#   docker build -t wirewatch .
#   docker run --rm -v "$PWD/rules:/rules:ro" -v wirewatch-state:/var/lib/wirewatch -p 127.0.0.1:9108:9108 wirewatch

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: resolve and install the package and its runtime dependencies into a venv ---------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/wirewatch
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
# Not editable, no [dev] extra: only what `dependencies` lists ends up in /opt/wirewatch
# (byte-compiled here, since the runtime user cannot write into it).
RUN /opt/wirewatch/bin/pip install .

# --- runtime: the venv, a user, two volumes ------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="wirewatch" \
      org.opencontainers.image.description="Watch news feeds, match watchlists, deliver alerts once" \
      org.opencontainers.image.licenses="MIT"
RUN groupadd --system --gid 10001 wirewatch \
 && useradd --system --uid 10001 --gid wirewatch --home-dir /var/lib/wirewatch \
      --no-create-home --shell /usr/sbin/nologin wirewatch \
 && mkdir -p /rules /var/lib/wirewatch \
 && chown wirewatch:wirewatch /var/lib/wirewatch
COPY --from=build /opt/wirewatch /opt/wirewatch
# Container defaults; anything in .env / `environment:` overrides them.
#   rules/ is read from the /rules volume (mount it read-only; edits are picked up live);
#   embedded state (SQLite) lives on the /var/lib/wirewatch volume; compose switches to Redis;
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
# Process alive = /healthz answers (standard library probe; follows WIREWATCH_HTTP_ADDR).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-m", "service.ops.probe", "/healthz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["wirewatch"]
CMD ["run"]

# careerbot container image.
#
#   docker build -t careerbot .
#   podman build --format docker -t careerbot .      (OCI format would drop the HEALTHCHECK)
#
# Any Debian-like base with python3 (>= 3.11) and its venv module works, e.g.
#   --build-arg BASE=debian:bookworm-slim  after apt-get install python3 python3-venv,
# or the plain Debian base that scripts/check-image makes. Only `python3 -m venv` is used:
# no image's own `python` or `pip` binary.
ARG BASE=python:3.11-slim

# --- build: a venv with careerbot and its dependencies ---------------------------------------
FROM ${BASE} AS build

# pip settings for a package mirror or a TLS-intercepting proxy, passed with --build-arg and
# seen by this stage's RUN only; e.g. with the host's CA bundle mounted into the build:
#   podman build -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
#     --build-arg PIP_CERT=/etc/ssl/certs/ca-certificates.crt ...
# Build args are recorded in the image history: never pass a secret this way.
# (pip ignores an empty PIP_* variable; SSL_CERT_FILE has no default, as an empty one would
# hide the system's CA certificates.)
ARG PIP_INDEX_URL=
ARG PIP_EXTRA_INDEX_URL=
ARG PIP_TRUSTED_HOST=
ARG PIP_CERT=
ARG SSL_CERT_FILE

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1

RUN python3 -m venv /opt/careerbot

WORKDIR /src
# Only what the wheel is built from (knowledge/ becomes bot/knowledge inside the wheel).
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY handlers/ handlers/
COPY knowledge/ knowledge/
RUN /opt/careerbot/bin/python -m pip install . \
 && /opt/careerbot/bin/careerbot kb check
# The learned models fitted now, into the image: a container's first start reads them (about
# half a second) instead of training (6-20 s on two cores). Keyed by the knowledge, corpus, code
# and library versions; with another knowledge folder mounted, point CAREERBOT_MODEL_CACHE at a
# writable folder (e.g. /data/model-cache) or every start trains again.
# The cache's files are written readable by their writer alone (0600), here root: the runtime
# user must read them (else every start trains again and cannot write the cache). Root keeps
# them and no one else may write them, so the knowledge cache still trusts them (kb_cache).
RUN CAREERBOT_MODEL_CACHE=/opt/careerbot/model-cache /opt/careerbot/bin/careerbot kb train \
 && chmod -R a+rX /opt/careerbot/model-cache

# --- runtime ---------------------------------------------------------------------------------
FROM ${BASE}

LABEL org.opencontainers.image.title="careerbot" \
      org.opencontainers.image.description="Trợ lý Telegram hướng nghiệp và phân luồng" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LANG=C.UTF-8 \
    PATH=/opt/careerbot/bin:$PATH \
    CAREERBOT_DB=/data/careerbot.db \
    CAREERBOT_WEB_HOST=0.0.0.0 \
    CAREERBOT_MODEL_CACHE=/opt/careerbot/model-cache

# An unprivileged user; /data (the SQLite database, its -wal/-shm files, backups) belongs to it,
# readable by it only (0700).
RUN useradd --uid 10001 --user-group --no-log-init --create-home --home-dir /home/careerbot \
        --shell /usr/sbin/nologin careerbot \
 && mkdir -p /data \
 && chmod 700 /data \
 && chown 10001:10001 /data

COPY --from=build /opt/careerbot /opt/careerbot

USER 10001:10001
# The working directory is the volume too, so a relative CAREERBOT_DB (careerbot.db, as in
# .env.example) and relative backup paths land on it.
WORKDIR /data
VOLUME /data

# Webhook mode only (WEBHOOK_URL set): the reverse proxy forwards HTTPS to this port.
EXPOSE 8443
# The web chat (CAREERBOT_WEB_PORT=8080 set): page, widget.js and its API, behind the same proxy.
# It listens on every interface of the container (CAREERBOT_WEB_HOST above); compose publishes
# the port on the host's loopback only.
EXPOSE 8080

# Configuration, knowledge, surveys and database; no network.
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 \
    CMD ["careerbot", "health"]

ENTRYPOINT ["careerbot"]
CMD ["run"]

# syntax=docker/dockerfile:1
# One image for every Preceptorship process: the web server (the default command), the Celery
# worker and beat (compose.yaml runs it those ways). Commands and variables are those of CI's
# production stage (.ci/production) and of the README's "Running in production".

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim

# 1. The NHS.UK design system from npm, exactly as package-lock.json pins it.
FROM ${NODE_IMAGE} AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# 2. The Python packages in a virtual environment, the design system's files prepared by
#    build_frontend, and the static files collected with their hashed names (WhiteNoise serves them).
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
COPY --from=frontend /src/node_modules/nhsuk-frontend node_modules/nhsuk-frontend
# A key for these two commands only (they sign nothing); the image holds no secret. The production
# settings, so collectstatic writes the manifest the servers read.
ENV DJANGO_SETTINGS_MODULE=preceptorship.settings.production
RUN SECRET_KEY=build-only-not-a-secret /opt/venv/bin/python manage.py build_frontend \
 && SECRET_KEY=build-only-not-a-secret /opt/venv/bin/python manage.py collectstatic --no-input \
 && rm -rf node_modules

# 3. What runs: the libraries WeasyPrint needs for the PDFs, the virtual environment and the
#    application with its collected static files, as a user without privileges.
FROM ${PYTHON_IMAGE} AS runtime
# Debian's security updates replace exact versions; the base image's tag is what is pinned.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 preceptorship \
 && useradd --system --uid 10001 --gid preceptorship --home-dir /app --no-create-home preceptorship \
 && mkdir -p /var/lib/preceptorship/files /var/lib/preceptorship/beat \
 && chown -R preceptorship:preceptorship /var/lib/preceptorship
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
# PRIVATE_MEDIA_ROOT is a folder, not a secret (hadolint's DL3064 goes by the name).
# hadolint ignore=DL3064
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=preceptorship.settings.production \
    PRIVATE_MEDIA_ROOT=/var/lib/preceptorship/files
USER 10001:10001
EXPOSE 8000
# /livez: the process answers (no database or Redis, so an outage never restarts healthy servers).
# Sent with the first ALLOWED_HOSTS name, which Django insists on.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; host = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].lstrip('.'); u.urlopen(u.Request('http://127.0.0.1:8000/livez', headers={'Host': host}), timeout=4)"]
CMD ["gunicorn", "preceptorship.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]

# syntax=docker/dockerfile:1
# The reviews service as a container image: gunicorn serving atelier.wsgi on :8000.
# Migrations are a separate step (deploy/compose.yaml's `migrate` job runs
# `python manage.py migrate`); the app containers never migrate on start.

# The base: the official slim Python image. A machine that reaches the Debian mirrors but no image
# registry builds an equivalent one itself (Debian bookworm with Debian's Python 3.11 as `python`)
# and passes it in: deploy/image/base.sh, or `make image`.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# Build stage: the locked dependencies in a virtual environment, each file checked against its
# hash. requirements-image.lock is the runtime lock less the embedded PostgreSQL (local checkouts
# only; containers get their database from DATABASE_URL): `make lock` writes both.
FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements-image.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-compile --require-hashes -r /tmp/requirements.lock

# Runtime stage: the base image, the virtual environment, the code, the collected static
# files, and an unprivileged user.
FROM ${BASE_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=atelier.settings \
    ATELIER_DATA_DIR=/tmp/atelier \
    GUNICORN_BIND=0.0.0.0:8000
RUN groupadd --system --gid 10001 atelier \
    && useradd --system --uid 10001 --gid atelier --no-log-init --no-create-home atelier
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY atelier ./atelier
COPY reviews ./reviews
COPY loaders ./loaders
COPY deploy/__init__.py deploy/serving.py deploy/gunicorn.conf.py ./deploy/
COPY manage.py ./
# collectstatic needs a key and a database URL to import the settings (without DATABASE_URL the
# settings choose the embedded server, which the image leaves out); it never connects. The real
# ones come from the environment.
RUN DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=postgres://collectstatic@127.0.0.1:1/none \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q atelier reviews loaders
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2).status != 200)"]
ENTRYPOINT ["gunicorn", "--config", "deploy/gunicorn.conf.py"]

# The two commands: `make run` (set up, load demo data on first run, serve on 127.0.0.1:8000)
# and `make test` (set up, lint, check, run the whole test suite). `make test-fast` runs the tests
# not marked slow, browser or cluster, and needs none of the Debian packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What is installed, from the lock files (every transitive dependency, pinned with its hashes;
# `make lock` makes them from the top-level pins in requirements*.txt), stamped by their hash: the
# runtime for `make run`, and the development and test tools on top of it for everything else.
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat requirements.lock | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock | sha1sum | cut -c1-12)
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
# Patroni, the HA database's orchestrator (deploy/cluster.py --db-nodes 3), in an environment of its
# own on the system's Python: as root, PostgreSQL and Patroni run as an unprivileged user, who
# cannot run a Python installed in root's home.
PATRONI_PYTHON ?= /usr/bin/python3
PATRONI_VENV := .venv-patroni
PATRONI_STAMP := $(PATRONI_VENV)/.installed-$(shell cat deploy/patroni/requirements.lock | sha1sum | cut -c1-12)
# Debian packages the service and its tests use (installed only when missing).
SYSTEM_PACKAGES := nginx varnish varnish-modules wrk chromium etcd-server nftables prometheus
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup runtime lock patroni preflight system-packages run test test-suite test-fast \
	test-fast-suite lint check db-start db-stop db-status clean cluster-start cluster-stop \
	cluster-status loadtest bench reliability backup restore image-packages image image-smoke

$(RUNTIME_STAMP): requirements.lock
	@$(PYTHON) deploy/preflight.py --python-only
	@echo "==> installing the runtime requirements into $(VENV)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) -r requirements.lock
	@rm -f $(VENV)/.runtime-* && touch $@

$(PATRONI_STAMP): deploy/patroni/requirements.lock
	@echo "==> installing Patroni into $(PATRONI_VENV)"
	@rm -rf $(PATRONI_VENV) && $(PATRONI_PYTHON) -m venv $(PATRONI_VENV)
	@$(PATRONI_VENV)/bin/pip install --quiet --disable-pip-version-check \
		-r deploy/patroni/requirements.lock
	@touch $@

patroni: $(PATRONI_STAMP)

$(STAMP): $(RUNTIME_STAMP) requirements-dev.lock
	@echo "==> installing the development and test tools"
	@$(PIP) -r requirements-dev.lock
	@rm -f $(VENV)/.installed-* && touch $@

# The lock files again, after a change to the top-level pins in requirements*.txt. The image's
# lock is the runtime's, constrained to its versions, less what deploy/image/excluded.txt names.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11
lock: setup
	$(LOCK) requirements.txt -o requirements.lock
	$(LOCK) requirements.txt -c requirements.lock --excludes deploy/image/excluded.txt \
		-o requirements-image.lock
	$(LOCK) requirements-dev.txt -o requirements-dev.lock
	$(LOCK) deploy/patroni/requirements.txt -o deploy/patroni/requirements.lock

runtime: $(RUNTIME_STAMP)

setup: $(STAMP)

system-packages:
	deploy/system-packages.sh $(SYSTEM_PACKAGES)

# Before any work: the Python version, a free port, a DATABASE_URL that answers (one line each).
preflight:
	@$(PYTHON) deploy/preflight.py --host $(HOST) --port $(PORT)

# Static files are collected again only when the dependencies or the app's own files change.
STATIC_MANIFEST := staticfiles/staticfiles.json
$(STATIC_MANIFEST): $(RUNTIME_STAMP) $(shell find reviews/static -type f 2>/dev/null)
	@echo "==> collecting static files"
	@$(MANAGE) collectstatic --noinput --verbosity 0
	@touch $@

# One line per step; at the end, where everything is. PORT=8001 (and HOST=) to serve elsewhere.
run: preflight runtime $(STATIC_MANIFEST)
	@if [ -z "$$DATABASE_URL" ]; then echo "==> starting PostgreSQL (embedded; data in .data/)"; \
		$(MANAGE) embedded_db start >/dev/null; fi
	@echo "==> migrating the database"
	@$(MANAGE) migrate --noinput --verbosity 0
	@echo "==> loading demo data (on the first run only)"
	@$(MANAGE) demo_data --verbosity 0
	@$(MANAGE) moderator_ensure
	@echo "==> serving on http://$(HOST):$(PORT)/ (Ctrl-C stops):"
	@echo "    API    http://$(HOST):$(PORT)/reviews/meta?product_id=1"
	@echo "    docs   http://$(HOST):$(PORT)/api/docs/"
	@echo "    admin  http://$(HOST):$(PORT)/admin/"
	@$(BIN)/gunicorn atelier.wsgi --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

check: setup
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

# The suite runs inside `embedded_db with`: a server this command started is stopped at the end.
test: lint system-packages patroni
	$(MANAGE) embedded_db with -- $(MAKE) --no-print-directory check test-suite

test-suite: setup
	$(BIN)/pytest

# The quick loop while working: no slow, browser or cluster test (see the markers in pyproject.toml).
test-fast: setup
	$(MANAGE) embedded_db with -- $(MAKE) --no-print-directory test-fast-suite

test-fast-suite: setup
	$(BIN)/pytest -m "not slow and not browser and not cluster"

# The embedded PostgreSQL alone: the runtime is all these need (never the development tools).
db-start: runtime
	$(MANAGE) embedded_db start

db-stop: runtime
	$(MANAGE) embedded_db stop

db-status: runtime
	$(MANAGE) embedded_db status

# The local cluster: the database, $(APPS) gunicorn app servers and nginx on 127.0.0.1:$(CLUSTER_PORT).
APPS ?= 2
CLUSTER_PORT ?= 8080
DB_NODES ?= 1
cluster-start: setup system-packages patroni
	$(BIN)/python deploy/cluster.py start --apps $(APPS) --port $(CLUSTER_PORT) --db-nodes $(DB_NODES)

cluster-stop: setup
	$(BIN)/python deploy/cluster.py stop

cluster-status: setup
	$(BIN)/python deploy/cluster.py status

# The front-end's traffic mix against a running cluster (bounded, headless; reports in out/locust/).
loadtest: setup
	$(BIN)/python -m locust --config loadtests/locust.conf --host http://127.0.0.1:$(CLUSTER_PORT)

# The serving benchmark (1, 2 and 4 app servers); point ATELIER_DATA_DIR at the full dataset.
bench: setup system-packages
	$(BIN)/python -m loadtests.bench $(BENCH_ARGS)

# Backups of the embedded server into ATELIER_BACKUP_DIR (docs/backups.md): `make backup` takes a
# base backup (FULL=1 for a full one); `make restore TARGET_TIME=... RESTORE_DIR=...` restores to
# that moment into a new data directory and checks it.
backup: runtime
	$(MANAGE) db_backup $(if $(FULL),--full,)

restore: runtime
	@test -n "$(TARGET_TIME)" || (echo "TARGET_TIME=2026-12-07T20:15:00+00:00 is needed" && exit 2)
	$(MANAGE) db_restore --target-time "$(TARGET_TIME)" \
		--into "$(or $(RESTORE_DIR),$(CURDIR)/.data/restored-$(shell date +%Y%m%dT%H%M%S))" $(RESTORE_ARGS)

# The fault drills (PostgreSQL killed, restarted and stopped, an app server killed, a rolling
# reload, retried and racing writes, a load killed mid-file; the HA database's leader killed,
# frozen and switched over, a standby and an etcd member killed), each checked; see
# docs/operations.md.
reliability: setup system-packages patroni
	$(BIN)/python -m loadtests.reliability $(RELIABILITY_ARGS)

# The container image, built and run with podman (docs/operations.md, "The container image").
# The base is made from the Debian mirror (deploy/image/base.sh) unless IMAGE_BASE names one a
# registry serves (IMAGE_BASE=docker.io/library/python:3.11-slim-bookworm, the default of the
# Dockerfile, which docker builds with no argument).
IMAGE ?= atelier-reviews
IMAGE_BASE ?= localhost/atelier-python:3.11-bookworm
IMAGE_PACKAGES := podman runc slirp4netns debootstrap curl

image-packages:
	deploy/system-packages.sh $(IMAGE_PACKAGES)

image: image-packages
	$(if $(filter localhost/%,$(IMAGE_BASE)),deploy/image/base.sh $(IMAGE_BASE))
	deploy/image/podman.sh build --build-arg BASE_IMAGE=$(IMAGE_BASE) -t $(IMAGE) .

# Migrate a database of its own with the image, run the app container, GET /health and
# /reviews/meta, remove the containers; the embedded server is stopped if this started it.
image-smoke: setup image
	ATELIER_DB_NAME=atelier_image_smoke $(MANAGE) embedded_db with -- deploy/image/smoke.sh $(IMAGE)

clean: cluster-stop db-stop
	rm -rf .data staticfiles

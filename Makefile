# The two commands: `make run` (set up, load demo data on first run, serve on 127.0.0.1:8000)
# and `make test` (set up, lint, check, run the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
# Debian packages the service and its tests use (installed only when missing).
SYSTEM_PACKAGES := nginx varnish varnish-modules wrk chromium
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup system-packages run test test-suite lint check db-start db-stop db-status clean \
	cluster-start cluster-stop cluster-status loadtest bench reliability \
	image-packages image image-smoke

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

setup: $(STAMP)

system-packages:
	deploy/system-packages.sh $(SYSTEM_PACKAGES)

# Static files are collected again only when the dependencies or the app's own files change.
STATIC_MANIFEST := staticfiles/staticfiles.json
$(STATIC_MANIFEST): $(STAMP) $(shell find reviews/static -type f 2>/dev/null)
	$(MANAGE) collectstatic --noinput --verbosity 0
	touch $@

run: setup $(STATIC_MANIFEST)
	$(MANAGE) migrate --noinput
	$(MANAGE) demo_data
	$(MANAGE) moderator_ensure
	$(BIN)/gunicorn atelier.wsgi --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: setup
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

# The suite runs inside `embedded_db with`: a server this command started is stopped at the end.
test: lint system-packages
	$(MANAGE) embedded_db with -- $(MAKE) --no-print-directory check test-suite

test-suite: setup
	$(BIN)/pytest

db-start: setup
	$(MANAGE) embedded_db start

db-stop: setup
	$(MANAGE) embedded_db stop

db-status: setup
	$(MANAGE) embedded_db status

# The local cluster: the database, $(APPS) gunicorn app servers and nginx on 127.0.0.1:$(CLUSTER_PORT).
APPS ?= 2
CLUSTER_PORT ?= 8080
cluster-start: setup system-packages
	$(BIN)/python deploy/cluster.py start --apps $(APPS) --port $(CLUSTER_PORT)

cluster-stop: setup
	$(BIN)/python deploy/cluster.py stop

cluster-status: setup
	$(BIN)/python deploy/cluster.py status

# The front-end's traffic mix against a running cluster (bounded, headless; reports in out/locust/).
loadtest: setup
	$(BIN)/locust --config loadtests/locust.conf --host http://127.0.0.1:$(CLUSTER_PORT)

# The serving benchmark (1, 2 and 4 app servers); point ATELIER_DATA_DIR at the full dataset.
bench: setup system-packages
	$(BIN)/python loadtests/bench.py $(BENCH_ARGS)

# The fault drills (PostgreSQL killed, restarted and stopped, an app server killed, a rolling
# reload, retried and racing writes, a load killed mid-file), each checked; see docs/operations.md.
reliability: setup system-packages
	$(BIN)/python loadtests/reliability.py $(RELIABILITY_ARGS)

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

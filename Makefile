# TicketHub: every command a person needs, each with a one-line help (`make help`).
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV_VERSION := 0.13.9
UV := python3 -m uv
RUN := $(UV) run --frozen --quiet
# mypy walks each package from its source folder (one namespace, many folders).
MYPY_PATH := $(subst $(eval) ,:,$(wildcard libs/*/src tools/*/src services/*/src operator/src))
MYPY_PACKAGES := $(foreach d,$(wildcard libs/*/src/tickethub/*/ tools/*/src/tickethub/*/),-p tickethub.$(notdir $(d:/=))) \
	$(foreach d,$(wildcard services/*/src/*/ operator/src/*/),-p $(notdir $(d:/=)))

.PHONY: help bootstrap install up down clean status urls cluster cluster-down test lint format bench asyncapi images

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

bootstrap: ## install uv and the Python workspace (idempotent; caches live outside the repo)
	@python3 -m uv --version >/dev/null 2>&1 || { echo "[bootstrap] installing uv $(UV_VERSION)"; \
		python3 -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"; }
	@$(UV) sync --frozen --quiet

up: bootstrap ## install what is missing and start the whole system locally; prints where to look
	@$(RUN) python -m tickethub.stack up

down: bootstrap ## stop the local system (data is kept)
	@$(RUN) python -m tickethub.stack down

clean: bootstrap ## stop the local system and wipe its data
	@$(RUN) python -m tickethub.stack clean

status: bootstrap ## which local processes are running
	@$(RUN) python -m tickethub.stack status

urls: bootstrap ## print the local URLs and the bootstrap admin again
	@$(RUN) python -m tickethub.stack urls

cluster: bootstrap ## a one-node Kubernetes with real Pods here, TicketHub installed by its chart; prints where to look
	@$(RUN) python -m tickethub.stack.node.cluster up

cluster-down: bootstrap ## stop the local node and everything it started (its data is kept)
	@$(RUN) python -m tickethub.stack.node.cluster down

lint: bootstrap ## ruff (lint + format check) and mypy
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .
	@MYPYPATH=$(MYPY_PATH) $(RUN) mypy $(MYPY_PACKAGES)
	@MYPYPATH=$(MYPY_PATH):bench $(RUN) mypy bench

format: bootstrap ## apply ruff's formatting and safe fixes
	@$(RUN) ruff check --fix .
	@$(RUN) ruff format .

asyncapi: bootstrap ## regenerate docs/asyncapi.yaml (every Kafka contract) from libs/contracts
	@$(RUN) python -m tickethub.contracts.asyncapi > docs/asyncapi.yaml.new
	@mv docs/asyncapi.yaml.new docs/asyncapi.yaml

install: bootstrap ## install the infrastructure binaries (Redis, nginx, Kafka, Mailpit, Zipkin, Jaeger, Kubernetes, Helm, kubeconform, kwok, kind) and the ServiceMonitor CRD into the cache
	@$(RUN) python -m tickethub.stack install

images: bootstrap ## build every container image, tickethub/<name>:<git describe> (no Docker daemon: a private one; ARGS=--dependencies: the dev dependencies; ARGS=--help)
	@$(RUN) python -m tickethub.stack.images $(ARGS)

test: bootstrap lint install ## install what is missing, start real infrastructure, run every test, tear down
	@$(RUN) python -m tickethub.testing.run

bench: bootstrap install ## start the whole system on free ports and measure the performance targets against a baseline (about 2 min; ARGS=--help)
	@$(RUN) python bench/run.py $(ARGS)

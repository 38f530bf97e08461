# Vårdlotsen: `make run` starts the bot, `make test` checks everything. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
RESULTS := var/test-results

export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export MPLCONFIGDIR := $(CURDIR)/var/matplotlib
export PYTHON
# Rasa and TensorFlow print many deprecation warnings that are not ours to fix.
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help install run train seed test lint validate k8s-validate unit integration conversation bench bench-scaled resilience soak eval questions lock clean browser-deps

help:
	@echo "make run    - install, train if needed, seed the database and start the bot (http://localhost:8080)"
	@echo "make test   - install, then lint, validate, k8s-validate, unit, integration and conversation tests"
	@echo "make train  - train the Rasa model if training data changed"
	@echo "make bench  - latency and throughput of /api/chat"
	@echo "make bench-scaled - the same with two Rasa replicas on PostgreSQL and Redis"
	@echo "make resilience - hostile input, attack while serving, faults under load"
	@echo "make soak   - 20 conversations for 10 minutes: errors, lost log rows, memory"
	@echo "make eval   - triage accuracy on tests/triage_cases.yaml through /api/chat"

# The virtual environment, rebuilt when the lock file changes or its Python is unusable.
$(STAMP): requirements.lock
	@interpreter=$$(bash bot/find_python.sh) || exit 1; \
	if ! [ -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if (3,8) <= sys.version_info[:2] <= (3,10) else 1)' 2>/dev/null; then \
		echo "Creating $(VENV) with $$interpreter"; rm -rf $(VENV); "$$interpreter" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade "pip==24.2"
	$(PY) -m pip install --progress-bar off -r requirements.lock
	$(PY) -m pip check
	@touch $(STAMP)

install: $(STAMP)

train: install
	$(PY) -m bot train

seed: install
	$(PY) -m bot seed

run: install
	$(PY) -m bot run

lint: install
	$(PY) -m ruff check .

validate: install
	$(PY) -m rasa data validate --config config.yml --domain domain.yml --data nlu_data --fail-on-warnings

unit: install
	$(PY) -m pytest -q tests/unit

# Browser tests use Debian's chromium (Playwright never downloads a browser here) and
# axe-core from npm for the accessibility check.
AXE_VERSION := 4.14.1
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get install -y -qq chromium >/dev/null 2>&1 || \
		{ $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; }
	@test -f var/npm/node_modules/axe-core/axe.min.js || \
		npm install --prefix var/npm --no-audit --no-fund --silent axe-core@$(AXE_VERSION)

integration: train browser-deps
	$(PY) -m pytest -q tests/integration

# Rasa's own conversation tests: test stories must be predicted exactly, and the held-out
# NLU set (never used for training) reports its intent accuracy.
conversation: train
	rm -rf $(RESULTS)
	$(PY) -m rasa test --model $$($(PY) -m bot model-path) --stories tests/stories \
		--nlu tests/nlu_heldout --out $(RESULTS) --fail-on-prediction-errors
	$(PY) -m tests.tools nlu-report $(RESULTS) --min-accuracy 0.89

test: lint validate k8s-validate unit integration conversation
	@echo "make test: all checks passed"

# The Kubernetes manifests (deploy/kubernetes) against the real API schemas, for the oldest
# and the newest Kubernetes release upstream still supports. kubernetes-validate needs
# jsonschema>=4.23, which Rasa 3.6's venv cannot take (it keeps jsonschema 3.2), so it gets
# a small venv of its own, made with the machine's python3 (3.11 or newer). The validator
# only warns (and exits 0) when it has no schema for a kind or apiVersion, so a warning
# fails here. kustomization.yaml is no Kubernetes resource; the unit test
# tests/unit/test_kubernetes_manifests.py checks it and our own rules.
K8S_VENV := var/k8s-venv
K8S_PYTHON ?= python3
K8S_VERSIONS := 1.35.0 1.37.0

$(K8S_VENV)/.installed: deploy/requirements-validate.txt
	@$(K8S_PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' 2>/dev/null || \
		{ echo "make k8s-validate needs Python 3.11 or newer: set K8S_PYTHON=/path/to/python3.11"; exit 1; }
	rm -rf $(K8S_VENV)
	$(K8S_PYTHON) -m venv $(K8S_VENV)
	$(K8S_VENV)/bin/python -m pip install --quiet --upgrade "pip==24.2"
	$(K8S_VENV)/bin/python -m pip install --quiet -r deploy/requirements-validate.txt
	$(K8S_VENV)/bin/python -m pip check
	@touch $@

k8s-validate: $(K8S_VENV)/.installed
	@files=$$(ls deploy/kubernetes/*.yaml | grep -v '/kustomization\.yaml$$'); \
	out=$$($(K8S_VENV)/bin/kubernetes-validate --strict $(addprefix -k ,$(K8S_VERSIONS)) $$files); \
	code=$$?; echo "$$out"; \
	if [ $$code -ne 0 ] || echo "$$out" | grep -q '^WARN'; then \
		echo "k8s-validate: deploy/kubernetes does not validate (see ERROR/WARN above)"; exit 1; fi; \
	echo "k8s-validate: $$(echo "$$out" | grep -c '^INFO') resource checks passed (Kubernetes $(K8S_VERSIONS))"

bench: train
	$(PY) -m tests.tools bench

# The same with two Rasa replicas on PostgreSQL and Redis (the scaled profile).
bench-scaled: train
	$(PY) -m tests.tools bench --scaled 2

# Hostile input, attack while serving, and faults under load, with figures (its short
# version, hostile input and the attack, runs in `make integration`).
resilience: train
	$(PY) -m tests.tools resilience

# 20 conversations for 10 minutes: errors, lost log rows, memory over time.
soak: train
	$(PY) -m tests.tools resilience --soak 10

# The triage case set through the real running system (also part of `make integration`).
eval: train
	$(PY) -m tests.tools eval

# Everyday resident questions through the real running system (also part of `make integration`).
questions: train
	$(PY) -m tests.tools questions

# Re-resolves the dependencies of pyproject.toml into requirements.lock in a scratch venv.
lock:
	@interpreter=$$(bash bot/find_python.sh) || exit 1; rm -rf var/lock-venv; \
	"$$interpreter" -m venv var/lock-venv && var/lock-venv/bin/pip install --quiet "pip==24.2" && \
	var/lock-venv/bin/pip install --quiet ".[dev]" && \
	{ echo "# Exact versions of every package, resolved on Python 3.10 for rasa==3.6.21."; \
	  echo "# Regenerate with 'make lock' after changing dependencies in pyproject.toml."; \
	  var/lock-venv/bin/pip freeze --exclude-editable | grep -v '^vardlotsen'; } > requirements.lock
	rm -rf var/lock-venv

clean:
	rm -rf var models results .pytest_cache .ruff_cache

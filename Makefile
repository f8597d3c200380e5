# Cairn: `make run` serves the demo, `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
# uv uses the machine's Python and never downloads one.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
NODE_STAMP := tests/verifier/node_modules/.package-lock.json
IDP_STAMP := tests/idp/node_modules/.package-lock.json
WALLET_STAMP := tests/wallet/node_modules/.package-lock.json

# Tests run on PostgreSQL and Redis; override either on the command line.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cairn
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install node idp sso-demo services browser fonts wrk run test lint format bench bench-pipeline seed-scale chaos clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==0.13.8

install: $(UV)
	$(UV) sync --frozen --python $(PY) --quiet

$(NODE_STAMP): tests/verifier/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix tests/verifier --no-audit --no-fund --loglevel=error

node: $(NODE_STAMP) $(IDP_STAMP) $(WALLET_STAMP)

# The OpenID4VCI wallet the wallet-offer tests run (Sphereon's client).
$(WALLET_STAMP): tests/wallet/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix tests/wallet --no-audit --no-fund --loglevel=error

# The local OpenID Connect and SAML identity providers the SSO tests sign in through.
$(IDP_STAMP): tests/idp/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20+ (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix tests/idp --no-audit --no-fund --loglevel=error

idp: $(IDP_STAMP)

# Starts the local identity providers and says how to point an organization at them.
sso-demo: install $(IDP_STAMP)
	@scripts/sso_demo.sh

services:
	@scripts/services.sh

browser:
	@scripts/browser.sh

# HarfBuzz's font subsetting for certificates: installed when missing, or reported.
fonts:
	@scripts/fonts.sh

# wrk drives the page benchmarks (bench/load.py): installed when missing, or reported.
wrk:
	@scripts/wrk.sh

run: install fonts
	@scripts/run.sh

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install node services browser fonts lint
	DEBUG=1 DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run
	DEBUG=1 DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(VENV)/bin/pytest --create-db -n 2

# Benchmarks measure on PostgreSQL, as the product runs; what they write is rolled back.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cairn_bench
# The pipeline bench's workers need a broker; the other benches still run
# their tasks in process. N is the pipeline's learners; ORDER=learner records
# each learner's three modules together instead of module by module.
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/9
N ?= 200
ORDER ?= module
BENCH_ENV = DEBUG=1 DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	CELERY_TASK_ALWAYS_EAGER=1 PIPELINE_N=$(N) PIPELINE_ORDER=$(ORDER)

bench: install services fonts wrk $(NODE_STAMP)
	DEBUG=1 DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) scripts/ensure_database.py
	DEBUG=1 DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) -m bench

# Learners through a three-module pathway and real workers (bench/bench_pipeline.py).
bench-pipeline: install services fonts $(NODE_STAMP)
	DEBUG=1 DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) scripts/ensure_database.py
	DEBUG=1 DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) -m bench pipeline

# A state system for bench/bench_scale.py (issue 17): colleges, LEARNERS learners
# and ten awards each, written with COPY into an empty database. Only the sample
# learners' awards are individually signed; the bulk reuses signed documents
# (see `manage.py seed_scale --help`).
SCALE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cairn_scale_data
LEARNERS ?= 1000000
AWARDS_PER_LEARNER ?= 10
COLLEGES ?= 10

seed-scale: install services
	DEBUG=1 DATABASE_URL=$(SCALE_DATABASE_URL) $(PY) scripts/ensure_database.py
	DEBUG=1 DATABASE_URL=$(SCALE_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DEBUG=1 DATABASE_URL=$(SCALE_DATABASE_URL) nice -n 10 $(PY) -u manage.py seed_scale \
		--learners $(LEARNERS) --awards-per-learner $(AWARDS_PER_LEARNER) --colleges $(COLLEGES)

# Learners through real workers killed with SIGKILL, a broker outage and a
# PostgreSQL restart (bench/chaos.py); restarts the cluster: not for CI.
CHAOS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cairn_chaos
CHAOS_ARGS ?= --learners 2000 --kills 5 --outage 60 --restart-postgres

chaos: install services
	DEBUG=1 DATABASE_URL=$(CHAOS_DATABASE_URL) $(PY) scripts/ensure_database.py
	DEBUG=1 DATABASE_URL=$(CHAOS_DATABASE_URL) $(PY) manage.py migrate --noinput -v0
	DEBUG=1 DATABASE_URL=$(CHAOS_DATABASE_URL) $(PY) -m bench.chaos $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) tests/verifier/node_modules tests/idp/node_modules tests/wallet/node_modules var db.sqlite3

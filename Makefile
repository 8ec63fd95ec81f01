# The two commands of the README: `make run` and `make test`. Everything lives in .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_PASSWORD ?= preceptorship-demo
# A developer's machine: debug pages, a fixed key, local host names (preceptorship/settings/).
DEVELOPMENT := DJANGO_SETTINGS_MODULE=preceptorship.settings.development

.PHONY: run test install frontend migrate lint check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

frontend: install
	$(DEVELOPMENT) $(BIN)/python manage.py build_frontend

run: frontend
	$(DEVELOPMENT) $(BIN)/python manage.py migrate --no-input
	$(DEVELOPMENT) $(BIN)/python manage.py seed_demo --password "$(DEMO_PASSWORD)"
	@echo "Preceptorship is running at http://127.0.0.1:$(PORT)/ (stop it with Ctrl+C)"
	$(DEVELOPMENT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite runs in parallel, one process per core (pytest-xdist); WORKERS=0 runs it in one.
WORKERS ?= auto
test: frontend
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

check: install
	$(DEVELOPMENT) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles .pytest_cache

# Performance at ICS scale (docs/performance.md): needs DATABASE_URL pointing at a PostgreSQL
# database of its own; generates the scale data there on the first run. make bench SCALE=10 for 10x.
# TODAY=YYYY-MM-DD generates and measures as of that day.
SCALE ?= 1
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py --scale $(SCALE) --json bench/results/scale-$(SCALE).json \
		--compare bench/results/scale-$(if $(filter 1,$(SCALE)),10,1).json $(if $(TODAY),--today $(TODAY))

# Load test (docs/performance.md, "Load test"): gunicorn with production settings, a Celery worker,
# Redis (LOAD_REDIS_URL, default db 8; the cache uses the next) and DATABASE_URL (a PostgreSQL
# database of its own; scale data generated when empty), under Locust's simulated people.
# make load LOAD_SECONDS=20 LOAD_LEVELS=10,30 for a quick smoke run.
LOAD_SECONDS ?= 120
LOAD_LEVELS ?= 50,200
.PHONY: load
load: frontend
	$(BIN)/python bench/load.py --levels $(LOAD_LEVELS) --seconds $(LOAD_SECONDS) --json bench/results/load.json

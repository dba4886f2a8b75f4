# The two quick-start commands: `make demo` and `make test`. Both create and fill .venv on first use
# and refresh it whenever pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_VENV := .bench-venv
PEER_STAMP := $(BENCH_VENV)/.python-kis

.PHONY: demo demo-gateway test lint typecheck unit dates bench bench-compare soak clean emulator generate test-lowest audit mutation

$(STAMP): pyproject.toml
	@echo "pykis: setting up $(VENV) (the first time takes about a minute; later runs skip this)"
	@test -x $(BIN)/python || { echo "  creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "  upgrading pip"
	@$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	@echo "  installing pykis-client[all] and the dev tools (httpx for the tests, aiohttp, matplotlib, pandas, polars, pytest, mypy, ruff…)"
	@$(BIN)/python -m pip install --quiet --progress-bar on -e ".[all]" --group dev
	@touch $(STAMP)
	@echo "  done: $(BIN)/pykis is the pykis command"

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m pykis.demo

# The gateway tour: nats-server, `pykis gateway` over the emulator's key, three client processes sharing it.
demo-gateway: $(STAMP)
	$(BIN)/python -m pykis.gateway.demo

emulator: $(STAMP)
	$(BIN)/pykis emulator

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples scripts
	$(BIN)/ruff format --check src tests bench examples scripts
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(PEER_STAMP)
	$(BIN)/pytest -q -m "not slow"

# The date- and session-sensitive tests again, with every process's clock pinned to a Saturday, an evening after
# the close, a KRX holiday, a US daylight-saving change and a year end (time-machine): the suite passes on any date.
dates: $(STAMP)
	$(BIN)/python scripts/pinned_dates.py

test: lint typecheck unit dates

# The tests against every dependency pinned at its floor, in .lowest-venv (scripts/lowest.sh).
test-lowest:
	PYTHON=$(PYTHON) scripts/lowest.sh

# pip-audit over every dependency floor (scripts/floors.py), in .audit-venv. It asks PyPI's vulnerability
# service; --strict turns a floor it cannot check (service unreachable) into a failure, never a silent pass.
AUDIT_VENV := .audit-venv
$(AUDIT_VENV)/.installed:
	test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet "pip-audit>=2.9"
	touch $@

audit: $(AUDIT_VENV)/.installed
	$(PYTHON) scripts/floors.py > $(AUDIT_VENV)/floors.txt
	$(AUDIT_VENV)/bin/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r $(AUDIT_VENV)/floors.txt \
		|| { echo "audit: FAILED: a floor has a known vulnerability, or PyPI's vulnerability service could not be asked"; exit 1; }

# pykis as a user installs it (its runtime dependencies only), for the cold first-quote rows: the dev venv also
# holds the test tools' packages, typing_extensions among them, which msgspec imports whenever it is there.
# (Defined before the rules naming it: make expands a rule's prerequisites as it reads them.)
USER_VENV := .bench-user-venv
$(USER_VENV)/.installed: pyproject.toml
	test -x $(USER_VENV)/bin/python || $(PYTHON) -m venv $(USER_VENV)
	$(USER_VENV)/bin/python -m pip install --quiet -e .
	touch $@

bench: $(STAMP) $(USER_VENV)/.installed
	$(BIN)/python bench/run.py

# Rewrite the generated code: the API layer from the catalog, the asyncio scope twins from the blocking ones
# (the tests fail while either is stale).
generate: $(STAMP)
	$(BIN)/python scripts/generate_api.py
	$(BIN)/python scripts/generate_twins.py

# The long versions of the fault, load, fuzz and secret suites (tests/faults), with their figures; then every
# Hypothesis property under the `soak` profile (fresh random examples, 30x as many; `make test` runs the seeded
# `ci` profile), and coverage-guided fuzzing when atheris is installed.
soak: $(STAMP)
	$(BIN)/pytest -q -m slow --timeout=3600
	HYPOTHESIS_PROFILE=soak $(BIN)/pytest -q -m "hypothesis and not slow" --timeout=3600
	@if $(BIN)/python -c "import atheris" 2>/dev/null; then \
		$(BIN)/python tests/faults/atheris_fuzz.py -max_total_time=300 -rss_limit_mb=2048; \
	else echo "soak: atheris is not installed ($(BIN)/pip install atheris); coverage-guided fuzzing skipped"; fi

# Mutation testing (mutmut) of the safety-critical modules, each against its own fast tests, one module at a
# time and niced (the machine is shared): killed/total per module, then `mutation: K killed of N (P %)`.
# Survivors: <tmp>/pykis-mutation/<module>/survivors.txt; equivalent mutants are explained in docs/mutation.md.
mutation: $(STAMP)
	nice -n 10 $(BIN)/python scripts/mutation.py

# The peers, each in its own interpreter (.bench-venv; python-kis installs as `pykis` too). python-kis 2.1.6 is
# also what tests/peers runs against the emulator in `make test`: when it cannot be installed the build goes on,
# says so, and that test fails with the reason (the stamp is left out, so the next run tries again).
$(PEER_STAMP):
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	if $(BENCH_VENV)/bin/python -m pip install --quiet "python-kis==2.1.6" typing_extensions; then touch $@; \
	else echo "python-kis 2.1.6 did not install into $(BENCH_VENV): tests/peers will fail, bench-compare reads n/a"; fi

# pykis beside python-kis 2.1.6 and kis-trader 0.12.2. A peer that cannot be installed reads n/a in the table.
$(BENCH_VENV)/.installed: $(PEER_STAMP)
	$(BENCH_VENV)/bin/python -m pip install --quiet "kis-trader==0.12.2" \
		|| echo "bench-compare: kis-trader 0.12.2 did not install; its column will read n/a"
	touch $@

bench-compare: $(STAMP) $(BENCH_VENV)/.installed $(USER_VENV)/.installed
	$(BIN)/python bench/compare/main.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .lowest-venv $(AUDIT_VENV) $(USER_VENV)

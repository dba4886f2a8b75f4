# The two quick-start commands: `make demo` and `make test`. Both create and fill .venv on first use
# and refresh it whenever pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench bench-compare soak clean emulator generate mutation

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e ".[all]" --group dev
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m pykis.demo

emulator: $(STAMP)
	$(BIN)/pykis emulator

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples scripts
	$(BIN)/ruff format --check src tests bench examples scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

test: lint typecheck unit

bench: $(STAMP)
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

# pykis beside python-kis 2.1.6 and kis-trader 0.12.2, each in its own interpreter (.bench-venv for the peers;
# python-kis installs as `pykis` too). A peer that cannot be installed reads n/a in the table.
BENCH_VENV := .bench-venv
$(BENCH_VENV)/.installed:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet "python-kis==2.1.6" typing_extensions \
		|| echo "bench-compare: python-kis 2.1.6 did not install; its column will read n/a"
	$(BENCH_VENV)/bin/python -m pip install --quiet "kis-trader==0.12.2" \
		|| echo "bench-compare: kis-trader 0.12.2 did not install; its column will read n/a"
	touch $@

bench-compare: $(STAMP) $(BENCH_VENV)/.installed
	$(BIN)/python bench/compare/main.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

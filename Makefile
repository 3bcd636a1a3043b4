# Two commands do everything on a fresh machine (see README):
#   make book   build the book into _build/html
#   make test   run every test
# and one measures speed and memory (minutes; best on a quiet machine):
#   make bench  run every benchmark in full
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: bench book browser chapter link test venv lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# Link the reference captures from ../shared/reference-data into data/snapshots/
# (idempotent; exits 2 with instructions when the captures are absent).
link: venv
	@$(BIN)/hubcommunity link-reference

# Execute every chapter (cached) and write the site to _build/html; warnings are errors.
book: link
	@$(BIN)/python -m hubcommunity.build

# One chapter alone, e.g. make chapter CHAPTER=book/rq1_activity.md
# -> _build/chapters/<name>/_build/html; never touches the main _build/html.
# Links to other chapters cannot resolve in a one-chapter build, so warnings are
# allowed by default (STRICT=1 makes them errors; the full `make book` is always strict).
STRICT ?= 0
chapter: link
	@test -n "$(CHAPTER)" || { echo "usage: make chapter CHAPTER=book/<chapter>.md [STRICT=1]"; exit 2; }
	@$(BIN)/python -m hubcommunity.build --chapter $(CHAPTER) $(if $(filter 1,$(STRICT)),,--no-strict)

test: venv browser
	$(BIN)/python -m pytest

# Every benchmarks/bench_*.py in full, one after the other, through benchmarks/harness.py:
# _build/benchmarks/<name>.json per benchmark, summary.json and summary.md (machine, versions,
# figures, targets, pass/fail, load average); refreshes benchmarks/latest/summary.json, which
# the book quotes (commit it). BENCH="collect plan" runs only those. Exit 1: a target missed.
BENCH ?=
bench: link
	$(BIN)/python benchmarks/suite.py $(if $(BENCH),--only $(BENCH))

# The real-browser test drives Debian's chromium (never a downloaded browser build):
# install it, with the fonts the charts use, when it is missing (as root, or via sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser test (apt-get)..."; \
	  SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium fonts-dejavu-core >/dev/null; }

# Regenerate the pinned versions from requirements.in (needs a network to PyPI).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Exact versions the book is built and tested with (pip freeze of requirements.in)."; \
	  echo "# Regenerate with: make lock"; .lock-venv/bin/pip freeze --exclude-editable; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf _build

# The README's two commands are `make demo` and `make test`; CI (.ci/run) calls `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: venv setup system-packages demo test test-sqlite test-postgres lint migrations-check bench clean messages

# The virtualenv is checked on every run, not trusted because it exists: a first attempt on a Debian
# without python3-venv leaves a .venv with a python but no pip, and a .venv copied or moved from
# another folder (or left behind by a Python upgrade) has a pip whose interpreter path is dead.
# Either way it is removed and made again. When venv itself fails, say which Debian package is missing.
venv:
	@if ! { $(BIN)/python -c "" && $(BIN)/pip --version; } >/dev/null 2>&1; then \
	  if [ -e $(VENV) ]; then echo "$(VENV) is broken (its python or pip does not run): making it again"; rm -rf $(VENV); fi; \
	  if ! command -v $(PY) >/dev/null; then \
	    echo "$(PY) not found. On Debian: sudo apt-get install python3 python3-venv" >&2; exit 1; \
	  fi; \
	  if ! $(PY) -m venv $(VENV); then \
	    rm -rf $(VENV); \
	    echo "" >&2; \
	    echo "Could not create $(VENV) with '$(PY) -m venv'. On Debian/Ubuntu this means the venv" >&2; \
	    echo "module (ensurepip) is not installed: install it, then run make again:" >&2; \
	    echo "    sudo apt-get install python3-venv" >&2; \
	    exit 1; \
	  fi; \
	  $(BIN)/python -m pip install -q --upgrade pip; \
	fi

setup: venv
	$(BIN)/python -m pip install -q -e ".[test]"

# Debian packages the tests use for real: Chromium + CJK fonts (browser tests, screenshots),
# WenQuanYi Zen Hei (embedded in PDFs), poppler (pdftotext/pdftoppm), gettext (the i18n catalogue test runs
# makemessages). Skipped when present.
system-packages:
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null || ! command -v xgettext >/dev/null \
	    || [ ! -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || ! fc-list | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils gettext >/dev/null; \
	fi

# The demo server listens on every interface so a phone on the office network can try it. Only the
# demo answers to this machine's own names and addresses (settings keep ALLOWED_HOSTS to localhost
# unless told otherwise); an ALLOWED_HOSTS in the environment wins. PORT goes to load_demo in the
# environment, for the URL it prints.
# runserver 0.0.0.0 listens on IPv4 only, so only IPv4 addresses are offered.
comma := ,
space := $() $()
LAN_ADDRS = $(foreach a,$(shell hostname -I 2>/dev/null),$(if $(findstring :,$(a)),,$(a)))
DEMO_HOSTS = $(subst $(space),$(comma),$(strip localhost 127.0.0.1 [::1] $(shell hostname 2>/dev/null) $(LAN_ADDRS)))

# The background worker (year-end workbook/PDF of big years, closing a year) runs beside the web server;
# Ctrl-C stops both (the trap also stops the worker if runserver exits on its own).
demo: setup
	$(BIN)/python manage.py migrate --noinput -v0
	PORT=$(PORT) $(BIN)/python manage.py load_demo
	@for a in $(LAN_ADDRS); do echo "局域网内(如手机)打开 · on the office network: http://$$a:$(PORT)/"; done
	@# The demo is what people try from their phones: DEBUG off, so they see the product's Chinese 404/500
	@# pages, not Django's technical ones (DEBUG=True make demo for a developer's tracebacks). Static files
	@# are then served by WhiteNoise from STATIC_ROOT, hence collectstatic.
	$(BIN)/python manage.py collectstatic --noinput -v0
	@DEBUG=$${DEBUG:-False} $(BIN)/python manage.py db_worker --no-reload --interval 1 & WORKER=$$!; \
	trap 'kill -TERM $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-False} ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(DEMO_HOSTS)}" $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

test: setup system-packages
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run -v0
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: setup
	DATABASE_URL=$${PG_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# English catalogue (msgids are the Chinese source strings): collect new strings into
# locale/en/LC_MESSAGES/django.po, translate them there, then compile. Needs gettext (apt-get install gettext);
# the compiled django.mo is committed so a fresh machine needs no gettext tools.
messages: setup
	$(BIN)/python manage.py makemessages -l en --no-wrap --add-location file --no-obsolete \
	  --ignore '$(VENV)/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'test-artifacts/*' --ignore 'staticfiles/*' --ignore '*.egg-info/*'
	$(BIN)/python manage.py compilemessages -l en --ignore '$(VENV)'

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

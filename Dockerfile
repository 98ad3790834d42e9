# The portal's one image: `web` (gunicorn), the Celery `worker` and `beat`, and the one-shot
# `migrate` of docker-compose.yml all run it, with another command.
#
#   docker build -t zlogin:latest .
#
# The base image is pinned to a full Python version. Where the registry can be reached, pin its
# digest as well: --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest>
# (`docker buildx imagetools inspect python:3.11.14-slim-bookworm` shows it).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- builder: the dependencies, installed in a virtualenv that the runtime copies -------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# pyproject.toml installs the dependencies only (no packages): the code stays in /app.
COPY pyproject.toml README.md ./
# Wheels only: every dependency has one, so neither a compiler nor -dev packages are needed,
# and a dependency that would have to be compiled fails the build instead of half-working.
RUN pip install --only-binary=:all: .

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# WeasyPrint 70 loads these with dlopen (weasyprint/text/ffi.py): GLib's GObject, Pango and
# PangoFT2, HarfBuzz and its subsetter (fonts are embedded as subsets; without it a warning and
# whole fonts), fontconfig. DejaVu is the PDF's font. (libharfbuzz-vector, for colour fonts
# only, is not in bookworm; WeasyPrint does without it.)
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libglib2.0-0 \
      libpango-1.0-0 \
      libpangoft2-1.0-0 \
      libharfbuzz0b \
      libharfbuzz-subset0 \
      libfontconfig1 \
      fontconfig \
      fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# The user the portal runs as: it owns nothing of the code, only /var/lib/zlogin (beat's
# schedule); /tmp is the other place it may write.
RUN groupadd --system --gid 10001 zlogin \
 && useradd --system --uid 10001 --gid zlogin --home-dir /var/lib/zlogin --no-create-home \
      --shell /usr/sbin/nologin zlogin \
 && install -d -o zlogin -g zlogin -m 0750 /var/lib/zlogin

# DEBUG off: production (the portal then refuses to start without SECRET_KEY). WEB_ACCESS_LOG:
# every request logged to stdout by gunicorn (gunicorn.conf.py); set it empty to turn that off.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/var/lib/zlogin \
    XDG_CACHE_HOME=/tmp/.cache \
    DJANGO_SETTINGS_MODULE=zlogin.settings \
    DEBUG=false \
    WEB_ACCESS_LOG=-

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# Owned by root and not writable for the user (.dockerignore keeps .env, .venv, var/ … out).
COPY . .

# Static files with the storage the runtime uses: with DEBUG off that is whitenoise's
# CompressedManifestStaticFilesStorage (STATIC_MANIFEST, zlogin/settings.py), which needs the
# staticfiles.json written here. The SECRET_KEY only lets the settings load; nothing keeps it.
# Then: byte-code compiled once (the user cannot write __pycache__), code read-only for all but
# root, and a PDF rendered to prove WeasyPrint finds its libraries.
RUN DEBUG=false STATIC_MANIFEST=true SECRET_KEY=build-only-not-used \
      python manage.py collectstatic --noinput \
 && test -s staticfiles/staticfiles.json \
 && python -m compileall -q -j 0 /app \
 && chmod -R go-w /app /opt/venv \
 && python -c "import weasyprint; from weasyprint.text.ffi import harfbuzz_subset; \
assert harfbuzz_subset, 'libharfbuzz-subset0 missing'; \
assert weasyprint.HTML(string='<p>Z login</p>').write_pdf().startswith(b'%PDF')"

USER 10001:10001

EXPOSE 8000
# Ready: /health/ready answers 200 (database, cache, broker, static files), asked over loopback
# with the first of ALLOWED_HOSTS as Host (Django refuses a host it does not serve).
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
  CMD ["python", "zlogin/healthcheck.py"]

# Processes, threads, logging, the control socket: gunicorn.conf.py. SIGTERM stops it
# gracefully (each process writes the check log rows it still holds).
STOPSIGNAL SIGTERM
CMD ["gunicorn", "--config", "gunicorn.conf.py", "zlogin.wsgi:application"]

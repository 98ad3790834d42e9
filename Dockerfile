FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango; DejaVu is the PDF's font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
RUN DEBUG=true python manage.py collectstatic --noinput \
 && useradd --system --home /app zlogin && chown -R zlogin /app
USER zlogin

EXPOSE 8000
# Workers, threads and the access log: gunicorn.conf.py.
ENV WEB_ACCESS_LOG=-
CMD ["gunicorn", "zlogin.wsgi:application"]

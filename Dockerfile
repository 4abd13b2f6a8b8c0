# Mødested: one image for the web app (gunicorn), the Celery worker and Celery beat.
# Build:  docker compose build      (see docker-compose.yml and README.md)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=core.settings \
    MODESTED_VAR_DIR=/var/lib/modested

# WeasyPrint (PDF reports) needs Pango and fonts; everything else ships as wheels.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# The same uv as the Makefile, so the lock file means the same thing here.
RUN pip install --no-cache-dir --disable-pip-version-check "uv==0.13.9"

WORKDIR /app

# Dependencies first (cached until pyproject.toml or uv.lock change); no dev tools.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python

COPY . .

# Static files with hashed names for WhiteNoise (production storage needs DEBUG off).
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only MODESTED_VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput --verbosity 0 \
 && rm -rf /tmp/build-var

# Run unprivileged. The only writable place is the data folder: uploaded media,
# the beat schedule and fontconfig's cache for the PDF reports.
RUN useradd --system --uid 10001 --home-dir /var/lib/modested modested \
 && mkdir -p /var/lib/modested \
 && chown -R modested /var/lib/modested
USER modested
ENV HOME=/var/lib/modested
VOLUME ["/var/lib/modested"]

EXPOSE 8000
CMD ["gunicorn", "core.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]

# One image for every role: web (the default command), worker, beat and the
# one-off migrate. docker-compose.yml picks the role with `command:`.
#
#   docker build -t mentoring .
#   docker run --rm -p 8000:8000 -e SECRET_KEY=... -e ALLOWED_HOSTS=... mentoring
#   docker run --rm mentoring celery -A mentoring worker \
#       -Q mentoring.default,mentoring.email,mentoring.reports,mentoring.matching
#
# Every setting comes from environment variables: see docs/settings.md.
# No HEALTHCHECK here: it would differ per role. docker-compose.yml gives web one.
FROM python:3.13-slim

# uv comes from PyPI, pinned so that builds are repeatable.
ARG UV_VERSION=0.13.9

# UV_PYTHON_DOWNLOADS=never: use the image's Python, never fetch one.
# UV_COMPILE_BYTECODE=1: compile .pyc once at build time so every process starts fast.
# UV_LINK_MODE=copy: the uv cache is a build-time mount, so copy out of it.
# WEB_CONCURRENCY is read by gunicorn itself: the number of worker processes.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=mentoring.settings.base \
    WEB_CONCURRENCY=2

RUN pip install "uv==${UV_VERSION}" \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lock file changes.
COPY pyproject.toml uv.lock .python-version ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project

COPY . .

# Static files are collected (compressed, with a manifest) into the image, so
# whitenoise serves them read-only. The SECRET_KEY is a throwaway that exists only
# in this build step; the memory:// broker keeps the embedded default's broker
# folders out of the image.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret \
    CELERY_BROKER_URL=memory:// \
    python manage.py collectstatic --noinput

# VAR_DIR (/app/var: SQLite file, uploads, the beat schedule) is the only place
# the app user may write. Mount a volume there to keep it across containers.
RUN mkdir -p /app/var && chown app:app /app/var

USER app

EXPOSE 8000

# /dev/shm keeps gunicorn's worker heartbeat files off the overlay filesystem.
# More gunicorn flags can be given at run time with GUNICORN_CMD_ARGS.
CMD ["gunicorn", "mentoring.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--access-logfile", "-"]

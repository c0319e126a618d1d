# One image per workspace package: a service (users, catalog, booking, payment, notification) or the
# show operator (operator).
#
#   docker build --build-arg PACKAGE=booking -t tickethub/booking:dev .
#
# `make images` builds them all. The build stage resolves the package's locked dependencies with uv
# into a virtual environment at /opt/tickethub; the final stage is the same base image with only that
# environment, run as user 10001.

# Names the base image of both stages; the environment's interpreter links to the base's python3.11.
ARG BASE_IMAGE=python:3.11-slim-bookworm
# The workspace package to build: a directory name under services/, or `operator`.
ARG PACKAGE

FROM ${BASE_IMAGE} AS build
ARG UV_VERSION=0.13.9
# uv from PyPI into a throwaway environment: pip, the only installer every base has, stays in this stage.
RUN python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --quiet --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_PROJECT_ENVIRONMENT=/opt/tickethub \
    UV_PYTHON=python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /src
# Third-party dependencies first: this layer is rebuilt only when the lock changes, not the code.
COPY pyproject.toml uv.lock ./
ARG PACKAGE
RUN --mount=type=cache,target=/root/.cache/uv \
    /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package "tickethub-${PACKAGE}"
COPY libs libs
COPY services services
COPY operator operator
# The package and the workspace libraries it uses, installed as wheels (no links back to /src).
RUN --mount=type=cache,target=/root/.cache/uv \
    /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package "tickethub-${PACKAGE}"

FROM ${BASE_IMAGE} AS runtime
# Official Python images ship pip (and setuptools) in the interpreter itself: nothing installs at run
# time, so they go.
RUN if python3 -m pip --version >/dev/null 2>&1; then \
        python3 -m pip uninstall --yes --quiet --disable-pip-version-check pip setuptools wheel; \
    fi \
    && groupadd --gid 10001 tickethub \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin tickethub
# Bytecode was compiled at build time; the root filesystem is read-only in the cluster anyway.
ENV PATH=/opt/tickethub/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
WORKDIR /app
# Root owns the environment, so the app cannot change its own code. A live-updating development loop
# (Tilt syncing code into the container) builds with ENVIRONMENT_OWNER=10001:10001 instead.
ARG ENVIRONMENT_OWNER=0:0
COPY --from=build --chown=${ENVIRONMENT_OWNER} /opt/tickethub /opt/tickethub
USER 10001:10001

# The command per kind of package (the Helm chart spells out the same commands). uvicorn takes the app,
# host and port from the environment, so `docker run -e UVICORN_PORT=9000 ...` moves a service.
FROM runtime AS service
ARG PACKAGE
ENV UVICORN_APP=${PACKAGE}.app:create_app \
    UVICORN_HOST=0.0.0.0 \
    UVICORN_PORT=8000
EXPOSE 8000
CMD ["python", "-m", "uvicorn", "--factory", "--no-access-log", "--timeout-graceful-shutdown=10"]

FROM service AS users
FROM service AS catalog
FROM service AS booking
FROM service AS payment
FROM service AS notification

FROM runtime AS operator
CMD ["python", "-m", "show_operator"]

FROM ${PACKAGE}
ARG PACKAGE
# Last, so that a new version changes only the image's metadata, never a layer.
ARG VERSION=dev
LABEL org.opencontainers.image.title="tickethub-${PACKAGE}" \
      org.opencontainers.image.description="TicketHub ${PACKAGE}, a part of the TicketHub ticket-booking platform" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="TicketHub"

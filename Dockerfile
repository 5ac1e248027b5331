# Tremor: the image runs the daily flow (`tremor run`) by default.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_HOME=/data/prefect \
    TREMOR_DB_PATH=/data/tremor.duckdb \
    TREMOR_CACHE_DIR=/opt/tremor-cache

WORKDIR /app
COPY pyproject.toml README.md requirements-nodeps.txt ./
COPY tremor ./tremor
COPY pipeline ./pipeline
COPY fetch ./fetch
COPY flows ./flows
COPY models ./models
COPY warehouse ./warehouse
COPY delivery ./delivery

# The CPU build of torch first, so that resolving Tremor does not pull CUDA packages.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install . \
    && pip install --no-deps -r requirements-nodeps.txt \
    && tremor models --prepare \
    && useradd --create-home --uid 10001 tremor \
    && mkdir -p /data && chown tremor /data

USER 10001
VOLUME ["/data"]
CMD ["tremor", "run"]

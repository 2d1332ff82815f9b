# Serving image (web + worker). Training has its own requirements and is not installed here.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake git \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
# llama-cpp-python compiles llama.cpp here (CPU build). For GPU offload build with
# CMAKE_ARGS="-DGGML_CUDA=on" on a CUDA base image and set THERAPY_NOTES_N_GPU_LAYERS.
# Without AMX: hosts that report AMX but do not grant its tile state make ggml's AMX kernels fault
# (SIGSEGV on every generation); see scripts/bootstrap.sh.
RUN CFLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" CXXFLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" \
    pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
COPY --chown=app:app . .
# The registry (manifest.json) and the shipped LoRA adapter go where THERAPY_NOTES_MODELS_DIR points:
# Docker fills an empty named volume mounted at /models from this directory on first use, so the
# tuned default is served without a training step; base GGUFs are fetched into the volume.
COPY --chown=app:app models/ /models/
# The web command below runs collectstatic: WhiteNoise serves the collected files compressed, with
# content-hashed names (THERAPY_NOTES_STATIC_MANIFEST=1).
ENV PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=therapy_notes.settings \
    THERAPY_NOTES_MODELS_DIR=/models \
    THERAPY_NOTES_STATIC_MANIFEST=1
USER app
EXPOSE 8000
# Default: the web process. The worker service overrides the command (see docker-compose.yml).
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput && gunicorn therapy_notes.wsgi:application --bind 0.0.0.0:8000 --workers 3 --timeout 60"]

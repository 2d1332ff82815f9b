#!/usr/bin/env bash
# Docker Compose's own validation of docker-compose.yml (schema, interpolation, required variables)
# with .env.example as the .env file. Uses the compose plugin or docker-compose; installs Debian's
# docker-compose if neither is there. tests/test_deployment.py checks the healthchecks against the settings.
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null; then
    echo "[compose] installing Debian's docker-compose to validate docker-compose.yml"
    sudo_cmd=$([ "$(id -u)" -eq 0 ] || echo sudo)
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq docker-compose >/dev/null
  fi
  compose=(docker-compose)
fi
# A copy, so the check neither needs nor touches a real .env.
project=$(mktemp -d)
trap 'rm -rf "$project"' EXIT
cp docker-compose.yml "$project/"
cp -r deploy "$project/"
cp .env.example "$project/.env"
"${compose[@]}" --project-directory "$project" -f "$project/docker-compose.yml" config -q
echo "[compose] docker-compose.yml is valid"

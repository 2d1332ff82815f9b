#!/usr/bin/env bash
# Static security scan (bandit: fails on high severity) and dependency audit (pip-audit).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements-dev.txt
.venv/bin/bandit -q -r therapy_notes sessions summarizer workers training -lll
echo "bandit: no high-severity findings"
# pip-audit needs the PyPI JSON / OSV vulnerability API. On machines that reach only the package
# index, every package is reported "not found on PyPI" and nothing is really audited: read the table.
.venv/bin/pip-audit --progress-spinner off -r requirements.txt || true

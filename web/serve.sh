#!/usr/bin/env bash
# Serves the browser build (dist/, made by web/build.sh) on http://127.0.0.1:PORT/ (default 8080).
#   web/serve.sh [PORT]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port="${1:-8080}"
if [[ "$port" == "-h" || "$port" == "--help" ]]; then
    echo "usage: web/serve.sh [PORT]   (serves dist/ on 127.0.0.1, default port 8080)"
    exit 0
fi
if ! [[ "$port" =~ ^[0-9]+$ ]]; then
    echo "serve.sh: not a port: $port" >&2
    exit 2
fi
if ! command -v node >/dev/null; then
    echo "serve.sh: node (18 or newer) is needed to serve the build" >&2
    exit 1
fi
if [[ ! -f dist/index.html ]]; then
    echo "serve.sh: dist/ has not been built yet: run web/build.sh first" >&2
    exit 1
fi
exec node web/serve.mjs --port "$port" --root dist

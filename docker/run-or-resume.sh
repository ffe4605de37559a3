#!/bin/sh
# The compose trainer: start the long run, or continue it after a crash or
# `docker compose restart` from its last checkpoint (at most --checkpoint-every epochs lost).
# Extra arguments apply to a fresh start only; a resumed run keeps its recorded config.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${LOSSBAND_RUN_DIR:-runs/compose}
port=${LOSSBAND_PORT:-9464}
host=${LOSSBAND_HOST:-0.0.0.0}
if [ -f "$dir/config.json" ]; then
  exec node "$here/bin/lossband.js" run --resume "$dir" --host "$host" --port "$port"
fi
exec node "$here/bin/lossband.js" run --name compose --out "$dir" --epochs 0 --host "$host" --port "$port" "$@"

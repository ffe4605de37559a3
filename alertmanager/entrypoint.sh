#!/bin/sh
# Starts Alertmanager with the webhook URL taken from $LOSSBAND_WEBHOOK_URL, if set.
#
# Alertmanager has no environment substitution, so this renders a copy of the config with the
# default URL (http://webhook-log:9095/alerts) replaced, then execs Alertmanager on it. Extra
# arguments go to Alertmanager. Used by docker-compose.yml and test/integration/.
#
#   ALERTMANAGER_CONFIG      config to render    (default /etc/alertmanager/alertmanager.yml)
#   ALERTMANAGER_BIN         binary to exec      (default /bin/alertmanager)
#   ALERTMANAGER_RENDER_DIR  writable directory  (default /alertmanager, the storage volume)
set -eu

config="${ALERTMANAGER_CONFIG:-/etc/alertmanager/alertmanager.yml}"
default_url='http://webhook-log:9095/alerts'

if [ -n "${LOSSBAND_WEBHOOK_URL:-}" ]; then
  case "$LOSSBAND_WEBHOOK_URL" in
    http://*|https://*) ;;
    *) echo "LOSSBAND_WEBHOOK_URL must start with http:// or https://, got: $LOSSBAND_WEBHOOK_URL" >&2; exit 2 ;;
  esac
  case "$LOSSBAND_WEBHOOK_URL" in
    *"'"*|*'
'*) echo "LOSSBAND_WEBHOOK_URL must not contain quotes or newlines" >&2; exit 2 ;;
  esac
  # Escape the characters sed treats specially in a replacement: \ | &
  escaped=$(printf '%s' "$LOSSBAND_WEBHOOK_URL" | sed -e 's/[\\|&]/\\&/g')
  rendered="${ALERTMANAGER_RENDER_DIR:-/alertmanager}/alertmanager.rendered.yml"
  sed -e "s|${default_url}|${escaped}|g" "$config" > "$rendered"
  config="$rendered"
  echo "alertmanager: sending alerts to \$LOSSBAND_WEBHOOK_URL" >&2
fi

exec "${ALERTMANAGER_BIN:-/bin/alertmanager}" --config.file="$config" "$@"

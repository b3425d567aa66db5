#!/bin/sh
# After each deploy: refresh the Key Vault references (on a first provision the identity's role assignments can take
# minutes to apply, and a reference read before that stays unresolved), then wait until FuncMail's home page answers.
# Bounded: FUNCMAIL_HEALTH_ATTEMPTS tries (20), FUNCMAIL_HEALTH_DELAY seconds apart (15), about five minutes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
attempts="${FUNCMAIL_HEALTH_ATTEMPTS:-20}"
delay="${FUNCMAIL_HEALTH_DELAY:-15}"
url="${FUNCMAIL_HOME_URL:?FUNCMAIL_HOME_URL is not set: run azd provision first}"
attempt=1
while :; do
  # Refresh at the first try and every fourth one after, while role assignments settle.
  if [ $((attempt % 4)) -eq 1 ]; then
    sh "$here/../scripts/refresh-key-vault-references.sh" || echo "Could not refresh the Key Vault references; waiting anyway."
  fi
  status=$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 30 "$url" || true)
  if [ "$status" = "200" ]; then
    echo "FuncMail is up: $url"
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then
    break
  fi
  echo "Waiting for FuncMail to start ($attempt/$attempts): $url answered ${status:-nothing}; trying again in ${delay}s."
  sleep "$delay"
  attempt=$((attempt + 1))
done
echo "FuncMail did not answer 200 at $url after $attempts tries." >&2
echo "Open the function app's Log stream in the Azure portal: a start-up error names the setting at fault. If it says" >&2
echo "\"a Key Vault reference did not resolve\", wait a few minutes and run: sh infra/scripts/refresh-key-vault-references.sh" >&2
echo "(docs/deploy.md, \"When the app does not start\")." >&2
exit 1

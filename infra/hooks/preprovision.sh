#!/bin/sh
# Generates the session key once per azd environment and keeps it there, so that a redeploy never signs users out.
set -eu
if [ -z "${FUNCMAIL_SESSION_KEY:-}" ]; then
  azd env set FUNCMAIL_SESSION_KEY "$(openssl rand -base64 32)"
  echo "Generated a session key for this environment (kept in the azd environment and, after provisioning, in Key Vault)."
fi

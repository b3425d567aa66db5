#!/bin/sh
# Before each provision: generate the session key once per azd environment and keep it there, so that a redeploy
# never signs users out; refuse settings that would deploy an app that cannot sign anyone in.
set -eu
if [ -z "${FUNCMAIL_SESSION_KEY:-}" ]; then
  printf "FUNCMAIL_SESSION_KEY='%s'\n" "$(openssl rand -base64 32)" | azd env set --file /dev/stdin
  echo "Generated a session key for this environment (kept in the azd environment and, after provisioning, in Key Vault)."
fi
credential="${FUNCMAIL_ENTRA_CLIENT_CREDENTIAL:-ManagedIdentity}"
case "$credential" in
  ManagedIdentity)
    if [ -n "${FUNCMAIL_ENTRA_CLIENT_SECRET:-}" ]; then
      echo "FUNCMAIL_ENTRA_CLIENT_SECRET is set, but this environment signs in with its managed identity and keeps no secret." >&2
      echo "Remove it (azd env set FUNCMAIL_ENTRA_CLIENT_SECRET \"\"), or choose the secret: azd env set FUNCMAIL_ENTRA_CLIENT_CREDENTIAL ClientSecret" >&2
      exit 1
    fi ;;
  ClientSecret)
    if [ -z "${FUNCMAIL_ENTRA_CLIENT_SECRET:-}" ]; then
      echo "FUNCMAIL_ENTRA_CLIENT_CREDENTIAL is ClientSecret but FUNCMAIL_ENTRA_CLIENT_SECRET is empty: azd env set FUNCMAIL_ENTRA_CLIENT_SECRET <secret>" >&2
      exit 1
    fi ;;
  *)
    echo "FUNCMAIL_ENTRA_CLIENT_CREDENTIAL must be ManagedIdentity (the default) or ClientSecret, not '$credential'." >&2
    exit 1 ;;
esac

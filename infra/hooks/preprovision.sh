#!/bin/sh
# Before each provision: generate the session key once per azd environment and keep it there, so that a redeploy
# never signs users out; refuse settings that would deploy an app that cannot work, naming the fix.
set -eu
fail() { echo "$1" >&2; exit 1; }

if [ -z "${FUNCMAIL_SESSION_KEY:-}" ]; then
  key=$(openssl rand -base64 32)
  # Through standard input in .env form, so the key is never an argument that other processes could see.
  printf "FUNCMAIL_SESSION_KEY='%s'\n" "$key" | azd env set --file /dev/stdin
  echo "Generated a session key for this environment (kept in the azd environment and, after provisioning, in Key Vault)."
fi

# A variable that is set must be valid: azd passes an empty value on, and drops one it cannot convert.
credential="${FUNCMAIL_ENTRA_CLIENT_CREDENTIAL-ManagedIdentity}"
case "$credential" in
  ManagedIdentity)
    [ -z "${FUNCMAIL_ENTRA_CLIENT_SECRET:-}" ] || fail "FUNCMAIL_ENTRA_CLIENT_SECRET is set, but this environment signs in with its managed identity and keeps no secret. Remove it (azd env set FUNCMAIL_ENTRA_CLIENT_SECRET \"\"), or choose the secret: azd env set FUNCMAIL_ENTRA_CLIENT_CREDENTIAL ClientSecret (docs/deploy.md, \"No client secret\")." ;;
  ClientSecret)
    [ -n "${FUNCMAIL_ENTRA_CLIENT_SECRET:-}" ] || fail "FUNCMAIL_ENTRA_CLIENT_CREDENTIAL is ClientSecret but FUNCMAIL_ENTRA_CLIENT_SECRET is empty: azd env set FUNCMAIL_ENTRA_CLIENT_SECRET <secret>" ;;
  *)
    fail "FUNCMAIL_ENTRA_CLIENT_CREDENTIAL must be ManagedIdentity (the default) or ClientSecret, not '$credential'." ;;
esac
case "${FUNCMAIL_SESSION_KEY_ID-k1}" in
  ''|*.*) fail "FUNCMAIL_SESSION_KEY_ID must be a key id such as k1 (1-32 characters, no '.'); use infra/scripts/rotate-session-key.sh to change it." ;;
esac
case "${FUNCMAIL_ALWAYS_READY_INSTANCES-0}" in
  ''|*[!0-9]*) fail "FUNCMAIL_ALWAYS_READY_INSTANCES must be a whole number from 0 to 40, not '${FUNCMAIL_ALWAYS_READY_INSTANCES}'." ;;
esac
case "${FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER-false}" in
  true|false) ;;
  *) fail "FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER must be true or false, not '${FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER}'." ;;
esac

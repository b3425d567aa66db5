#!/bin/sh
# Rotates the app registration's client secret, for an environment with FUNCMAIL_ENTRA_CLIENT_CREDENTIAL=ClientSecret
# (docs/deploy.md, "Rotate the client secret"). Through azd's environment, so the next provision keeps the new secret.
#   1. Add a new secret to the app registration (Certificates & secrets); keep the old one for now.
#   2. sh infra/scripts/rotate-client-secret.sh     (asks for the new secret; it never goes on a command line you type)
#   3. Sign in once; then delete the old secret from the app registration.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
credential=$(azd env get-value FUNCMAIL_ENTRA_CLIENT_CREDENTIAL 2>/dev/null || true)
if [ "$credential" != "ClientSecret" ]; then
  echo "This environment signs in with its managed identity (FUNCMAIL_ENTRA_CLIENT_CREDENTIAL=${credential:-ManagedIdentity}): it has no client secret to rotate." >&2
  exit 1
fi
secret=""
if [ -t 0 ]; then
  printf 'New client secret (the value, not its id): '
  stty -echo
  trap 'stty echo' EXIT INT TERM HUP
  IFS= read -r secret || true
  stty echo
  trap - EXIT INT TERM HUP
  echo ""
else
  IFS= read -r secret || true  # input without a final newline still counts
fi
case "$secret" in
  '') echo "No secret given; nothing changed." >&2; exit 1 ;;
  *"'"*) echo "That is not a client secret value (it contains a quote); nothing changed." >&2; exit 1 ;;
esac
# Through standard input in .env form, so the secret is never an argument that other processes could see.
printf "FUNCMAIL_ENTRA_CLIENT_SECRET='%s'\n" "$secret" | azd env set --file /dev/stdin
echo "Provisioning: Key Vault gets the new secret."
azd provision
sh "$here/refresh-key-vault-references.sh"
echo ""
echo "Done: FuncMail now uses the new secret. Sign in once to check, then delete the old secret from the app registration."
echo "If the deploy workflow deploys this environment, update the GitHub secret FUNCMAIL_ENTRA_CLIENT_SECRET too, or the"
echo "next workflow run writes the old secret back."

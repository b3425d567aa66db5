#!/bin/sh
# Rotates the session key by adding a key, never by overwriting one (docs/deploy.md, "Rotate the session key").
#   sh infra/scripts/rotate-session-key.sh start    new key k<n+1> signs; the old key k<n> still verifies
#   sh infra/scripts/rotate-session-key.sh finish   after Session:AbsoluteTimeout (12 h by default): drop the old key
set -eu
here=$(cd "$(dirname "$0")" && pwd)
get() { azd env get-value "$1" 2>/dev/null || true; }

case "${1:-}" in
  start)
    previous=$(get FUNCMAIL_PREVIOUS_SESSION_KEY_ID)
    if [ -n "$previous" ]; then
      echo "A rotation is already under way (the previous key is $previous). Finish it first: sh $0 finish" >&2
      exit 1
    fi
    current=$(get FUNCMAIL_SESSION_KEY_ID)
    current="${current:-k1}"
    number="${current#k}"
    case "$number" in
      ''|*[!0-9]*) echo "The active key id '$current' is not k<number>; set the next id yourself (docs/deploy.md)." >&2; exit 1 ;;
    esac
    next="k$((number + 1))"
    key=$(openssl rand -base64 32)
    # One write for all three, through standard input: the key is never an argument, and an interrupted script never
    # leaves the ids and the key out of step.
    printf "FUNCMAIL_PREVIOUS_SESSION_KEY_ID='%s'\nFUNCMAIL_SESSION_KEY_ID='%s'\nFUNCMAIL_SESSION_KEY='%s'\n" \
      "$current" "$next" "$key" | azd env set --file /dev/stdin
    echo "Provisioning: $next becomes the active key (Key Vault secret session-key-$next); $current keeps verifying."
    azd provision
    sh "$here/refresh-key-vault-references.sh"
    echo ""
    echo "Done: new cookies are signed with $next, and cookies and token caches under $current still work."
    echo "After Session:AbsoluteTimeout (12 hours by default) has passed, run: sh $0 finish"
    echo "If the deploy workflow deploys this environment, update GitHub now: secret FUNCMAIL_SESSION_KEY to the output of"
    echo "'azd env get-value FUNCMAIL_SESSION_KEY', variables FUNCMAIL_SESSION_KEY_ID=$next and FUNCMAIL_PREVIOUS_SESSION_KEY_ID=$current."
    ;;
  finish)
    previous=$(get FUNCMAIL_PREVIOUS_SESSION_KEY_ID)
    if [ -z "$previous" ]; then
      echo "No rotation is under way: there is no previous key to drop." >&2
      exit 1
    fi
    azd env set FUNCMAIL_PREVIOUS_SESSION_KEY_ID ""
    azd provision
    echo ""
    echo "Done: only the active key is in use. The secret session-key-$previous stays in Key Vault, unused; it is deleted"
    echo "with the vault (azd down --purge). If the deploy workflow deploys this environment, clear the GitHub variable"
    echo "FUNCMAIL_PREVIOUS_SESSION_KEY_ID."
    ;;
  *)
    echo "Usage: sh $0 start|finish" >&2
    exit 2 ;;
esac

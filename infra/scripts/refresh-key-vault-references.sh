#!/bin/sh
# Makes App Service read the function app's Key Vault references again now, rather than within 24 hours
# (learn.microsoft.com/azure/app-service/app-service-key-vault-references, "Understand rotation"). Used by the
# postdeploy hook and the rotation scripts; run it yourself after changing a secret in Key Vault.
# Uses the Azure CLI when it is installed, otherwise azd's own sign-in. Never prints a token.
set -eu
app_id="${AZURE_FUNCTION_APP_ID:-$(azd env get-value AZURE_FUNCTION_APP_ID)}"
url="https://management.azure.com${app_id}/config/configreferences/appsettings/refresh?api-version=2022-03-01"
if command -v az >/dev/null 2>&1; then
  az rest --method post --url "$url" --output none
else
  # `azd auth token` prints an Azure Resource Manager token for the signed-in account as {"token": …, "expiresOn": …}.
  token=$(azd auth token --output json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
  if [ -z "$token" ]; then
    echo "Could not get an Azure token from azd (run azd auth login), so the Key Vault references were not refreshed." >&2
    exit 1
  fi
  # The header goes through standard input, so the token never appears in a process list.
  printf 'Authorization: Bearer %s\n' "$token" | curl --fail --silent --show-error --max-time 60 -X POST -H @- -H "Content-Length: 0" --output /dev/null "$url"
fi
echo "Asked App Service to read the Key Vault references again."

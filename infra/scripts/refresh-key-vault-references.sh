#!/bin/sh
# Makes App Service read the function app's Key Vault references again now, rather than within 24 hours
# (learn.microsoft.com/azure/app-service/app-service-key-vault-references, "Understand rotation"). Used by the
# postdeploy hook and the rotation scripts; run it yourself after a secret changed in Key Vault.
# Signs in as azd does (always signed in where azd runs; an Azure CLI may be absent, or signed in elsewhere).
# Never prints the token, and never puts it on a command line.
set -eu
app_id="${AZURE_FUNCTION_APP_ID:-$(azd env get-value AZURE_FUNCTION_APP_ID)}"
url="https://management.azure.com${app_id}/config/configreferences/appsettings/refresh?api-version=2022-03-01"

# `azd auth token` prints an Azure Resource Manager token for azd's account as {"token": …, "expiresOn": …}.
token=$(azd auth token --output json | sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
if [ -z "$token" ]; then
  echo "Could not get an Azure token from azd (run azd auth login), so the Key Vault references were not refreshed." >&2
  exit 1
fi
printf 'Authorization: Bearer %s\n' "$token" | curl --fail --silent --show-error --max-time 60 -X POST -H @- -H "Content-Length: 0" --output /dev/null "$url"
echo "Asked App Service to read the Key Vault references again."

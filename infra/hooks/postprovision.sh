#!/bin/sh
# After each provision: make sure the app registration trusts the app's managed identity (the deployed app has no
# client secret), and print the redirect URIs the registration needs. azd passes the deployment outputs as variables.
set -eu

if [ "${FUNCMAIL_ENTRA_CLIENT_CREDENTIAL:-}" = "ManagedIdentity" ]; then
  # One federated identity credential per environment; Entra compares issuer, subject and audience exactly.
  name="funcmail-${AZURE_ENV_NAME}"
  credential=$(printf '{"name":"%s","issuer":"%s","subject":"%s","audiences":["%s"],"description":"FuncMail environment %s: its function app signs in as this app registration with its managed identity"}' \
    "$name" "$FUNCMAIL_FEDERATED_CREDENTIAL_ISSUER" "$FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT" "$FUNCMAIL_FEDERATED_CREDENTIAL_AUDIENCE" "$AZURE_ENV_NAME")
  app="$FUNCMAIL_ENTRA_CLIENT_ID"
  done=""
  if command -v az >/dev/null 2>&1; then
    if subject=$(az ad app federated-credential list --id "$app" --query "[?name=='$name'].subject | [0]" --output tsv 2>/dev/null); then
      if [ "$subject" = "$FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT" ]; then
        echo "The app registration already trusts this environment's managed identity ($name)."
        done=yes
      elif [ -n "$subject" ]; then
        # The identity was recreated (azd down, then up): point the credential at the new one.
        az ad app federated-credential update --id "$app" --federated-credential-id "$name" --parameters "$credential" --output none && done=yes
        [ -n "$done" ] && echo "Updated the app registration's federated credential $name to this environment's new managed identity."
      else
        az ad app federated-credential create --id "$app" --parameters "$credential" --output none && done=yes
        [ -n "$done" ] && echo "The app registration now trusts this environment's managed identity (federated credential $name)."
      fi
    fi
  fi
  if [ -z "$done" ]; then
    echo ""
    echo "ACTION NEEDED: sign-in fails (AADSTS70021) until the app registration trusts the app's managed identity. Someone"
    echo "who owns the registration (or an Application Administrator) runs, once per environment:"
    echo ""
    echo "    az ad app federated-credential create --id $app --parameters '$credential'"
    echo ""
    echo "(or in the Entra admin center: App registrations > your app > Certificates & secrets > Federated credentials >"
    echo "Add credential > Managed Identity, and choose the identity id-funcmail-… in resource group ${AZURE_RESOURCE_GROUP:-rg-$AZURE_ENV_NAME})."
  fi
fi

echo ""
echo "Add these two redirect URIs to your production app registration (Entra admin center > App registrations > your"
echo "app > Authentication > Web > Redirect URIs), exactly as shown, if they are not there yet:"
echo ""
echo "    ${FUNCMAIL_REDIRECT_URI}                  (sign-in comes back here)"
echo "    ${FUNCMAIL_POST_LOGOUT_REDIRECT_URI}      (sign-out comes back here)"
echo ""
echo "Or, if you may edit the registration:"
echo "    az ad app update --id ${FUNCMAIL_ENTRA_CLIENT_ID:-<client-id>} --web-redirect-uris ${FUNCMAIL_REDIRECT_URI} ${FUNCMAIL_POST_LOGOUT_REDIRECT_URI}"
echo "(that command replaces the list: name every redirect URI you keep; keep http://localhost ones in a separate"
echo "registration for development, see README)."

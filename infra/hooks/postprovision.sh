#!/bin/sh
# After each provision: make sure the app registration trusts the app's managed identity (the deployed app has no
# client secret), and print the redirect URIs the registration needs. azd passes the deployment outputs as variables.
set -eu
app="${FUNCMAIL_ENTRA_CLIENT_ID:?FUNCMAIL_ENTRA_CLIENT_ID is not set: it is an output of infra/main.bicep, so run azd provision}"

if [ "${FUNCMAIL_ENTRA_CLIENT_CREDENTIAL:-}" = "ManagedIdentity" ]; then
  issuer="$FUNCMAIL_FEDERATED_CREDENTIAL_ISSUER"
  subject="$FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT"
  # One federated identity credential per environment; Entra matches issuer, subject and audience exactly.
  name="funcmail-${AZURE_ENV_NAME}"
  credential=$(printf '{"name":"%s","issuer":"%s","subject":"%s","audiences":["%s"],"description":"FuncMail environment %s: its function app signs in as this app registration with its managed identity"}' \
    "$name" "$issuer" "$subject" "$FUNCMAIL_FEDERATED_CREDENTIAL_AUDIENCE" "$AZURE_ENV_NAME")
  done=""
  if command -v az >/dev/null 2>&1; then
    # Found by what Entra matches, so a credential added in the portal under another name counts too.
    if trusted=$(az ad app federated-credential list --id "$app" --query "length([?issuer=='$issuer' && subject=='$subject'])" --output tsv 2>/dev/null) \
      && named=$(az ad app federated-credential list --id "$app" --query "length([?name=='$name'])" --output tsv 2>/dev/null); then
      if [ "$trusted" != "0" ]; then
        echo "The app registration already trusts this environment's managed identity."
        done=yes
      elif [ "$named" != "0" ]; then
        # The identity was recreated (azd down, then up): point the credential at the new one.
        if az ad app federated-credential update --id "$app" --federated-credential-id "$name" --parameters "$credential" --output none; then
          echo "Updated the app registration's federated credential $name to this environment's new managed identity."
          done=yes
        fi
      elif az ad app federated-credential create --id "$app" --parameters "$credential" --output none; then
        echo "The app registration now trusts this environment's managed identity (federated credential $name)."
        done=yes
      fi
    fi
  fi
  if [ -z "$done" ]; then
    echo ""
    echo "ACTION NEEDED: sign-in fails (AADSTS700213) until the app registration trusts the app's managed identity. Someone"
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
echo "    az ad app update --id $app --web-redirect-uris ${FUNCMAIL_REDIRECT_URI} ${FUNCMAIL_POST_LOGOUT_REDIRECT_URI}"
echo "(that command replaces the list: name every redirect URI you keep; keep http://localhost ones in a separate"
echo "registration for development, see README)."

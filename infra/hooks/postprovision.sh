#!/bin/sh
# Prints the redirect URI the app registration needs (azd exports the deployment outputs as variables).
set -eu
echo ""
echo "FuncMail is provisioned. Add this redirect URI to your app registration (Entra admin center > App registrations"
echo "> your app > Authentication > Web > Redirect URIs), exactly as shown:"
echo ""
echo "    ${FUNCMAIL_REDIRECT_URI}"
echo ""
echo "Or, if you may edit the registration:"
echo "    az ad app update --id ${FUNCMAIL_ENTRA_CLIENT_ID:-<client-id>} --web-redirect-uris http://localhost:7071/api/GetToken ${FUNCMAIL_REDIRECT_URI}"
echo "(that command replaces the list: name every redirect URI you keep)."

#!/bin/sh
# Prints the redirect URIs the production app registration needs (azd exports the deployment outputs as variables).
set -eu
echo ""
echo "FuncMail is provisioned. Add these two redirect URIs to your production app registration (Entra admin center >"
echo "App registrations > your app > Authentication > Web > Redirect URIs), exactly as shown:"
echo ""
echo "    ${FUNCMAIL_REDIRECT_URI}                  (sign-in comes back here)"
echo "    ${FUNCMAIL_POST_LOGOUT_REDIRECT_URI}      (sign-out comes back here)"
echo ""
echo "Or, if you may edit the registration:"
echo "    az ad app update --id ${FUNCMAIL_ENTRA_CLIENT_ID:-<client-id>} --web-redirect-uris ${FUNCMAIL_REDIRECT_URI} ${FUNCMAIL_POST_LOGOUT_REDIRECT_URI}"
echo "(that command replaces the list: name every redirect URI you keep; keep http://localhost ones in a separate"
echo "registration for development, see README)."

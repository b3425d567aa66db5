# After each provision: make sure the app registration trusts the app's managed identity (the deployed app has no
# client secret), and print the redirect URIs the registration needs. (postprovision.sh in PowerShell.)
$ErrorActionPreference = 'Stop'
$app = $env:FUNCMAIL_ENTRA_CLIENT_ID
if (-not $app) { throw "FUNCMAIL_ENTRA_CLIENT_ID is not set: it is an output of infra/main.bicep, so run azd provision" }

if ($env:FUNCMAIL_ENTRA_CLIENT_CREDENTIAL -eq 'ManagedIdentity') {
    $issuer = $env:FUNCMAIL_FEDERATED_CREDENTIAL_ISSUER
    $subject = $env:FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT
    $name = "funcmail-$env:AZURE_ENV_NAME"
    $credential = [ordered]@{
        name        = $name
        issuer      = $issuer
        subject     = $subject
        audiences   = @($env:FUNCMAIL_FEDERATED_CREDENTIAL_AUDIENCE)
        description = "FuncMail environment $($env:AZURE_ENV_NAME): its function app signs in as this app registration with its managed identity"
    } | ConvertTo-Json -Compress
    # A file, not an argument: PowerShell strips the JSON's quotes when it passes it to az.cmd.
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "funcmail-federated-credential.json"
    Set-Content -Path $file -Value $credential -NoNewline
    $done = $false
    if (Get-Command az -ErrorAction SilentlyContinue) {
        # Found by what Entra matches, so a credential added in the portal under another name counts too.
        $trusted = az ad app federated-credential list --id $app --query "length([?issuer=='$issuer' && subject=='$subject'])" --output tsv 2>$null
        $listed = $LASTEXITCODE -eq 0
        $named = az ad app federated-credential list --id $app --query "length([?name=='$name'])" --output tsv 2>$null
        if ($listed -and $LASTEXITCODE -eq 0) {
            if ($trusted -ne '0') {
                Write-Host "The app registration already trusts this environment's managed identity."
                $done = $true
            }
            elseif ($named -ne '0') {
                az ad app federated-credential update --id $app --federated-credential-id $name --parameters "@$file" --output none
                $done = $LASTEXITCODE -eq 0
                if ($done) { Write-Host "Updated the app registration's federated credential $name to this environment's new managed identity." }
            }
            else {
                az ad app federated-credential create --id $app --parameters "@$file" --output none
                $done = $LASTEXITCODE -eq 0
                if ($done) { Write-Host "The app registration now trusts this environment's managed identity (federated credential $name)." }
            }
        }
    }
    if (-not $done) {
        Write-Host ""
        Write-Host "ACTION NEEDED: sign-in fails (AADSTS700213) until the app registration trusts the app's managed identity. Someone"
        Write-Host "who owns the registration (or an Application Administrator) runs, once per environment:"
        Write-Host ""
        Write-Host "    az ad app federated-credential create --id $app --parameters `"@$file`""
        Write-Host ""
        Write-Host "($file holds: $credential)"
        Write-Host "(or in the Entra admin center: App registrations > your app > Certificates & secrets > Federated credentials >"
        Write-Host "Add credential > Managed Identity, and choose the identity id-funcmail-... in resource group $env:AZURE_RESOURCE_GROUP)."
    }
    else {
        Remove-Item $file
    }
}

Write-Host ""
Write-Host "Add these two redirect URIs to your production app registration (Entra admin center > App registrations > your"
Write-Host "app > Authentication > Web > Redirect URIs), exactly as shown, if they are not there yet:"
Write-Host ""
Write-Host "    $env:FUNCMAIL_REDIRECT_URI                  (sign-in comes back here)"
Write-Host "    $env:FUNCMAIL_POST_LOGOUT_REDIRECT_URI      (sign-out comes back here)"
Write-Host ""
Write-Host "Or, if you may edit the registration:"
Write-Host "    az ad app update --id $app --web-redirect-uris $env:FUNCMAIL_REDIRECT_URI $env:FUNCMAIL_POST_LOGOUT_REDIRECT_URI"
Write-Host "(that command replaces the list: name every redirect URI you keep; keep http://localhost ones in a separate"
Write-Host "registration for development, see README)."

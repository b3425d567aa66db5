# After each provision: make sure the app registration trusts the app's managed identity (the deployed app has no
# client secret), and print the redirect URIs the registration needs. (postprovision.sh in PowerShell.)
$ErrorActionPreference = 'Stop'
if ($env:FUNCMAIL_ENTRA_CLIENT_CREDENTIAL -eq 'ManagedIdentity') {
    $name = "funcmail-$env:AZURE_ENV_NAME"
    $subjectWanted = $env:FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT
    $credential = [ordered]@{
        name        = $name
        issuer      = $env:FUNCMAIL_FEDERATED_CREDENTIAL_ISSUER
        subject     = $subjectWanted
        audiences   = @($env:FUNCMAIL_FEDERATED_CREDENTIAL_AUDIENCE)
        description = "FuncMail environment $($env:AZURE_ENV_NAME): its function app signs in as this app registration with its managed identity"
    } | ConvertTo-Json -Compress
    $app = $env:FUNCMAIL_ENTRA_CLIENT_ID
    $done = $false
    if (Get-Command az -ErrorAction SilentlyContinue) {
        $subject = az ad app federated-credential list --id $app --query "[?name=='$name'].subject | [0]" --output tsv 2>$null
        if ($LASTEXITCODE -eq 0) {
            $file = New-TemporaryFile
            Set-Content -Path $file -Value $credential -NoNewline
            try {
                if ($subject -eq $subjectWanted) {
                    Write-Host "The app registration already trusts this environment's managed identity ($name)."
                    $done = $true
                }
                elseif ($subject) {
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
            finally { Remove-Item $file }
        }
    }
    if (-not $done) {
        Write-Host ""
        Write-Host "ACTION NEEDED: sign-in fails (AADSTS70021) until the app registration trusts the app's managed identity. Someone"
        Write-Host "who owns the registration (or an Application Administrator) runs, once per environment:"
        Write-Host ""
        Write-Host "    az ad app federated-credential create --id $app --parameters '$credential'"
        Write-Host ""
        Write-Host "(or in the Entra admin center: App registrations > your app > Certificates & secrets > Federated credentials >"
        Write-Host "Add credential > Managed Identity, and choose the identity id-funcmail-... in resource group $env:AZURE_RESOURCE_GROUP)."
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
Write-Host "    az ad app update --id $env:FUNCMAIL_ENTRA_CLIENT_ID --web-redirect-uris $env:FUNCMAIL_REDIRECT_URI $env:FUNCMAIL_POST_LOGOUT_REDIRECT_URI"
Write-Host "(that command replaces the list: name every redirect URI you keep; keep http://localhost ones in a separate"
Write-Host "registration for development, see README)."

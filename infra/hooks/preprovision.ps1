# Before each provision: generate the session key once per azd environment and keep it there, so that a redeploy
# never signs users out; refuse settings that would deploy an app that cannot sign anyone in. (preprovision.sh in PowerShell.)
$ErrorActionPreference = 'Stop'
if (-not $env:FUNCMAIL_SESSION_KEY) {
    $bytes = New-Object byte[] 32
    [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
    # Through standard input in .env form, so the key is never an argument that other processes could see.
    $file = New-TemporaryFile
    try {
        Set-Content -Path $file -Value "FUNCMAIL_SESSION_KEY='$([Convert]::ToBase64String($bytes))'" -NoNewline
        azd env set --file $file
        if ($LASTEXITCODE -ne 0) { throw "azd env set failed" }
    }
    finally { Remove-Item $file }
    Write-Host "Generated a session key for this environment (kept in the azd environment and, after provisioning, in Key Vault)."
}
# A variable that is set must be valid: azd passes an empty value on, and drops one it cannot convert.
$credential = if ($null -ne $env:FUNCMAIL_ENTRA_CLIENT_CREDENTIAL) { $env:FUNCMAIL_ENTRA_CLIENT_CREDENTIAL } else { 'ManagedIdentity' }
switch ($credential) {
    'ManagedIdentity' {
        if ($env:FUNCMAIL_ENTRA_CLIENT_SECRET) {
            Write-Error "FUNCMAIL_ENTRA_CLIENT_SECRET is set, but this environment signs in with its managed identity and keeps no secret. Remove it (azd env set FUNCMAIL_ENTRA_CLIENT_SECRET `"`"), or choose the secret: azd env set FUNCMAIL_ENTRA_CLIENT_CREDENTIAL ClientSecret"
        }
    }
    'ClientSecret' {
        if (-not $env:FUNCMAIL_ENTRA_CLIENT_SECRET) {
            Write-Error "FUNCMAIL_ENTRA_CLIENT_CREDENTIAL is ClientSecret but FUNCMAIL_ENTRA_CLIENT_SECRET is empty: azd env set FUNCMAIL_ENTRA_CLIENT_SECRET <secret>"
        }
    }
    default { Write-Error "FUNCMAIL_ENTRA_CLIENT_CREDENTIAL must be ManagedIdentity (the default) or ClientSecret, not '$credential'." }
}
if ($null -ne $env:FUNCMAIL_SESSION_KEY_ID -and ($env:FUNCMAIL_SESSION_KEY_ID -eq '' -or $env:FUNCMAIL_SESSION_KEY_ID.Contains('.'))) {
    Write-Error "FUNCMAIL_SESSION_KEY_ID must be a key id such as k1 (1-32 characters, no '.'); use infra/scripts/rotate-session-key.sh to change it."
}
if ($null -ne $env:FUNCMAIL_ALWAYS_READY_INSTANCES -and $env:FUNCMAIL_ALWAYS_READY_INSTANCES -notmatch '^[0-9]+$') {
    Write-Error "FUNCMAIL_ALWAYS_READY_INSTANCES must be a whole number from 0 to 40, not '$env:FUNCMAIL_ALWAYS_READY_INSTANCES'."
}
if ($null -ne $env:FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER -and $env:FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER -notin @('true', 'false')) {
    Write-Error "FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER must be true or false, not '$env:FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER'."
}

# Generates the session key once per azd environment and keeps it there, so that a redeploy never signs users out.
if (-not $env:FUNCMAIL_SESSION_KEY) {
    $bytes = New-Object byte[] 32
    [System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
    azd env set FUNCMAIL_SESSION_KEY ([Convert]::ToBase64String($bytes))
    Write-Host "Generated a session key for this environment (kept in the azd environment and, after provisioning, in Key Vault)."
}

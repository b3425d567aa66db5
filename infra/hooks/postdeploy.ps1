# After each deploy: refresh the Key Vault references (on a first provision the identity's role assignments can take
# minutes to apply), then wait until FuncMail's home page answers. Bounded, as postdeploy.sh. (postdeploy.sh in PowerShell.)
$ErrorActionPreference = 'Stop'
$attempts = if ($env:FUNCMAIL_HEALTH_ATTEMPTS) { [int]$env:FUNCMAIL_HEALTH_ATTEMPTS } else { 20 }
$delay = if ($env:FUNCMAIL_HEALTH_DELAY) { [int]$env:FUNCMAIL_HEALTH_DELAY } else { 15 }
$url = $env:FUNCMAIL_HOME_URL
if (-not $url) { throw "FUNCMAIL_HOME_URL is not set: run azd provision first" }
$refresh = "https://management.azure.com$($env:AZURE_FUNCTION_APP_ID)/config/configreferences/appsettings/refresh?api-version=2022-03-01"

function Update-KeyVaultReferences {
    try {
        # azd's own sign-in (always signed in where azd runs): an Azure Resource Manager token, never printed.
        $token = (azd auth token --output json | ConvertFrom-Json).token
        if (-not $token) { throw "no token from azd" }
        Invoke-RestMethod -Method Post -Uri $refresh -Headers @{ Authorization = "Bearer $token" } | Out-Null
        Write-Host "Asked App Service to read the Key Vault references again."
    }
    catch { Write-Host "Could not refresh the Key Vault references; waiting anyway." }
}

for ($attempt = 1; $attempt -le $attempts; $attempt++) {
    if ($attempt % 4 -eq 1) { Update-KeyVaultReferences }
    $status = 'nothing'
    try {
        $status = [int](Invoke-WebRequest -Uri $url -Method Get -TimeoutSec 30 -UseBasicParsing).StatusCode
    }
    catch {
        if ($_.Exception.Response) { $status = [int]$_.Exception.Response.StatusCode }
    }
    if ($status -eq 200) {
        Write-Host "FuncMail is up: $url"
        exit 0
    }
    if ($attempt -lt $attempts) {
        Write-Host "Waiting for FuncMail to start ($attempt/$attempts): $url answered $status; trying again in ${delay}s."
        Start-Sleep -Seconds $delay
    }
}
Write-Error ("FuncMail did not answer 200 at $url after $attempts tries. Open the function app's Log stream in the Azure portal: " +
    "a start-up error names the setting at fault. If it says `"a Key Vault reference did not resolve`", wait a few minutes and " +
    "run azd deploy again, or restart the app (docs/deploy.md, `"When the app does not start`").")

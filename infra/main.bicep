// FuncMail on Azure Functions Flex Consumption, secure by default. Deployed by `azd up` (see docs/deploy.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('The azd environment name; names the resource group and seeds resource names.')
param environmentName string

// Regions where Flex Consumption runs dotnet-isolated 10.0: the list of Azure-Samples/functions-quickstart-dotnet-azd
// (infra/main.bicep at fe74255, 2026-02-24, which runs dotnet-isolated 10.0), without the eastus2euap canary region.
// Checked 2026-11-30. Before adding a region, check it with:
//   az functionapp list-flexconsumption-runtimes -l <region> --runtime dotnet-isolated
@minLength(1)
@description('Azure region for every resource: one where Flex Consumption runs dotnet-isolated 10.0.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({ azd: { type: 'location' } })
param location string

@minLength(36)
@maxLength(36)
@description('Application (client) ID of the production Entra app registration.')
param entraClientId string

@minLength(1)
@description('Who may sign in: a tenant GUID (one organization), organizations (any work or school account), consumers (personal accounts) or common (both). Required: a deployment never widens it by default.')
param entraTenantId string

@allowed([
  'ManagedIdentity'
  'ClientSecret'
])
@description('How FuncMail proves it is the app registration. ManagedIdentity: the app registration trusts the app\'s managed identity as a federated credential, and no secret exists (docs/deploy.md, "No client secret"). ClientSecret: a client secret, kept in Key Vault.')
param entraClientCredential string = 'ManagedIdentity'

@secure()
@description('Client secret of the app registration, only with entraClientCredential = ClientSecret. Stored only in Key Vault.')
param entraClientSecret string = ''

// Empty by default only so that azd does not ask for it before the preprovision hook has generated it; an empty key
// fails the deployment below.
@secure()
@description('The active session key (base64 of at least 32 random bytes). Generated once by the preprovision hook and kept in the azd environment, so a redeploy never changes it. Stored only in Key Vault.')
param sessionKey string = ''

@description('Key id of the active session key: its Key Vault secret is session-key-<id>.')
param sessionKeyId string = 'k1'

@description('During a key rotation: the id of the previous key. Its secret session-key-<id> must already be in Key Vault (provisioning fails otherwise), so that its cookies still verify. Empty otherwise.')
param previousSessionKeyId string = ''

@minValue(0)
@maxValue(40)
@description('Always-ready instances for the HTTP functions: no cold start for users, billed while idle (docs/deploy.md, "Cold start"). 0 for none.')
param alwaysReadyInstances int = 0

@description('Sets WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED=0, the workaround for azure-functions-dotnet-worker#3335 (.NET 10 isolated workers crashing on Flex). Slower cold starts; only while that issue is open and affects you.')
param disableDotnetPlaceholder bool = false

var tags = { 'azd-env-name': environmentName }
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module app 'app.bicep' = {
  name: 'funcmail-app'
  scope: group
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    entraClientId: entraClientId
    entraTenantId: entraTenantId
    entraClientCredential: entraClientCredential
    entraClientSecret: entraClientCredential == 'ClientSecret' && empty(entraClientSecret)
      ? fail('entraClientCredential is ClientSecret but entraClientSecret is empty: azd env set FUNCMAIL_ENTRA_CLIENT_SECRET <secret>.')
      : entraClientSecret
    sessionKey: empty(sessionKey)
      ? fail('sessionKey is empty: the preprovision hook generates FUNCMAIL_SESSION_KEY; for a CI deployment, copy it with azd env get-value FUNCMAIL_SESSION_KEY (docs/deploy.md).')
      : sessionKey
    sessionKeyId: sessionKeyId
    previousSessionKeyId: previousSessionKeyId
    alwaysReadyInstances: alwaysReadyInstances
    disableDotnetPlaceholder: disableDotnetPlaceholder
  }
}

output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output AZURE_FUNCTION_APP_ID string = app.outputs.functionAppId
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName
output FUNCMAIL_HOME_URL string = app.outputs.homeUrl
output FUNCMAIL_REDIRECT_URI string = app.outputs.redirectUri
output FUNCMAIL_POST_LOGOUT_REDIRECT_URI string = app.outputs.postLogoutRedirectUri
output FUNCMAIL_ENTRA_CLIENT_CREDENTIAL string = entraClientCredential

// Also when azd asked for it rather than reading the variable: the postprovision hook needs it.
output FUNCMAIL_ENTRA_CLIENT_ID string = entraClientId

// The federated credential the app registration needs (the postprovision hook adds it): the identity's token is
// issued by this tenant, to the identity's principal id, for the cloud's token-exchange audience.
output FUNCMAIL_FEDERATED_CREDENTIAL_ISSUER string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
output FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT string = app.outputs.identityPrincipalId
output FUNCMAIL_FEDERATED_CREDENTIAL_AUDIENCE string = 'api://AzureADTokenExchange'

// FuncMail on Azure Functions Flex Consumption, secure by default. Deployed by `azd up` (see docs/deploy.md).
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('The azd environment name; names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource. Flex Consumption is not offered in every region.')
param location string

@description('Application (client) ID of the Entra app registration.')
param entraClientId string

@secure()
@description('Client secret of the Entra app registration. Stored only in Key Vault.')
param entraClientSecret string

@description('common, organizations, consumers or a tenant GUID.')
param entraTenantId string = 'common'

@secure()
@description('The active session key (base64 of at least 32 random bytes). Generated once by the preprovision hook and kept in the azd environment, so a redeploy never changes it. Stored only in Key Vault.')
param sessionKey string

@description('Key id of the active session key: its Key Vault secret is session-key-<id>.')
param sessionKeyId string = 'k1'

@description('During a key rotation: the id of the previous key, whose secret stays in Key Vault so that its cookies still verify. Empty otherwise.')
param previousSessionKeyId string = ''

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
    entraClientSecret: entraClientSecret
    entraTenantId: entraTenantId
    sessionKey: sessionKey
    sessionKeyId: sessionKeyId
    previousSessionKeyId: previousSessionKeyId
  }
}

output AZURE_RESOURCE_GROUP string = group.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.functionAppName
output SERVICE_API_URI string = app.outputs.uri
output FUNCMAIL_REDIRECT_URI string = app.outputs.redirectUri
output FUNCMAIL_POST_LOGOUT_REDIRECT_URI string = app.outputs.postLogoutRedirectUri
output AZURE_KEY_VAULT_NAME string = app.outputs.keyVaultName

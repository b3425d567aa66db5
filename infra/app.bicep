// The resources of one FuncMail environment. Every connection is identity-based: no shared keys, no secrets in app settings.
param location string
param tags object
param resourceToken string
param entraClientId string
param entraTenantId string
param entraClientCredential string
@secure()
param entraClientSecret string
@secure()
param sessionKey string
param sessionKeyId string
param previousSessionKeyId string
param alwaysReadyInstances int
param disableDotnetPlaceholder bool

var appName = 'func-funcmail-${resourceToken}'
var usesClientSecret = entraClientCredential == 'ClientSecret'
var deploymentContainer = 'app-package'
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-funcmail-${resourceToken}'
  location: location
  tags: tags
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-funcmail-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-funcmail-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stfm${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource packages 'containers' = {
      name: deploymentContainer
    }
  }
}

// Blob for the deployment package and the Functions host (AzureWebJobsStorage); Table for sessions and sign-ins.
// No queue role: FuncMail has no queue triggers, and the host's timer locks are blob leases.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [roles.storageBlobDataOwner, roles.storageTableDataContributor]: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-fm-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }

  // Only when the app proves itself with a secret; with the managed identity no secret exists at all.
  resource clientSecret 'secrets' = if (usesClientSecret) {
    name: 'entra-client-secret'
    properties: { value: entraClientSecret }
  }

  resource sessionKeySecret 'secrets' = {
    name: 'session-key-${sessionKeyId}'
    properties: { value: sessionKey }
  }
}

// The previous session key is never written here: a rotation adds the new key and keeps the old secret as it is.
// Reading the existing secret's URI makes provisioning fail at once, naming it, if it does not exist.
resource previousSessionKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = if (!empty(previousSessionKeyId)) {
  parent: vault
  name: 'session-key-${previousSessionKeyId}'
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource insightsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: insights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-funcmail-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    // Only what Flex Consumption accepts: ftpsState and the other properties on its deprecation list make it reject
    // the site (ARM error 51021; InfraTests keeps the list). Flex has no FTP endpoint; basic publishing is off below.
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: 40
        instanceMemoryMB: 2048
        alwaysReady: alwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyInstances }] : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
  dependsOn: [
    storageRoles
    vaultRole
  ]
}

// Every app setting, in one resource written after the site exists, so that the redirect URI comes from the host name
// Azure gave the site (unique default host names include a hash and the region). A provision replaces the whole set:
// anything set by hand is removed, so every setting FuncMail needs is a parameter here.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(
    {
      AzureWebJobsStorage__accountName: storage.name
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      // FuncMail's page is /api/Home; the Functions host's own landing page at / is off.
      AzureWebJobsDisableHomepage: 'true'
      APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      Entra__ClientId: entraClientId
      Entra__TenantId: entraTenantId
      Entra__RedirectUri: redirectUri
      Entra__ClientCredential: entraClientCredential
      'Session__Keys__${sessionKeyId}': '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${vault::sessionKeySecret.name})'
      Session__ActiveKeyId: sessionKeyId
      Storage__TableServiceUri: storage.properties.primaryEndpoints.table
      Storage__ManagedIdentityClientId: identity.properties.clientId
    },
    usesClientSecret
      ? { Entra__ClientSecret: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=entra-client-secret)' }
      : { Entra__ManagedIdentityClientId: identity.properties.clientId },
    empty(previousSessionKeyId)
      ? {}
      : { 'Session__Keys__${previousSessionKeyId}': '@Microsoft.KeyVault(SecretUri=${previousSessionKeySecret!.properties.secretUri})' },
    disableDotnetPlaceholder ? { WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED: '0' } : {}
  )
  dependsOn: [
    vault::clientSecret
    insightsRole
  ]
}

// No FTP and no basic-auth publishing: deployment goes through azd with Entra credentials.
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'ftp'
  properties: { allow: false }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: functionApp
  name: 'scm'
  properties: { allow: false }
}

var origin = 'https://${functionApp.properties.defaultHostName}'
var redirectUri = '${origin}/api/GetToken'

output functionAppName string = functionApp.name
output functionAppId string = functionApp.id
output homeUrl string = '${origin}/api/Home'
output redirectUri string = redirectUri

@description('Where Entra returns the browser after sign-out (FuncMail\'s home page); register it as a redirect URI too.')
output postLogoutRedirectUri string = '${origin}/api/Home'
output keyVaultName string = vault.name
output identityPrincipalId string = identity.properties.principalId

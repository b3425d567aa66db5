#!/bin/sh
# Gives the deploy workflow's identity what `azd up` needs, and no more:
#   - Contributor on the subscription: azd deploys at subscription scope and creates the resource group.
#   - Role Based Access Control Administrator on the environment's resource group only (created here, empty), limited
#     by a condition: it may assign and remove only the four roles infra/app.bicep gives the app's managed identity,
#     only to service principals, and never to itself. It cannot reach another resource group's data, nor make itself
#     or anyone else Owner.
# Usage, as an Owner of the subscription with the Azure CLI signed in:
#   sh infra/scripts/grant-deploy-identity.sh <deploy-identity-object-id> <subscription-id> <azd-env-name> <location>
# The object id is the service principal's: az ad sp show --id <deploy-identity-client-id> --query id --output tsv
set -eu
usage="usage: grant-deploy-identity.sh <deploy-identity-object-id> <subscription-id> <azd-env-name> <location>"
principal="${1:?$usage}"
subscription="${2:?$usage}"
environment="${3:?$usage}"
location="${4:?$usage}"
group="rg-$environment"

# The roles infra/app.bicep assigns (InfraTests checks that the two lists agree): Storage Blob Data Owner, Storage
# Table Data Contributor, Key Vault Secrets User, Monitoring Metrics Publisher.
roles="b7e6dc6d-f1e8-4753-8033-0f276bb0955b, 0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3, 4633458b-17de-408a-b874-0445c86b69e6, 3913510d-42f4-4e42-8a64-420c390055eb"
condition="((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$roles} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEqualsIgnoreCase 'ServicePrincipal' AND @Request[Microsoft.Authorization/roleAssignments:PrincipalId] GuidNotEquals $principal)) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$roles}))"

az group create --subscription "$subscription" --name "$group" --location "$location" --tags "azd-env-name=$environment" --output none
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Contributor" --scope "/subscriptions/$subscription" --output none
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Role Based Access Control Administrator" --scope "/subscriptions/$subscription/resourceGroups/$group" \
  --condition "$condition" --condition-version "2.0" --output none
echo "The deploy identity may now run azd up for environment $environment: Contributor on the subscription, and RBAC"
echo "Administrator on $group for FuncMail's four roles only."

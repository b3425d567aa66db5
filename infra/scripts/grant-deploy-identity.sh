#!/bin/sh
# Gives the deploy workflow's identity what `azd up` needs on the subscription, and no more than that:
#   - Contributor, to create the resource group and its resources;
#   - Role Based Access Control Administrator, limited by a condition to assigning (and removing) only the four roles
#     infra/app.bicep gives the app's managed identity, to service principals. Not Owner: the identity can never
#     grant itself or anyone else broader access.
# Usage (as an Owner of the subscription, with the Azure CLI signed in):
#   sh infra/scripts/grant-deploy-identity.sh <deploy-identity-object-id> <subscription-id>
set -eu
principal="${1:?usage: grant-deploy-identity.sh <deploy-identity-object-id> <subscription-id>}"
subscription="${2:?usage: grant-deploy-identity.sh <deploy-identity-object-id> <subscription-id>}"
scope="/subscriptions/$subscription"

# The roles infra/app.bicep assigns (InfraTests checks that the two lists agree): Storage Blob Data Owner, Storage
# Table Data Contributor, Key Vault Secrets User, Monitoring Metrics Publisher.
roles="b7e6dc6d-f1e8-4753-8033-0f276bb0955b, 0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3, 4633458b-17de-408a-b874-0445c86b69e6, 3913510d-42f4-4e42-8a64-420c390055eb"
condition="((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$roles} AND @Request[Microsoft.Authorization/roleAssignments:PrincipalType] StringEqualsIgnoreCase 'ServicePrincipal')) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$roles}))"

az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Contributor" --scope "$scope" --output none
az role assignment create --assignee-object-id "$principal" --assignee-principal-type ServicePrincipal \
  --role "Role Based Access Control Administrator" --scope "$scope" \
  --condition "$condition" --condition-version "2.0" --output none
echo "The deploy identity may now run azd up on $scope: Contributor, and RBAC Administrator for FuncMail's four roles only."

using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Infra;

/// <summary>
/// Compiles infra/main.bicep with the real Bicep CLI (from NuGet, offline) and asserts what a secure FuncMail
/// deployment must be, on the ARM JSON that Azure would receive.
/// </summary>
public sealed class InfraTests
{
    private static readonly Lazy<JsonObject> Template = new(() => JsonNode.Parse(Bicep("build", "--stdout").Output)!.AsObject());

    private static readonly string[] RoleIds =
    [
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
        "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
        "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
    ];

    [Fact]
    public void Bicep_Lint_HasNoDiagnostics()
    {
        var (output, exitCode) = Bicep("lint");

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("Error", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_IsFlexConsumptionFC1()
    {
        var plan = Single("Microsoft.Web/serverfarms");

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]!["tier"]);
        Assert.True((bool)plan["properties"]!["reserved"]!);
    }

    [Fact]
    public void FunctionApp_IsDotnetIsolated10_HttpsOnly_Tls12_NoFtp_WithUserAssignedIdentity()
    {
        var app = Single("Microsoft.Web/sites");
        var properties = app["properties"]!;

        Assert.Equal("dotnet-isolated", (string?)properties["functionAppConfig"]!["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)properties["functionAppConfig"]!["runtime"]!["version"]);
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)properties["siteConfig"]!["ftpsState"]);
        Assert.Equal("UserAssigned", (string?)app["identity"]!["type"]);
        Assert.Contains("userAssignedIdentities", (string?)properties["keyVaultReferenceIdentity"], StringComparison.Ordinal);
        Assert.Equal("UserAssignedIdentity", (string?)properties["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!["type"]);
        var policies = All("Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Fact]
    public void Storage_HasSharedKeyAccessOffAndHttpsTls12()
    {
        var properties = Single("Microsoft.Storage/storageAccounts")["properties"]!;

        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
    }

    [Fact]
    public void Identity_HasBlobOwnerTableContributorAndKeyVaultSecretsUser_AndNoQueueRole()
    {
        // Role ids live in the module's `roles` variable; resolve those references to read the assignments as Azure will.
        var roles = Templates().Select(t => t["variables"]?["roles"]).OfType<JsonObject>().Single();
        var assignments = All("Microsoft.Authorization/roleAssignments")
            .Select(a => roles.Aggregate(a.ToJsonString(), (text, role) => text.Replace($"variables('roles').{role.Key}", (string)role.Value!, StringComparison.Ordinal).Replace($"variables(\\u0027roles\\u0027).{role.Key}", (string)role.Value!, StringComparison.Ordinal)))
            .ToList();

        Assert.All(RoleIds, role => Assert.Contains(assignments, a => a.Contains(role, StringComparison.Ordinal)));
        Assert.DoesNotContain(assignments, a => a.Contains("974c5e8b-45b9-4653-ba55-5f855dd0fb88", StringComparison.Ordinal)); // Queue Data Contributor
        Assert.All(assignments, a => Assert.Contains("userAssignedIdentities", a, StringComparison.Ordinal));
    }

    [Fact]
    public void KeyVault_UsesRbac()
    {
        Assert.True((bool)Single("Microsoft.KeyVault/vaults")["properties"]!["enableRbacAuthorization"]!);
    }

    [Fact]
    public void AppSettings_AreIdentityBased_SecretsAreKeyVaultReferences_AndNoSecretIsPlain()
    {
        var settings = Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => (string)s!["value"]!);

        Assert.Contains("managedidentity", settings["AzureWebJobsStorage__credential"], StringComparison.Ordinal);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // never a connection string
        Assert.Contains("primaryEndpoints.table", settings["Storage__TableServiceUri"], StringComparison.Ordinal);
        Assert.Contains("clientId", settings["Storage__ManagedIdentityClientId"], StringComparison.Ordinal);
        Assert.StartsWith("[format('@Microsoft.KeyVault(", settings["Entra__ClientSecret"], StringComparison.Ordinal);
        Assert.StartsWith("[format('@Microsoft.KeyVault(", settings["[format('Session__Keys__{0}', parameters('sessionKeyId'))]"], StringComparison.Ordinal);
        var previous = settings.Single(s => s.Key.Contains("previousSessionKeyId", StringComparison.Ordinal)).Value;
        Assert.StartsWith("[if(empty(parameters('previousSessionKeyId')), '', format('@Microsoft.KeyVault(", previous, StringComparison.Ordinal);
        Assert.DoesNotContain(settings, s => s.Value.Contains("parameters('entraClientSecret')", StringComparison.Ordinal) || s.Value.Contains("parameters('sessionKey')", StringComparison.Ordinal) || s.Value.Contains("listKeys", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Secrets_AreSecureParameters_AndNoOutputCarriesOne()
    {
        var parameters = Template.Value["parameters"]!;
        Assert.Equal("securestring", (string?)parameters["entraClientSecret"]!["type"]);
        Assert.Equal("securestring", (string?)parameters["sessionKey"]!["type"]);

        foreach (var outputs in Templates().Select(t => t["outputs"]).OfType<JsonObject>())
        {
            foreach (var (name, output) in outputs)
            {
                var text = output!.ToJsonString();
                Assert.False(text.Contains("secret", StringComparison.OrdinalIgnoreCase) || text.Contains("parameters('sessionKey')", StringComparison.Ordinal) || text.Contains("listKeys", StringComparison.OrdinalIgnoreCase), $"output {name} exposes a secret: {text}");
            }
        }
    }

    [Fact]
    public void SessionKey_IsAParameterWithoutADefault_SoARedeployNeverReplacesIt()
    {
        var parameter = Template.Value["parameters"]!["sessionKey"]!;

        Assert.Null(parameter["defaultValue"]);
        Assert.DoesNotContain("newGuid", Template.Value.ToJsonString(), StringComparison.Ordinal);
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${FUNCMAIL_SESSION_KEY}", (string?)parameters["sessionKey"]!["value"]);
    }

    [Fact]
    public void RedirectUri_IsTheAppsGetTokenUrl()
    {
        var settings = Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray();

        Assert.Contains("azurewebsites.net/api/GetToken", settings.Single(s => (string?)s!["name"] == "Entra__RedirectUri")!["value"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.NotNull(Template.Value["outputs"]!["FUNCMAIL_REDIRECT_URI"]);
        Assert.NotNull(Template.Value["outputs"]!["FUNCMAIL_POST_LOGOUT_REDIRECT_URI"]);
    }

    [Fact]
    public void ApplicationInsights_IsWorkspaceBasedWithEntraOnlyIngestion()
    {
        var insights = Single("Microsoft.Insights/components")["properties"]!;

        Assert.NotNull(insights["WorkspaceResourceId"]);
        Assert.True((bool)insights["DisableLocalAuth"]!);
        Assert.Single(All("Microsoft.OperationalInsights/workspaces"));
    }

    private static JsonObject Single(string type) => Assert.Single(All(type));

    private static List<JsonObject> All(string type) =>
        [.. Templates().SelectMany(t => t["resources"]!.AsArray()).OfType<JsonObject>().Where(r => (string?)r["type"] == type)];

    /// <summary>The root template and every nested module template.</summary>
    private static IEnumerable<JsonObject> Templates()
    {
        var pending = new Stack<JsonObject>([Template.Value]);
        while (pending.TryPop(out var template))
        {
            yield return template;
            foreach (var resource in template["resources"]!.AsArray().OfType<JsonObject>())
            {
                if (resource["properties"]?["template"] is JsonObject nested)
                {
                    pending.Push(nested);
                }
            }
        }
    }

    private static (string Output, int ExitCode) Bicep(string verb, params string[] more)
    {
        var cli = typeof(InfraTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepCli").Value!;
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"The Bicep CLI is missing at {cli}: run `dotnet restore FuncMail.sln` (FuncMail.Tests downloads Azure.Bicep.CommandLine.linux-x64).");
        }

        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "infra", "main.bicep"));
        foreach (var argument in more)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (output.Result + error, process.ExitCode);
    }
}

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
    public void FunctionApp_IsDotnetIsolated10_HttpsOnly_Tls12_NoBasicPublishing_WithUserAssignedIdentity()
    {
        var app = Single("Microsoft.Web/sites");
        var properties = app["properties"]!;

        Assert.Equal("dotnet-isolated", (string?)properties["functionAppConfig"]!["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)properties["functionAppConfig"]!["runtime"]!["version"]);
        Assert.True((bool)properties["httpsOnly"]!);
        Assert.Equal("1.2", (string?)properties["siteConfig"]!["minTlsVersion"]);
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

    /// <summary>
    /// Flex Consumption deprecates these site properties and app settings, and rejects the site when some appear (ARM
    /// error 51021, "The following site configuration properties (Site.SiteConfig.FtpsState, …) for Flex Consumption
    /// sites is invalid"). Source: learn.microsoft.com/azure/azure-functions/functions-app-settings, "Flex Consumption
    /// plan deprecations" (2025-12 revision); FunctionsRuntimeScaleMonitoringEnabled from the 51021 error quoted in
    /// Azure/azure-cli#31414. http20Enabled is not on the list, but no Flex sample sets it: the same kind of risk.
    /// </summary>
    private static readonly string[] FlexDeprecatedSiteProperties =
    [
        "alwaysOn", "containerSize", "dnsConfiguration", "ftpsState", "isReserved", "IsXenon", "javaVersion", "LinuxFxVersion",
        "netFrameworkVersion", "powerShellVersion", "functionAppScaleLimit", "preWarmedInstanceCount", "use32BitWorkerProcess",
        "vnetBackupRestoreEnabled", "vnetContentShareEnabled", "vnetImagePullEnabled", "vnetRouteAllEnabled", "windowsFxVersion",
        "functionsRuntimeScaleMonitoringEnabled", "http20Enabled",
    ];

    private static readonly string[] FlexDeprecatedAppSettings =
    [
        "ENABLE_ORYX_BUILD", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "FUNCTIONS_MAX_HTTP_CONCURRENCY", "FUNCTIONS_WORKER_PROCESS_COUNT", "FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED",
        "SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTOVERVNET", "WEBSITE_CONTENTSHARE",
        "WEBSITE_DNS_SERVER", "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "WEBSITE_NODE_DEFAULT_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_SKIP_CONTENTSHARE_VALIDATION", "WEBSITE_VNET_ROUTE_ALL",
    ];

    /// <summary>The module's parameters as main.bicep passes them by default, with canaries for the secrets.</summary>
    private static Dictionary<string, object?> Parameters(params (string Name, object? Value)[] changes)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["location"] = "westeurope",
            ["tags"] = new Dictionary<string, object?>(),
            ["resourceToken"] = "abc123",
            ["entraClientId"] = "11111111-2222-3333-4444-555555555555",
            ["entraTenantId"] = "organizations",
            ["entraClientCredential"] = "ManagedIdentity",
            ["entraClientSecret"] = "CANARY-CLIENT-SECRET",
            ["sessionKey"] = "CANARY-SESSION-KEY",
            ["sessionKeyId"] = "k1",
            ["previousSessionKeyId"] = "",
            ["alwaysReadyInstances"] = 0L,
            ["disableDotnetPlaceholder"] = false,
        };
        foreach (var (name, value) in changes)
        {
            parameters[name] = value;
        }

        return parameters;
    }

    /// <summary>The app settings a provision writes (one <c>sites/config</c> resource), evaluated for the given parameters.</summary>
    private static Dictionary<string, string> AppSettings(Dictionary<string, object?> parameters) =>
        ((Dictionary<string, object?>)Evaluate(Single("Microsoft.Web/sites/config")["properties"], parameters)!)
            .ToDictionary(s => s.Key, s => s.Value?.ToString() ?? "");

    private static object? Evaluate(JsonNode? node, Dictionary<string, object?> parameters) =>
        ArmExpression.Evaluate(node, parameters, Templates().Single(t => t["resources"]!.AsArray().Any(r => (string?)r!["type"] == "Microsoft.Web/sites"))["variables"]!.AsObject());

    [Fact]
    public void FunctionApp_HasNothingOnTheFlexDeprecationList_InAnyConfiguration()
    {
        var site = Single("Microsoft.Web/sites");
        var names = site.ToJsonString().Split('"').ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Equal([], FlexDeprecatedSiteProperties.Where(names.Contains));
        foreach (var parameters in new[] { Parameters(), Parameters(("entraClientCredential", "ClientSecret"), ("previousSessionKeyId", "k0"), ("disableDotnetPlaceholder", true), ("alwaysReadyInstances", 2L)) })
        {
            Assert.Equal([], FlexDeprecatedAppSettings.Intersect(AppSettings(parameters).Keys, StringComparer.OrdinalIgnoreCase));
        }

        Assert.Contains("'appsettings')", (string?)Single("Microsoft.Web/sites/config")["name"], StringComparison.Ordinal);
    }

    [Fact]
    public void AppSettings_WithTheManagedIdentity_HaveNoClientSecret_AndNoSecretIsWrittenAnywhere()
    {
        var settings = AppSettings(Parameters());

        Assert.Equal("ManagedIdentity", settings["Entra__ClientCredential"]);
        Assert.Contains("clientId", settings["Entra__ManagedIdentityClientId"], StringComparison.Ordinal);
        Assert.DoesNotContain("Entra__ClientSecret", settings.Keys);
        var clientSecret = All("Microsoft.KeyVault/vaults/secrets").Single(s => ((string)s["name"]!).Contains("entra-client-secret", StringComparison.Ordinal));
        Assert.Equal(false, Evaluate(clientSecret["condition"], Parameters()));
        Assert.Equal("organizations", settings["Entra__TenantId"]);
    }

    [Fact]
    public void AppSettings_WithAClientSecret_ReferToKeyVault_AndNoSecretIsPlain()
    {
        var parameters = Parameters(("entraClientCredential", "ClientSecret"));
        var settings = AppSettings(parameters);

        Assert.Equal("@Microsoft.KeyVault(VaultName=kv-fm-abc123;SecretName=entra-client-secret)", settings["Entra__ClientSecret"]);
        Assert.DoesNotContain("Entra__ManagedIdentityClientId", settings.Keys);
        Assert.Equal("@Microsoft.KeyVault(VaultName=kv-fm-abc123;SecretName=session-key-k1)", settings["Session__Keys__k1"]);
        Assert.Equal("k1", settings["Session__ActiveKeyId"]);
        Assert.DoesNotContain(settings, s => s.Value.Contains("CANARY", StringComparison.Ordinal) || s.Value.Contains("listKeys", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(true, Evaluate(All("Microsoft.KeyVault/vaults/secrets").Single(s => ((string)s["name"]!).Contains("entra-client-secret", StringComparison.Ordinal))["condition"], parameters));
    }

    [Fact]
    public void AppSettings_AreIdentityBased_WithTheHostsHomepageOff()
    {
        var settings = AppSettings(Parameters());

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // never a connection string
        Assert.Contains("primaryEndpoints.table", settings["Storage__TableServiceUri"], StringComparison.Ordinal);
        Assert.Contains("clientId", settings["Storage__ManagedIdentityClientId"], StringComparison.Ordinal);
        Assert.Equal("true", settings["AzureWebJobsDisableHomepage"]);
        Assert.DoesNotContain(settings, s => s.Value.Contains("CANARY", StringComparison.Ordinal));
    }

    [Fact]
    public void PreviousSessionKey_IsReadFromItsExistingSecret_SoAMissingOneFailsTheProvision_AndIsNeverWritten()
    {
        Assert.DoesNotContain(AppSettings(Parameters()).Keys, k => k.StartsWith("Session__Keys__", StringComparison.Ordinal) && k != "Session__Keys__k1");

        var previous = AppSettings(Parameters(("sessionKeyId", "k2"), ("previousSessionKeyId", "k1")))["Session__Keys__k1"];

        // reference() reads the secret at deployment: ARM fails with ResourceNotFound, naming it, if it does not exist.
        Assert.StartsWith("format('@Microsoft.KeyVault(SecretUri={0})', reference(resourceId('Microsoft.KeyVault/vaults/secrets'", previous, StringComparison.Ordinal);
        Assert.Contains("session-key-{0}', parameters('previousSessionKeyId')", previous, StringComparison.Ordinal);
        Assert.DoesNotContain(All("Microsoft.KeyVault/vaults/secrets"), s => s.ToJsonString().Contains("previousSessionKeyId", StringComparison.Ordinal));
    }

    [Fact]
    public void AlwaysReadyInstances_AndThePlaceholderWorkaround_AreParameters_SoAProvisionKeepsThem()
    {
        JsonNode? AlwaysReady() => Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["alwaysReady"];

        Assert.Empty((List<object?>)Evaluate(AlwaysReady(), Parameters())!);
        var ready = Assert.Single((List<object?>)Evaluate(AlwaysReady(), Parameters(("alwaysReadyInstances", 2L)))!);
        Assert.Equal(new Dictionary<string, object?> { ["name"] = "http", ["instanceCount"] = 2L }, ready);
        Assert.DoesNotContain("WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED", AppSettings(Parameters()).Keys);
        Assert.Equal("0", AppSettings(Parameters(("disableDotnetPlaceholder", true)))["WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED"]);

        var main = Template.Value["parameters"]!;
        Assert.Equal(0, (int)main["alwaysReadyInstances"]!["defaultValue"]!);
        Assert.False((bool)main["disableDotnetPlaceholder"]!["defaultValue"]!);
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${FUNCMAIL_ALWAYS_READY_INSTANCES=0}", (string?)file["alwaysReadyInstances"]!["value"]);
        Assert.Equal("${FUNCMAIL_DISABLE_DOTNET_PLACEHOLDER=false}", (string?)file["disableDotnetPlaceholder"]!["value"]);
    }

    [Fact]
    public void Location_OffersOnlyFlexRegions_AsAnAzdLocationPrompt()
    {
        var location = Template.Value["parameters"]!["location"]!;
        var allowed = location["allowedValues"]!.AsArray().Select(v => (string)v!).ToList();

        Assert.InRange(allowed.Count, 20, 40);
        Assert.Contains("westeurope", allowed);
        Assert.DoesNotContain("eastus2euap", allowed); // a canary region, not for ordinary subscriptions
        Assert.All(allowed, region => Assert.Matches("^[a-z0-9]+$", region));
        Assert.Equal("location", (string?)location["metadata"]!["azd"]!["type"]);
    }

    [Fact]
    public void TenantAndCredential_HaveNoSilentDefaults_ButManagedIdentity()
    {
        var parameters = Template.Value["parameters"]!;

        Assert.Null(parameters["entraTenantId"]!["defaultValue"]); // azd prompts, or --no-prompt fails naming it
        Assert.Equal("ManagedIdentity", (string?)parameters["entraClientCredential"]!["defaultValue"]);
        Assert.Equal(["ManagedIdentity", "ClientSecret"], parameters["entraClientCredential"]!["allowedValues"]!.AsArray().Select(v => (string)v!));
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${FUNCMAIL_ENTRA_TENANT_ID}", (string?)file["entraTenantId"]!["value"]);
    }

    [Fact]
    public void Secrets_AreSecureParameters_AndNoOutputCarriesOne()
    {
        var parameters = Template.Value["parameters"]!;
        Assert.Equal("securestring", (string?)parameters["entraClientSecret"]!["type"]);
        Assert.Equal("", (string?)parameters["entraClientSecret"]!["defaultValue"]);
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
    public void SessionKey_ComesOnlyFromTheAzdEnvironment_AndAnEmptyOneFailsTheDeployment()
    {
        var parameter = Template.Value["parameters"]!["sessionKey"]!;

        // Empty by default so that azd does not prompt before the preprovision hook has generated it.
        Assert.Equal("", (string?)parameter["defaultValue"]);
        Assert.DoesNotContain("newGuid", Template.Value.ToJsonString(), StringComparison.Ordinal);
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${FUNCMAIL_SESSION_KEY}", (string?)parameters["sessionKey"]!["value"]);

        var passed = Single("Microsoft.Resources/deployments")["properties"]!["parameters"]!;
        object? Passed(string name, params (string Name, object? Value)[] main) =>
            ((Dictionary<string, object?>)ArmExpression.Evaluate(passed[name], Parameters(main), Template.Value["variables"]?.AsObject() ?? [])!)["value"];

        Assert.Equal("CANARY", Passed("sessionKey", ("sessionKey", "CANARY")));
        Assert.Contains("FUNCMAIL_SESSION_KEY", Assert.IsType<ArmExpression.Failure>(Passed("sessionKey", ("sessionKey", ""))).Message, StringComparison.Ordinal);
        Assert.Equal("", Passed("entraClientSecret", ("sessionKey", "k"), ("entraClientSecret", "")));
        Assert.IsType<ArmExpression.Failure>(Passed("entraClientSecret", ("sessionKey", "k"), ("entraClientSecret", ""), ("entraClientCredential", "ClientSecret")));
    }

    [Fact]
    public void RedirectUri_AndHomeUrl_ComeFromTheSitesDefaultHostName_InSettingsAndOutputs()
    {
        const string HostName = "reference(resourceId('Microsoft.Web/sites', variables('appName')), '2024-04-01').defaultHostName";
        var settings = AppSettings(Parameters());
        var outputs = Templates().Single(t => t["resources"]!.AsArray().Any(r => (string?)r!["type"] == "Microsoft.Web/sites"))["outputs"]!;

        Assert.Contains(HostName, settings["Entra__RedirectUri"], StringComparison.Ordinal);
        Assert.StartsWith("format('{0}/api/GetToken', format('https://{0}', " + HostName, settings["Entra__RedirectUri"], StringComparison.Ordinal);
        Assert.Contains(HostName, outputs["redirectUri"]!["value"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains(HostName, outputs["homeUrl"]!["value"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("/api/Home", outputs["homeUrl"]!["value"]!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("azurewebsites.net", Single("Microsoft.Web/sites/config").ToJsonString(), StringComparison.Ordinal);
        foreach (var output in new[] { "FUNCMAIL_HOME_URL", "FUNCMAIL_REDIRECT_URI", "FUNCMAIL_POST_LOGOUT_REDIRECT_URI", "FUNCMAIL_FEDERATED_CREDENTIAL_ISSUER", "FUNCMAIL_FEDERATED_CREDENTIAL_SUBJECT", "FUNCMAIL_FEDERATED_CREDENTIAL_AUDIENCE" })
        {
            Assert.NotNull(Template.Value["outputs"]![output]);
        }

        Assert.Null(Template.Value["outputs"]!["SERVICE_API_URI"]);
    }

    [Fact]
    public void ApplicationInsights_IsWorkspaceBasedWithEntraOnlyIngestion()
    {
        var insights = Single("Microsoft.Insights/components")["properties"]!;

        Assert.NotNull(insights["WorkspaceResourceId"]);
        Assert.True((bool)insights["DisableLocalAuth"]!);
        Assert.Single(All("Microsoft.OperationalInsights/workspaces"));
    }

    [Fact]
    public void DeployIdentity_MayAssignExactlyTheRolesTheTemplateAssigns()
    {
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "scripts", "grant-deploy-identity.sh"));
        var granted = System.Text.RegularExpressions.Regex.Match(script, "roles=\"([^\"]+)\"").Groups[1].Value.Split(", ").Order();
        var assigned = Templates().Select(t => t["variables"]?["roles"]).OfType<JsonObject>().Single().Select(r => (string)r.Value!).Order();

        Assert.Equal(assigned, granted);
        Assert.DoesNotContain("Owner\"", script, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy.yml")]
    [InlineData("ci.yml")]
    public void Workflows_PinEveryActionByCommit_AndGiveSecretsOnlyToSteps(string workflow)
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".github", "workflows", workflow));

        Assert.All(lines.Where(l => l.TrimStart().StartsWith("- uses:", StringComparison.Ordinal) || l.TrimStart().StartsWith("uses:", StringComparison.Ordinal)),
            line => Assert.Matches(@"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d", line));

        // The job's env block (four spaces in, under the job) holds no secret: a secret is visible to every step it is given to.
        var jobEnv = lines.SkipWhile(l => l != "    env:").Skip(1).TakeWhile(l => l.StartsWith("      ", StringComparison.Ordinal));
        Assert.DoesNotContain(jobEnv, l => l.Contains("secrets.", StringComparison.Ordinal));
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
                if (resource["properties"] is JsonObject { } properties && properties["template"] is JsonObject nested)
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
            throw new InvalidOperationException($"The Bicep CLI is missing at {cli}: run `dotnet restore FuncMail.sln`, which downloads the Azure.Bicep.CommandLine package for this operating system and processor (FuncMail.Tests.csproj, BicepPackage).");
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

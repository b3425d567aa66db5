using FuncMail.Auth;
using FuncMail.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace FuncMail.Tests.Functions;

/// <summary>Start-up refuses missing or placeholder settings with a message that names the setting and the fix.</summary>
public sealed class SettingsValidationTests
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Entra:ClientId"] = "11111111-2222-3333-4444-555555555555",
        ["Entra:ClientSecret"] = "secret",
        ["Entra:RedirectUri"] = "https://funcmail.example/api/GetToken",
        ["Session:Keys:k1"] = Convert.ToBase64String(new byte[32]),
        ["Session:ActiveKeyId"] = "k1",
        ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
    };

    private static string? StartupError(Dictionary<string, string?> settings, string environment = "Production")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddFuncMail(configuration, new HostingEnvironment { EnvironmentName = environment });
        using var provider = services.BuildServiceProvider();
        try
        {
            foreach (var validate in new Action[]
            {
                () => _ = provider.GetRequiredService<IOptions<EntraOptions>>().Value,
                () => _ = provider.GetRequiredService<IOptions<SessionOptions>>().Value,
                () => _ = provider.GetRequiredService<IOptions<FuncMail.Storage.StorageOptions>>().Value,
                () => _ = provider.GetRequiredService<IOptions<FuncMail.Mail.GraphOptions>>().Value,
            })
            {
                validate();
            }

            return null;
        }
        catch (OptionsValidationException e)
        {
            return e.Message;
        }
    }

    private static Dictionary<string, string?> With(string key, string? value) => new(Valid) { [key] = value };

    [Fact]
    public void Startup_WithAllSettings_Passes() => Assert.Null(StartupError(Valid));

    [Theory]
    [InlineData("Entra:ClientId", null, "Entra:ClientId is missing")]
    [InlineData("Entra:ClientId", "<your-client-id>", "Entra:ClientId is missing")]
    [InlineData("Entra:ClientSecret", "", "Entra:ClientSecret is missing")]
    [InlineData("Entra:ClientSecret", "<your-client-secret>", "Entra:ClientSecret is missing")]
    [InlineData("Entra:TenantId", "contoso", "Entra:TenantId must be")]
    [InlineData("Entra:Instance", "http://login.microsoftonline.com/", "Entra:Instance must be")]
    [InlineData("Entra:RedirectUri", "https://example.com/elsewhere", "Entra:RedirectUri must be")]
    [InlineData("Entra:RedirectUri", "http://example.com/api/GetToken", "Entra:RedirectUri must be")]
    [InlineData("Session:ActiveKeyId", "k9", "Session:ActiveKeyId 'k9' names no key")]
    [InlineData("Session:Keys:k1", "c2hvcnQ=", "Session:Keys:k1 must be base64 of at least 32 random bytes")]
    [InlineData("Storage:ConnectionString", null, "Set exactly one of Storage:ConnectionString")]
    [InlineData("Storage:SessionsTable", "no-dashes", "Storage:SessionsTable must be")]
    [InlineData("Graph:BaseUrl", "http://graph.microsoft.com/v1.0", "Graph:BaseUrl must be an https URL")]
    [InlineData("Graph:PageSize", "15", "Graph:PageSize must be 10, 25 or 50")]
    public void Startup_WithBadSetting_FailsNamingItAndTheFix(string key, string? value, string expected) =>
        Assert.Contains(expected, StartupError(With(key, value)), StringComparison.Ordinal);

    [Fact]
    public void Startup_WithTheManagedIdentityCredential_NeedsTheIdentitysClientId_AndNoSecret()
    {
        var managed = new Dictionary<string, string?>(Valid) { ["Entra:ClientCredential"] = "ManagedIdentity", ["Entra:ClientSecret"] = null };

        Assert.Contains("Entra:ManagedIdentityClientId must be the client id (a GUID)", StartupError(managed), StringComparison.Ordinal);
        managed["Entra:ManagedIdentityClientId"] = Guid.NewGuid().ToString();
        Assert.Null(StartupError(managed));
        managed["Entra:ClientSecret"] = "left-over";
        Assert.Contains("Entra:ClientSecret is set, but Entra:ClientCredential is ManagedIdentity", StartupError(managed), StringComparison.Ordinal);
        Assert.Contains("Entra:ClientCredential must be ClientSecret or ManagedIdentity (got 'Certificate')", StartupError(With("Entra:ClientCredential", "Certificate")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://login.microsoftonline.com/", "api://AzureADTokenExchange")]
    [InlineData("https://login.microsoftonline.us/", "api://AzureADTokenExchangeUSGov")]
    [InlineData("https://login.chinacloudapi.cn/", "api://AzureADTokenExchangeChina")]
    public void ManagedIdentityAssertion_AsksForTheCloudsTokenExchangeAudience(string instance, string audience) =>
        Assert.Equal(audience, ManagedIdentityAssertion.TokenExchangeAudience(new Uri(instance)));

    [Theory]
    [InlineData("Entra:ClientSecret")]
    [InlineData("Session:Keys:k1")]
    public void Startup_WithAKeyVaultReferenceThatDidNotResolve_SaysSo(string key)
    {
        // What App Service passes on when it cannot read the secret: the reference text itself.
        var error = StartupError(With(key, "@Microsoft.KeyVault(VaultName=kv-fm-abc;SecretName=entra-client-secret)"));

        Assert.Contains($"{key}: a Key Vault reference did not resolve", error, StringComparison.Ordinal);
        Assert.Contains("Key Vault Secrets User", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Startup_WithSampleDevOnlyKeyOutsideDevelopment_Fails()
    {
        var settings = new Dictionary<string, string?>(Valid) { ["Session:Keys:dev-only-sample"] = Convert.ToBase64String(new byte[32]), ["Session:ActiveKeyId"] = "dev-only-sample" };

        Assert.Contains("dev-only key", StartupError(settings, "Production"), StringComparison.Ordinal);
        Assert.Null(StartupError(settings, Environments.Development));
    }

    [Fact]
    public void Startup_WithTheSampleKeyValueUnderAnotherIdOutsideDevelopment_Fails()
    {
        var settings = new Dictionary<string, string?>(Valid) { ["Session:Keys:prod"] = SessionOptions.SampleKeyValue, ["Session:ActiveKeyId"] = "prod" };

        Assert.Contains("dev-only key", StartupError(settings, "Production"), StringComparison.Ordinal);
        Assert.Null(StartupError(settings, Environments.Development));
    }

    [Fact]
    public void Startup_WithAnHttpRedirectUriOutsideDevelopment_Fails()
    {
        var settings = With("Entra:RedirectUri", "http://localhost:7071/api/GetToken");

        Assert.Contains("Entra:RedirectUri is http", StartupError(settings, "Production"), StringComparison.Ordinal);
        Assert.Null(StartupError(settings, Environments.Development));
    }

    [Fact]
    public void SampleSettings_AreCompleteForDevelopment()
    {
        var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Infrastructure.RepoPaths.Root, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => (string?)p.Value.GetString());
        values["Entra:ClientId"] = Valid["Entra:ClientId"];
        values["Entra:ClientSecret"] = "filled-in";

        Assert.Null(StartupError(values, Environments.Development));
        Assert.Contains("Entra:ClientId is missing", StartupError(With("Entra:ClientId", sample.RootElement.GetProperty("Values").GetProperty("Entra__ClientId").GetString())), StringComparison.Ordinal);
        Assert.Equal(SessionOptions.SampleKeyValue, values["Session:Keys:dev-only-sample"]);
    }
}

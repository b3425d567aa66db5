using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using FuncMail.Sessions;
using FuncMail.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace FuncMail.Tests.Storage;

/// <summary>How AddFuncMail configures Table access: a connection string locally, a managed identity in Azure. No Azure call is made.</summary>
public sealed class TableClientConfigurationTests
{
    private const string TableEndpoint = "https://funcmailstore.table.core.windows.net/";
    private const string IdentityClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    private static ServiceProvider Compose(Dictionary<string, string?> storage, Action<IServiceCollection>? swap = null)
    {
        var settings = new Dictionary<string, string?>(storage)
        {
            ["Entra:ClientId"] = FuncMailTestHost.ClientId,
            ["Entra:ClientSecret"] = "secret",
            ["Session:Keys:k1"] = FuncMailTestHost.SigningKey,
            ["Session:ActiveKeyId"] = "k1",
        };
        var services = new ServiceCollection();
        services.AddLogging();
        swap?.Invoke(services);
        services.AddFuncMail(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), new HostingEnvironment { EnvironmentName = "Production" });
        return services.BuildServiceProvider();
    }

    [Fact]
    public void TableServiceUri_ComposesAManagedIdentityCredential()
    {
        using var provider = Compose(new() { ["Storage:TableServiceUri"] = TableEndpoint, ["Storage:ManagedIdentityClientId"] = IdentityClientId });

        Assert.IsType<DefaultAzureCredential>(provider.GetRequiredService<TokenCredential>());
        Assert.Equal(new Uri(TableEndpoint), provider.GetRequiredService<TableServiceClient>().Uri);
    }

    [Fact]
    public void TableServiceUri_CredentialPicksTheAppsUserAssignedIdentity()
    {
        using var provider = Compose(new() { ["Storage:TableServiceUri"] = TableEndpoint, ["Storage:ManagedIdentityClientId"] = IdentityClientId });

        var storage = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<FuncMail.Storage.StorageOptions>>().Value;
        Assert.Equal(IdentityClientId, FuncMail.Storage.FuncMailTables.CredentialOptions(storage).ManagedIdentityClientId);
    }

    [Fact]
    public async Task TableServiceUri_SendsABearerTokenForStorageToTheEndpointAndNoSharedKey()
    {
        var credential = new RecordingCredential();
        var capture = new CapturePolicy();
        using var provider = Compose(
            new() { ["Storage:TableServiceUri"] = TableEndpoint, ["Storage:ManagedIdentityClientId"] = IdentityClientId },
            services =>
            {
                services.AddSingleton<TokenCredential>(credential);
                services.PostConfigure<TableClientOptions>(o => o.AddPolicy(capture, HttpPipelinePosition.BeforeTransport));
            });

        await provider.GetRequiredService<SessionStore>().GetAsync("some-session", CancellationToken.None);

        Assert.Equal("Bearer fake-token", capture.Authorization);
        Assert.StartsWith(TableEndpoint + "FuncMailSessions", capture.Uri, StringComparison.Ordinal);
        Assert.Contains("https://storage.azure.com/.default", credential.Scopes);
    }

    [Fact]
    public void ConnectionString_UsesSharedKeyAndNeverBuildsACredential()
    {
        var built = false;
        using var provider = Compose(
            new() { ["Storage:ConnectionString"] = "UseDevelopmentStorage=true" },
            services => services.AddSingleton<TokenCredential>(_ => { built = true; return new RecordingCredential(); }));

        var client = provider.GetRequiredService<TableServiceClient>();

        Assert.Equal("devstoreaccount1", client.AccountName);
        Assert.False(built);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", TableEndpoint, "exactly one")]
    [InlineData(null, null, "exactly one")]
    [InlineData(null, "http://funcmailstore.table.core.windows.net/", "must be an https URL")]
    [InlineData(null, "https://funcmailstore.table.core.windows.net/?sv=2024&sig=x", "must be an https URL")]
    public void StorageSettings_Invalid_FailAtStartupWithTheFix(string? connectionString, string? uri, string message)
    {
        using var provider = Compose(new() { ["Storage:ConnectionString"] = connectionString, ["Storage:TableServiceUri"] = uri });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<TableServiceClient>());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("fake-token", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>Records the request just before the transport and answers it with a 404, so nothing leaves the machine.</summary>
    private sealed class CapturePolicy : HttpPipelinePolicy
    {
        public string? Authorization { get; private set; }

        public string? Uri { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => Capture(message);

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Capture(message);
            return ValueTask.CompletedTask;
        }

        private void Capture(HttpMessage message)
        {
            Uri = message.Request.Uri.ToString();
            Authorization = message.Request.Headers.TryGetValue("Authorization", out var value) ? value : null;
            message.Response = TableFaults.NotFound();
        }
    }
}

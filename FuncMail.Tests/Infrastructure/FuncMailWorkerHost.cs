using System.Reflection;
using Azure.Data.Tables;
using FuncMail.Tests.Infrastructure.Worker;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// FuncMail as it runs in Azure: the real worker process, <c>dotnet FuncMail.dll</c> from FuncMail's own build output,
/// driven by <see cref="FunctionsHostEmulator"/>. Its calls to Microsoft go through <see cref="CloudProxy"/> to the
/// same Entra and Graph stubs the in-process tests use; its tables live in the run's Azurite. Nothing in the
/// worker is swapped: settings arrive as environment variables, as app settings do in Azure.
/// </summary>
public sealed class FuncMailWorkerHost : IFuncMailHost
{
    private readonly CloudProxy _proxy;

    private FuncMailWorkerHost(FunctionsHostEmulator emulator, CloudProxy proxy, ManagedIdentityEndpoint? identity, EntraStub entra, GraphStub graph, IReadOnlyDictionary<string, string?> settings, string connectionString)
    {
        Emulator = emulator;
        _proxy = proxy;
        ManagedIdentity = identity;
        Entra = entra;
        Graph = graph;
        Settings = settings;
        var peek = new TableServiceClient(connectionString);
        SessionsTable = peek.GetTableClient(settings["Storage:SessionsTable"]);
        SignInsTable = peek.GetTableClient(settings["Storage:SignInsTable"]);
    }

    /// <summary>FuncMail's own build output: the worker runs with FuncMail's package versions, not the test project's.</summary>
    public static string AppDirectory { get; } = Path.GetFullPath(
        typeof(FuncMailWorkerHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FuncMailOutput").Value!);

    public FunctionsHostEmulator Emulator { get; }

    public Uri BaseAddress => Emulator.FrontDoor;

    public EntraStub Entra { get; }

    /// <summary>The platform's identity endpoint, when the app proves itself with its managed identity rather than a secret.</summary>
    public ManagedIdentityEndpoint? ManagedIdentity { get; }

    public GraphStub Graph { get; }

    /// <summary>The settings the worker was started with, in configuration form (<c>Section:Key</c>).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    public TableClient SessionsTable { get; }

    public TableClient SignInsTable { get; }

    public IReadOnlyList<string> LogLines => Emulator.Logs.Select(l => l.ToString()).ToList();

    public string LogText => Emulator.LogText;

    /// <param name="settings">Changes to the settings, in configuration form (<c>Section:Key</c>); they reach the worker as environment variables.</param>
    /// <param name="sameAppAs">Another instance of the same app: this one shares its tables, keys, redirect URI and Microsoft stubs.</param>
    /// <param name="appDirectory">Another build of FuncMail (a publish output, for the cold-start measurements).</param>
    /// <param name="https">Serve the front door over https, as Azure does (the worker then sees X-Forwarded-Proto: https).</param>
    /// <param name="managedIdentity">
    /// Deploy as infra/ does: the app registration has no client secret and trusts the app's user-assigned managed
    /// identity as a federated credential; the worker finds the platform's identity endpoint through its environment.
    /// </param>
    public static async Task<FuncMailWorkerHost> StartAsync(
        AzuriteFixture azurite, Action<Dictionary<string, string?>>? settings = null, FuncMailWorkerHost? sameAppAs = null, string? appDirectory = null, bool https = false,
        bool managedIdentity = false)
    {
        var entra = sameAppAs?.Entra ?? new EntraStub(FuncMailTestHost.ClientId, managedIdentity ? null : FuncMailTestHost.ClientSecret);
        var identity = managedIdentity ? await ManagedIdentityEndpoint.StartAsync(entra) : null;
        if (identity is not null)
        {
            entra.FederatedCredentials.Add(identity.FederatedCredential);
        }

        var graph = sameAppAs?.Graph ?? new GraphStub(entra);
        var proxy = await CloudProxy.StartAsync(new Dictionary<string, HttpMessageHandler>
        {
            [EntraStub.Host] = entra,
            [new Uri(GraphStub.BaseUrl).Host] = graph,
        });

        var unique = Guid.NewGuid().ToString("N")[..12];
        Dictionary<string, string?> configuration = [];
        try
        {
            var emulator = await FunctionsHostEmulator.StartAsync(appDirectory ?? AppDirectory, frontDoor =>
            {
                configuration = new Dictionary<string, string?>
                {
                    // Over https the worker runs as in Azure; over http as on a developer's machine (an http redirect URI is refused elsewhere).
                    ["AZURE_FUNCTIONS_ENVIRONMENT"] = https ? "Production" : "Development",
                    ["Entra:ClientId"] = FuncMailTestHost.ClientId,
                    ["Entra:ClientSecret"] = FuncMailTestHost.ClientSecret,
                    ["Entra:RedirectUri"] = new Uri(frontDoor, "/api/GetToken").AbsoluteUri,
                    ["Session:Keys:k2"] = FuncMailTestHost.SigningKey,
                    ["Session:Keys:k1"] = FuncMailTestHost.OldSigningKey,
                    ["Session:ActiveKeyId"] = "k2",
                    ["Storage:ConnectionString"] = azurite.ConnectionString,
                    ["Storage:SessionsTable"] = "Sessions" + unique,
                    ["Storage:SignInsTable"] = "SignIns" + unique,

                    // Every https call of the worker goes to the proxy, which trusts nothing but the test CA's certificates.
                    ["HTTPS_PROXY"] = proxy.Address.AbsoluteUri,
                    ["SSL_CERT_FILE"] = TestCertificateAuthority.Instance.CertificateFile,
                    ["SSL_CERT_DIR"] = TestCertificateAuthority.Instance.EmptyDirectory,
                };
                if (identity is not null)
                {
                    configuration.Remove("Entra:ClientSecret");
                    configuration["Entra:ClientCredential"] = "ManagedIdentity";
                    configuration["Entra:ManagedIdentityClientId"] = identity.ClientId;
                    configuration["IDENTITY_ENDPOINT"] = identity.Endpoint.AbsoluteUri;
                    configuration["IDENTITY_HEADER"] = identity.Header;
                }

                if (sameAppAs is not null)
                {
                    foreach (var shared in new[] { "Entra:RedirectUri", "Storage:SessionsTable", "Storage:SignInsTable" })
                    {
                        configuration[shared] = sameAppAs.Settings[shared];
                    }
                }

                settings?.Invoke(configuration);
                return configuration.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
            }, https);
            return new FuncMailWorkerHost(emulator, proxy, identity, entra, graph, configuration, azurite.ConnectionString);
        }
        catch
        {
            await proxy.DisposeAsync();
            if (identity is not null)
            {
                await identity.DisposeAsync();
            }

            throw;
        }
    }

    public (HttpClient Client, CookieJar Jar) CreateBrowser() => HostParts.CreateBrowser(BaseAddress);

    public Task<List<TableEntity>> RowsAsync(TableClient table) => HostParts.RowsAsync(table);

    /// <summary>Nothing unexpected reached a stub, the proxy or the emulator, and no invocation failed.</summary>
    public void AssertNoUnexpectedCalls()
    {
        Assert.Empty(Entra.Unexpected);
        Assert.Empty(Graph.Unexpected);
        Assert.Empty(_proxy.Unexpected);
        Assert.Empty(ManagedIdentity?.Unexpected ?? []);
        Assert.Empty(Emulator.Unexpected);
        Assert.All(Emulator.Invocations, i => Assert.True(
            i.Status == Microsoft.Azure.WebJobs.Script.Grpc.Messages.StatusResult.Types.Status.Success && i.Forwarding == Yarp.ReverseProxy.Forwarder.ForwarderError.None,
            $"{i.FunctionName} failed ({i.Forwarding}): {i.Exception}"));
    }

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        await _proxy.DisposeAsync();
        if (ManagedIdentity is not null)
        {
            await ManagedIdentity.DisposeAsync();
        }
    }
}

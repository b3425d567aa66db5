using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FuncMail.Tests.Infrastructure.Worker;

/// <summary>
/// The local identity endpoint App Service and Azure Functions give a process with a managed identity: the worker
/// finds it through <c>IDENTITY_ENDPOINT</c> and <c>IDENTITY_HEADER</c>, as in Azure, and gets its token here; the
/// token itself comes from <see cref="EntraStub"/>, which later checks it as a client assertion.
/// </summary>
/// <remarks>
/// The protocol is the documented one (learn.microsoft.com/azure/app-service/overview-managed-identity, "REST endpoint
/// reference"): <c>GET {IDENTITY_ENDPOINT}?resource=…&amp;api-version=2019-08-01&amp;client_id=…</c> with the
/// <c>X-IDENTITY-HEADER</c> secret; the answer carries <c>access_token</c>, <c>expires_on</c> (Unix seconds, as a
/// string), <c>resource</c>, <c>token_type</c> and <c>client_id</c>. An unknown identity gets the platform's 400.
/// </remarks>
public sealed class ManagedIdentityEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EntraStub _entra;
    private int _tokenRequests;

    private ManagedIdentityEndpoint(WebApplication app, EntraStub entra)
    {
        _app = app;
        _entra = entra;
        Endpoint = new Uri(new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()), "/msi/token");
    }

    /// <summary>The value of <c>IDENTITY_ENDPOINT</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The value of <c>IDENTITY_HEADER</c>: a per-process secret that proves the caller runs in the app.</summary>
    public string Header { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The app's user-assigned identity.</summary>
    public string ClientId { get; } = Guid.NewGuid().ToString();

    public string PrincipalId { get; } = Guid.NewGuid().ToString();

    public string TenantId { get; } = Guid.NewGuid().ToString();

    /// <summary>How long the tokens it hands out live (24 hours for the token-exchange audience in Azure).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(24);

    public int TokenRequests => _tokenRequests;

    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>The federated credential that makes the app registration trust this identity.</summary>
    public (string Issuer, string Subject, string Audience) FederatedCredential =>
        ($"https://{EntraStub.Host}/{TenantId}/v2.0", PrincipalId, "api://AzureADTokenExchange");

    public static async Task<ManagedIdentityEndpoint> StartAsync(EntraStub entra)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        ManagedIdentityEndpoint? endpoint = null;
        app.Run(context => endpoint!.AnswerAsync(context));
        await app.StartAsync();
        endpoint = new ManagedIdentityEndpoint(app, entra);
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var query = request.Query;
        if (request.Method != HttpMethods.Get || request.Path != "/msi/token" || query["api-version"] != "2019-08-01" || request.Headers["X-IDENTITY-HEADER"] != Header)
        {
            Unexpected.Enqueue($"{request.Method} {request.Path}{request.QueryString} (header {(request.Headers.ContainsKey("X-IDENTITY-HEADER") ? "present" : "missing")})");
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        Interlocked.Increment(ref _tokenRequests);
        if (query["client_id"] != ClientId)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["statusCode"] = 400,
                ["message"] = "No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.",
            });
            return;
        }

        var resource = query["resource"].ToString();
        var (token, expiresOn) = _entra.IssueManagedIdentityToken(TenantId, PrincipalId, resource, TokenLifetime);
        await context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = expiresOn.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = ClientId,
        });
    }
}

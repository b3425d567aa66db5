using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace FuncMail.Tests.Infrastructure;

/// <summary>A message as the Graph stub serves it.</summary>
public sealed record StubMessage(string Subject, string FromName, string FromAddress, DateTimeOffset Received);

/// <summary>One request the Graph stub received, with what the tests assert on.</summary>
public sealed record GraphRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ClientRequestId);

/// <summary>
/// Microsoft Graph at its HTTP surface: serves the inbox in the recorded shape to a bearer token the Entra stub
/// issued, and records any request it was not built to answer.
/// </summary>
public sealed class GraphStub(EntraStub entra) : HttpMessageHandler
{
    public const string BaseUrl = "https://graph.microsoft.com/v1.0";
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _scripted = new();

    public List<StubMessage> Inbox { get; } =
    [
        new("Quarterly numbers", "Megan Bowen", "megan@contoso.example", new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero)),
        new("Lunch?", "Alex Wilber", "alex@contoso.example", new DateTimeOffset(2026, 11, 26, 12, 5, 0, TimeSpan.Zero)),
        new("", "Build Bot", "bot@contoso.example", new DateTimeOffset(2026, 11, 25, 18, 45, 0, TimeSpan.Zero)),
    ];

    public ConcurrentQueue<GraphRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>The next inbox requests get these responses instead, in order.</summary>
    public void Enqueue(Func<HttpResponseMessage> response) => _scripted.Enqueue(response);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        Requests.Enqueue(new GraphRequest(
            request.Method,
            uri,
            request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("client-request-id", out var ids) ? ids.Single() : null));

        if (!uri.AbsoluteUri.StartsWith(BaseUrl + "/me/mailFolders/inbox/messages?", StringComparison.Ordinal) || request.Method != HttpMethod.Get)
        {
            Unexpected.Enqueue($"{request.Method} {uri.GetLeftPart(UriPartial.Path)}");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotImplemented));
        }

        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: { } token } || !entra.IsValidAccessToken(token))
        {
            return Task.FromResult(Json(HttpStatusCode.Unauthorized, new JsonObject { ["error"] = new JsonObject { ["code"] = "InvalidAuthenticationToken", ["message"] = "Access token is empty or invalid." } }));
        }

        if (_scripted.TryDequeue(out var scripted))
        {
            return Task.FromResult(scripted());
        }

        var top = int.Parse(System.Web.HttpUtility.ParseQueryString(uri.Query)["$top"] ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        var value = new JsonArray();
        foreach (var message in Inbox.OrderByDescending(m => m.Received).Take(top))
        {
            value.Add(new JsonObject
            {
                ["@odata.etag"] = "W/\"CQAAABYAAAB\"",
                ["id"] = "AAMk" + Guid.NewGuid().ToString("N"),
                ["receivedDateTime"] = message.Received.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                ["subject"] = message.Subject,
                ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = message.FromName, ["address"] = message.FromAddress } },
            });
        }

        var response = Json(HttpStatusCode.OK, new JsonObject
        {
            ["@odata.context"] = BaseUrl + "/$metadata#users('me')/mailFolders('inbox')/messages(from,subject,receivedDateTime)",
            ["value"] = value,
        });
        response.Headers.Add("request-id", Guid.NewGuid().ToString());
        return Task.FromResult(response);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace FuncMail.Tests.Infrastructure;

/// <summary>A message as the Graph stub serves it.</summary>
public sealed record StubMessage(string Subject, string FromName, string FromAddress, DateTimeOffset Received)
{
    public string Preview { get; init; } = "Preview of " + Subject;

    public bool IsRead { get; init; } = true;

    public bool HasAttachments { get; init; }

    public string Importance { get; init; } = "normal";

    public string? WebLink { get; init; } = "https://outlook.office365.com/owa/?ItemID=AAMkAG%2Fexample&exvsurl=1&viewmodel=ReadMessageItem";
}

/// <summary>A folder as the Graph stub serves it; <see cref="Alias"/> is its well-known name, if any.</summary>
public sealed record StubFolder(string Id, string DisplayName, string? Alias)
{
    public List<StubMessage> Messages { get; } = [];
}

/// <summary>One request the Graph stub received, with what the tests assert on.</summary>
public sealed record GraphRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ClientRequestId);

/// <summary>
/// Microsoft Graph at its HTTP surface: mailbox settings, top-level folders, and messages by folder with $top,
/// $skip, $orderby and $search paging as Graph does it, in Graph's recorded JSON shape, only for bearer tokens the
/// Entra stub issued. Any other request is recorded as unexpected.
/// </summary>
public sealed class GraphStub(EntraStub entra) : HttpMessageHandler
{
    public const string BaseUrl = "https://graph.microsoft.com/v1.0";
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _scripted = new();

    public List<StubFolder> Folders { get; } =
    [
        new("AAMkInbox0001", "Inbox", "inbox")
        {
            Messages =
            {
                new("Quarterly numbers", "Megan Bowen", "megan@contoso.example", new DateTimeOffset(2026, 11, 27, 9, 30, 0, TimeSpan.Zero)) { IsRead = false, HasAttachments = true },
                new("Lunch?", "Alex Wilber", "alex@contoso.example", new DateTimeOffset(2026, 11, 26, 12, 5, 0, TimeSpan.Zero)) { Importance = "high" },
                new("", "Build Bot", "bot@contoso.example", new DateTimeOffset(2026, 11, 25, 18, 45, 0, TimeSpan.Zero)),
            },
        },
        new("AAMkSent0002", "Sent Items", "sentitems") { Messages = { new("Re: Lunch?", "Ada Lovelace", "ada@contoso.example", new DateTimeOffset(2026, 11, 26, 12, 10, 0, TimeSpan.Zero)) } },
        new("AAMkDrafts0003", "Drafts", "drafts"),
        new("AAMkArchive0004", "Archive", "archive"),
        new("AAMkDeleted0005", "Deleted Items", "deleteditems"),
        new("AAMkProjects0006", "Projects", null) { Messages = { new("Roadmap", "Megan Bowen", "megan@contoso.example", new DateTimeOffset(2026, 10, 1, 8, 0, 0, TimeSpan.Zero)) { IsRead = false } } },
    ];

    public List<StubMessage> Inbox => Folders[0].Messages;

    /// <summary>What /me/mailboxSettings answers; null answers 403 (no MailboxSettings.Read consent).</summary>
    public string? MailboxTimeZone { get; set; } = "W. Europe Standard Time";

    public ConcurrentQueue<GraphRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Graph's own request-id of every answer, in order.</summary>
    public ConcurrentQueue<string> ResponseRequestIds { get; } = new();

    public IEnumerable<GraphRequest> MessageRequests => Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/messages", StringComparison.Ordinal));

    /// <summary>The next message-list requests get these responses instead, in order.</summary>
    public void Enqueue(Func<HttpResponseMessage> response) => _scripted.Enqueue(response);

    public void ClearScripted() => _scripted.Clear();

    /// <summary>Adds the mailbox owner's username to every subject, so that a page shows whose token fetched it.</summary>
    public bool SubjectsNameTheOwner { get; set; }

    /// <summary>How long every answer takes (real time; the caller's cancellation ends the wait).</summary>
    public TimeSpan Latency { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        return Answer(request);
    }

    private HttpResponseMessage Answer(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        Requests.Enqueue(new GraphRequest(request.Method, uri, request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("client-request-id", out var ids) ? ids.Single() : null));

        if (request.Method != HttpMethod.Get || !uri.AbsoluteUri.StartsWith(BaseUrl + "/me/", StringComparison.Ordinal))
        {
            return Unexpectedly(request);
        }

        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: { } token } || !entra.IsValidAccessToken(token))
        {
            return Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty or invalid.");
        }

        var path = uri.AbsolutePath["/v1.0/me/".Length..].Split('/');
        var query = HttpUtility.ParseQueryString(uri.Query);
        var response = path switch
        {
            ["mailboxSettings"] => MailboxTimeZone is null
                ? Error(HttpStatusCode.Forbidden, "ErrorAccessDenied", "Access is denied.")
                : Json(HttpStatusCode.OK, new JsonObject { ["@odata.context"] = BaseUrl + "/$metadata#users('me')/mailboxSettings(timeZone)", ["timeZone"] = MailboxTimeZone }),
            ["mailFolders"] => Json(HttpStatusCode.OK, new JsonObject
            {
                ["value"] = new JsonArray([.. Folders.Select(f => (JsonNode)new JsonObject
                {
                    ["id"] = f.Id,
                    ["displayName"] = f.DisplayName,
                    ["unreadItemCount"] = f.Messages.Count(m => !m.IsRead),
                    ["totalItemCount"] = f.Messages.Count,
                })]),
            }),
            ["mailFolders", var folder, "messages"] => _scripted.TryDequeue(out var scripted) ? scripted() : Messages(folder, query, entra.UserOf(token)),
            _ => Unexpectedly(request),
        };
        var requestId = Guid.NewGuid().ToString();
        ResponseRequestIds.Enqueue(requestId);
        response.Headers.Add("request-id", requestId);
        return response;
    }

    private HttpResponseMessage Messages(string folderId, System.Collections.Specialized.NameValueCollection query, TestUser? owner)
    {
        var folder = Folders.FirstOrDefault(f => f.Id == folderId || f.Alias == folderId);
        if (folder is null)
        {
            return folderId.All(char.IsLetterOrDigit)
                ? Error(HttpStatusCode.NotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
                : Error(HttpStatusCode.BadRequest, "ErrorInvalidIdMalformed", "Id is malformed.");
        }

        var top = int.Parse(query["$top"] ?? "10", CultureInfo.InvariantCulture);
        var search = query["$search"]?.Trim('"');
        IEnumerable<StubMessage> messages = folder.Messages.OrderByDescending(m => m.Received);
        int skip;
        if (search is not null)
        {
            if (query["$orderby"] is not null || query["$skip"] is not null)
            {
                return Error(HttpStatusCode.BadRequest, "ErrorInvalidUrlQuery", "The query parameter '$orderBy' is invalid with $search.");
            }

            messages = messages.Where(m => $"{m.Subject} {m.Preview} {m.FromName}".Contains(search, StringComparison.OrdinalIgnoreCase));
            if (query["$skiptoken"] is { } token)
            {
                if (SkipOf(token) is not { } position)
                {
                    // Graph answers an unknown or altered skiptoken with 400.
                    return Error(HttpStatusCode.BadRequest, "ErrorInvalidUrlQuery", "The skip token is not valid.");
                }

                skip = position;
            }
            else
            {
                skip = 0;
            }
        }
        else
        {
            skip = int.Parse(query["$skip"] ?? "0", CultureInfo.InvariantCulture);
        }

        var all = messages.ToList();
        var page = all.Skip(skip).Take(top).ToList();
        var body = new JsonObject
        {
            ["@odata.context"] = BaseUrl + "/$metadata#users('me')/mailFolders('" + folder.Id + "')/messages",
            ["value"] = new JsonArray([.. page.Select(m => Message(SubjectsNameTheOwner ? m with { Subject = $"{m.Subject} (for {owner?.Username})" } : m))]),
        };
        if (skip + top < all.Count)
        {
            // Graph's own shapes: the folder as a key segment, the query options percent-encoded, and for search an
            // opaque $skiptoken (captured in oomol-lab/open-connector#372:
            // https://graph.microsoft.com/v1.0/me/mailFolders('AQMkA…')/messages?%24select=…&%24skiptoken=…).
            body["@odata.nextLink"] = search is null
                ? $"{BaseUrl}/me/mailFolders('{Uri.EscapeDataString(folder.Id)}')/messages?%24select={Uri.EscapeDataString(query["$select"] ?? "")}&%24orderby=receivedDateTime+desc&%24top={top}&%24skip={skip + top}"
                : $"{BaseUrl}/me/mailFolders('{Uri.EscapeDataString(folder.Id)}')/messages?%24select={Uri.EscapeDataString(query["$select"] ?? "")}&%24search=%22{Uri.EscapeDataString(search)}%22&%24top={top}&%24skiptoken={SkipTokenFor(skip + top)}";
        }

        return Json(HttpStatusCode.OK, body);
    }

    /// <summary>An opaque-looking token that carries the position, as Graph's do (their content is Graph's business).</summary>
    private static string SkipTokenFor(int position) =>
        "MSZZVlJCUVV" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("skip=" + position.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static int? SkipOf(string token)
    {
        try
        {
            var text = token.StartsWith("MSZZVlJCUVV", StringComparison.Ordinal)
                ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token["MSZZVlJCUVV".Length..].Replace('-', '+').Replace('_', '/'))))
                : "";
            return text.StartsWith("skip=", StringComparison.Ordinal) && int.TryParse(text[5..], CultureInfo.InvariantCulture, out var position) ? position : null;
        }
        catch (FormatException)
        {
            return null;
        }

        static string Pad(string b64) => b64 + new string('=', (4 - (b64.Length % 4)) % 4);
    }

    private static JsonNode Message(StubMessage message) => new JsonObject
    {
        ["@odata.etag"] = "W/\"CQAAABYAAAB\"",
        ["id"] = "AAMk" + Guid.NewGuid().ToString("N"),
        ["receivedDateTime"] = message.Received.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        ["hasAttachments"] = message.HasAttachments,
        ["subject"] = message.Subject,
        ["bodyPreview"] = message.Preview,
        ["importance"] = message.Importance,
        ["isRead"] = message.IsRead,
        ["webLink"] = message.WebLink,
        ["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = message.FromName, ["address"] = message.FromAddress } },
    };

    private HttpResponseMessage Unexpectedly(HttpRequestMessage request)
    {
        Unexpected.Enqueue($"{request.Method} {request.RequestUri}");
        return new HttpResponseMessage(HttpStatusCode.NotImplemented);
    }

    /// <summary>
    /// A continuous-access-evaluation challenge as Graph sends it when it revokes a token early, from Microsoft's
    /// "Claims challenges, claims requests, and client capabilities" page: 401 with
    /// WWW-Authenticate: Bearer … error="insufficient_claims", claims="&lt;base64 of {"access_token":{"nbf":…}}&gt;".
    /// </summary>
    public static HttpResponseMessage ClaimsChallenge(long notBefore)
    {
        var json = "{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"" + notBefore.ToString(CultureInfo.InvariantCulture) + "\"}}}";
        var claims = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        var response = Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenCreatedWithOutdatedPolicies");
        response.Headers.WwwAuthenticate.ParseAdd($"Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"{claims}\"");
        return response;
    }

    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message) =>
        Json(status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    public static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace FuncMail.Tests.Infrastructure;

/// <summary>A message as the Graph stub serves it. A null subject and a missing sender both happen in real mailboxes (drafts, system notices).</summary>
public sealed record StubMessage(string? Subject, string? FromName, string? FromAddress, DateTimeOffset Received)
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

    public string DisplayName { get; set; } = DisplayName;
}

/// <summary>One request the Graph stub received, with what the tests assert on.</summary>
public sealed record GraphRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ClientRequestId);

/// <summary>
/// Microsoft Graph at its HTTP surface, answering as Graph documents and is seen to answer:
/// <list type="bullet">
/// <item>mailbox settings; top-level folders, paged 10 at a time unless $top says otherwise, with an @odata.nextLink;
/// one folder by id or well-known name; a JSON $batch of up to 20 of these;</item>
/// <item>a folder's messages with $select (only the selected fields come back), $top, $skip and
/// $orderby=receivedDateTime desc; $search, which refuses $orderby and $skip and pages by an opaque $skiptoken in
/// nextLinks that name the folder as a key segment;</item>
/// <item>only for bearer tokens the Entra stub issued and that have not expired, else 401 with WWW-Authenticate;</item>
/// <item>at most 4 requests in flight per mailbox, else 429 ApplicationThrottled with Retry-After;</item>
/// <item>404 MailboxNotEnabledForRESTAPI for an account without an Exchange Online mailbox.</item>
/// </list>
/// Sources are cited beside each shape; FuncMail.Tests/Mail/Recorded/README.md lists them. Any other request is
/// recorded as unexpected.
/// </summary>
public sealed class GraphStub(EntraStub entra) : HttpMessageHandler
{
    public const string BaseUrl = "https://graph.microsoft.com/v1.0";

    /// <summary>Graph's limit of concurrent requests per app per mailbox (Microsoft Graph throttling limits, Outlook service).</summary>
    public const int MailboxConcurrency = 4;

    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _scripted = new();
    private readonly ConcurrentDictionary<string, int> _inFlight = new();

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

    /// <summary>False: the account has no Exchange Online mailbox (no licence, or on-premises), as Graph reports it.</summary>
    public bool HasMailbox { get; set; } = true;

    public ConcurrentQueue<GraphRequest> Requests { get; } = new();

    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Graph's own request-id of every answer, in order.</summary>
    public ConcurrentQueue<string> ResponseRequestIds { get; } = new();

    /// <summary>The most requests ever in flight at once for one mailbox.</summary>
    public int PeakConcurrency => _peak;

    private int _peak;

    /// <summary>How many requests were refused with 429 for going over <see cref="MailboxConcurrency"/>.</summary>
    public int Throttled => _throttled;

    private int _throttled;

    public IEnumerable<GraphRequest> MessageRequests => Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/messages", StringComparison.Ordinal));

    /// <summary>The next message-list requests get these responses instead, in order.</summary>
    public void Enqueue(Func<HttpResponseMessage> response) => _scripted.Enqueue(response);

    public void ClearScripted() => _scripted.Clear();

    /// <summary>Adds the mailbox owner's username to every subject, so that a page shows whose token fetched it.</summary>
    public bool SubjectsNameTheOwner { get; set; }

    /// <summary>How long every answer takes (real time; the caller's cancellation ends the wait).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The well-known folders' names in a mailbox set up in another language, as Exchange names them.</summary>
    public void Localize(string language)
    {
        string[] names = language switch
        {
            "de" => ["Posteingang", "Gesendete Elemente", "Entwürfe", "Archiv", "Gelöschte Elemente"],
            "ja" => ["受信トレイ", "送信済みアイテム", "下書き", "アーカイブ", "削除済みアイテム"],
            _ => ["Inbox", "Sent Items", "Drafts", "Archive", "Deleted Items"],
        };
        string[] aliases = ["inbox", "sentitems", "drafts", "archive", "deleteditems"];
        foreach (var (alias, name) in aliases.Zip(names))
        {
            Folders.Single(f => f.Alias == alias).DisplayName = name;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        Requests.Enqueue(new GraphRequest(request.Method, uri, request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("client-request-id", out var ids) ? ids.Single() : null));

        if (!uri.AbsoluteUri.StartsWith(BaseUrl + "/", StringComparison.Ordinal))
        {
            return Unexpectedly(request);
        }

        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: { } token } || !entra.IsValidAccessToken(token))
        {
            // As Graph answers an expired or foreign token: 401 with a Bearer challenge naming the authority.
            var unauthorized = Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
            unauthorized.Headers.WwwAuthenticate.ParseAdd("Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");
            return unauthorized;
        }

        // Graph's limit of 4 concurrent requests per app per mailbox: the fifth is throttled. A batch's parallel items
        // count too, from the moment it arrives.
        var mailbox = entra.UserOf(token)?.HomeAccountId ?? token;
        JsonArray? batch = null;
        var parallelItems = 0;
        if (request.Method == HttpMethod.Post && uri.AbsolutePath == "/v1.0/$batch")
        {
            batch = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!["requests"]!.AsArray();
            parallelItems = Math.Max(0, Math.Min(batch.Count(i => i!["dependsOn"] is null), MailboxConcurrency) - 1);
        }

        var inFlight = _inFlight.AddOrUpdate(mailbox, 1 + parallelItems, (_, n) => n + 1 + parallelItems);
        try
        {
            InterlockedMax(ref _peak, inFlight);
            if (inFlight - parallelItems > MailboxConcurrency)
            {
                Interlocked.Increment(ref _throttled);
                var throttled = Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
                throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
                return WithRequestId(throttled);
            }

            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, cancellationToken);
            }

            if (batch is not null)
            {
                return WithRequestId(await BatchAsync(batch, token, inFlight - MailboxConcurrency, cancellationToken));
            }

            return request.Method == HttpMethod.Get
                ? WithRequestId(Answer(uri.AbsolutePath["/v1.0".Length..], HttpUtility.ParseQueryString(uri.Query), token) ?? Unexpectedly(request))
                : Unexpectedly(request);
        }
        finally
        {
            _inFlight.AddOrUpdate(mailbox, 0, (_, n) => n - 1 - parallelItems);
        }
    }

    /// <summary>One GET, by path below /v1.0 and query; null for a request the stub was not built to answer.</summary>
    private HttpResponseMessage? Answer(string path, System.Collections.Specialized.NameValueCollection query, string token)
    {
        if (!path.StartsWith("/me/", StringComparison.Ordinal))
        {
            return null;
        }

        // An account without an Exchange Online mailbox, as Graph reports it for every mail call (404; seen in
        // microsoftgraph/microsoft-graph-docs#6305 and python-o365#438).
        if (!HasMailbox && !path.StartsWith("/me/mailboxSettings", StringComparison.Ordinal))
        {
            return Error(HttpStatusCode.NotFound, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
        }

        return path["/me/".Length..].Split('/') switch
        {
            ["mailboxSettings"] => !HasMailbox
                ? Error(HttpStatusCode.NotFound, "MailboxNotEnabledForRESTAPI", "REST API is not yet supported for this mailbox.")
                : MailboxTimeZone is null
                    ? Error(HttpStatusCode.Forbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
                    : Json(HttpStatusCode.OK, new JsonObject { ["@odata.context"] = BaseUrl + "/$metadata#users('me')/mailboxSettings(timeZone)", ["timeZone"] = MailboxTimeZone }),
            ["mailFolders"] => FolderList(query),
            ["mailFolders", var folder] => SingleFolder(folder, query),
            ["mailFolders", var folder, "messages"] => _scripted.TryDequeue(out var scripted) ? scripted() : Messages(folder, query, entra.UserOf(token)),
            _ => null,
        };
    }

    /// <summary>
    /// The root's child folders, 10 a page unless $top says otherwise (user-list-mailfolders: "If a collection exceeds
    /// the default page size (10 items), the @odata.nextLink property is returned").
    /// </summary>
    private HttpResponseMessage FolderList(System.Collections.Specialized.NameValueCollection query)
    {
        var top = Math.Clamp(int.Parse(query["$top"] ?? "10", CultureInfo.InvariantCulture), 1, 1000);
        var skip = int.Parse(query["$skip"] ?? "0", CultureInfo.InvariantCulture);
        var select = Selected(query);
        var body = new JsonObject
        {
            ["@odata.context"] = BaseUrl + "/$metadata#users('68ca8ec0-11f8-456b-a785-70d9936650d5')/mailFolders",
            ["value"] = new JsonArray([.. Folders.Skip(skip).Take(top).Select(f => Folder(f, select))]),
        };
        if (skip + top < Folders.Count)
        {
            body["@odata.nextLink"] = $"{BaseUrl}/me/mailFolders?%24select={Uri.EscapeDataString(query["$select"] ?? "")}&%24top={top}&%24skip={skip + top}";
        }

        return Json(HttpStatusCode.OK, body);
    }

    private HttpResponseMessage SingleFolder(string idOrAlias, System.Collections.Specialized.NameValueCollection query) =>
        Folders.FirstOrDefault(f => f.Id == idOrAlias || f.Alias == idOrAlias) is { } folder
            ? Json(HttpStatusCode.OK, Folder(folder, Selected(query)))
            : Error(HttpStatusCode.NotFound, "ErrorItemNotFound", "The specified object was not found in the store.");

    /// <summary>A folder in the documented shape (user-list-mailfolders example 1), only its selected properties.</summary>
    private static JsonNode Folder(StubFolder folder, HashSet<string>? select)
    {
        var all = new JsonObject
        {
            ["id"] = folder.Id,
            ["displayName"] = folder.DisplayName,
            ["parentFolderId"] = "AQMkADYAAAIBCAAAAA==",
            ["childFolderCount"] = 0,
            ["unreadItemCount"] = folder.Messages.Count(m => !m.IsRead),
            ["totalItemCount"] = folder.Messages.Count,
            ["isHidden"] = false,
        };
        return Only(all, select);
    }

    /// <summary>
    /// JSON batching (concepts/json-batching.md): POST /$batch with up to 20 requests, each answered in "responses"
    /// with its id, status, headers and body; the batch itself is 200 when it parses. Items without dependsOn run in
    /// parallel, up to four at a time, and each counts against the mailbox's concurrent requests ("Requests in a batch
    /// are evaluated individually against the applicable throttling limits"): those past the limit get 429.
    /// </summary>
    /// <param name="over">How far the mailbox was over its limit when the batch arrived, its parallel items counted.</param>
    private async Task<HttpResponseMessage> BatchAsync(JsonArray batch, string token, int over, CancellationToken cancellationToken)
    {
        if (batch.Count is 0 or > 20)
        {
            return Error(HttpStatusCode.BadRequest, "BadRequest", "Invalid batch payload format.");
        }

        var responses = new JsonArray();
        foreach (var item in batch)
        {
            var url = item!["url"]!.GetValue<string>();
            var question = url.IndexOf('?', StringComparison.Ordinal);
            var path = "/" + (question < 0 ? url : url[..question]).TrimStart('/');
            using var answer = item["dependsOn"] is null && over-- > 0
                ? Throttle()
                : item["method"]!.GetValue<string>() == "GET"
                    ? Answer(path, HttpUtility.ParseQueryString(question < 0 ? "" : url[question..]), token) ?? Unexpected(path)
                    : Unexpected(path);
            responses.Add(new JsonObject
            {
                ["id"] = item["id"]!.GetValue<string>(),
                ["status"] = (int)answer.StatusCode,
                ["headers"] = new JsonObject { ["Cache-Control"] = "no-cache", ["Content-Type"] = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8" },
                ["body"] = JsonNode.Parse(await answer.Content.ReadAsStringAsync(cancellationToken)),
            });
        }

        return Json(HttpStatusCode.OK, new JsonObject { ["responses"] = responses });

        HttpResponseMessage Throttle()
        {
            Interlocked.Increment(ref _throttled);
            return Error(HttpStatusCode.TooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
        }

        HttpResponseMessage Unexpected(string path)
        {
            this.Unexpected.Enqueue("batch: " + path);
            return Error(HttpStatusCode.NotImplemented, "NotImplemented", "Unexpected request to the Graph stub.");
        }
    }

    private static HashSet<string>? Selected(System.Collections.Specialized.NameValueCollection query) =>
        query["$select"] is { Length: > 0 } select ? select.Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase) : null;

    /// <summary>$select: the selected properties, and the id and etag Graph always adds.</summary>
    private static JsonObject Only(JsonObject all, HashSet<string>? select)
    {
        if (select is null)
        {
            return all;
        }

        foreach (var name in all.Select(p => p.Key).ToList())
        {
            if (name is not ("id" or "@odata.etag" or "@odata.type") && !select.Contains(name))
            {
                all.Remove(name);
            }
        }

        return all;
    }

    private HttpResponseMessage WithRequestId(HttpResponseMessage response)
    {
        var requestId = Guid.NewGuid().ToString();
        ResponseRequestIds.Enqueue(requestId);
        response.Headers.Add("request-id", requestId);
        return response;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
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

        var top = Math.Clamp(int.Parse(query["$top"] ?? "10", CultureInfo.InvariantCulture), 1, 1000);
        if (query["$orderby"] is { } order && order != "receivedDateTime desc")
        {
            return Error(HttpStatusCode.BadRequest, "ErrorInvalidUrlQuery", "The stub orders by receivedDateTime desc only.");
        }

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
            ["value"] = new JsonArray([.. page.Select(m => Message(SubjectsNameTheOwner ? m with { Subject = $"{m.Subject} (for {owner?.Username})" } : m, Selected(query)))]),
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

    /// <summary>A message in the documented shape (user-list-messages), only its selected properties; a missing sender has no "from".</summary>
    private static JsonNode Message(StubMessage message, HashSet<string>? select)
    {
        var all = new JsonObject
        {
            ["@odata.etag"] = "W/\"CQAAABYAAADHcgC8Hl9tRZ/hc1wEUs1TAAAwR4Hg\"",
            ["id"] = "AAMk" + Guid.NewGuid().ToString("N"),
            ["receivedDateTime"] = message.Received.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["hasAttachments"] = message.HasAttachments,
            ["subject"] = message.Subject,
            ["bodyPreview"] = message.Preview,
            ["importance"] = message.Importance,
            ["isRead"] = message.IsRead,
            ["webLink"] = message.WebLink,
        };
        if (message.FromName is not null || message.FromAddress is not null)
        {
            all["from"] = new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = message.FromName, ["address"] = message.FromAddress } };
        }

        return Only(all, select);
    }

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

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

    /// <summary>
    /// Graph's id: URL-safe base64 with padding, 152 characters as captured (microsoft-graph-docs#10167, #2095). Stable,
    /// so a link from the list finds the message again.
    /// </summary>
    public string Id { get; init; } = StubIds.Message();

    public IReadOnlyList<(string Name, string Address)> To { get; init; } = [("Ada Lovelace", "ada@contoso.example")];

    public IReadOnlyList<(string Name, string Address)> Cc { get; init; } = [];

    public bool IsDraft { get; init; }

    /// <summary>The stored body: "html" or "text", as Exchange keeps it.</summary>
    public (string ContentType, string Content) Body { get; init; } = ("html", "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n<meta content=\"text/html; charset=us-ascii\">\r\n</head>\r\n<body>\r\n<p>The body of the message.</p>\r\n</body>\r\n</html>\r\n");

    /// <summary>A Graph that ignores Prefer: outlook.body-content-type and returns the stored text as text (FuncMail must still render it).</summary>
    public bool IgnoresBodyPreference { get; init; }

    public List<StubAttachment> Attachments { get; init; } = [];
}

/// <summary>
/// An attachment as Graph describes it (attachment-get.md, Examples 1, 2 and 4): a file with bytes, an item (a
/// message, event or contact: <c>contentType</c> null, MIME as its $value) or a reference (a link; its $value is 405).
/// </summary>
public sealed record StubAttachment(string Kind, string? Name, string? ContentType, byte[] Bytes)
{
    public string Id { get; init; } = StubIds.Attachment();

    public bool IsInline { get; init; }

    public string? ContentId { get; init; }

    /// <summary>The size Graph reports, when it should differ from the bytes served (a 30 MB file without 30 MB in memory).</summary>
    public long? Size { get; init; }

    /// <summary>$value's connection breaks before any byte arrives.</summary>
    public bool FailBeforeFirstByte { get; init; }

    /// <summary>The metadata has no size (the property is left out).</summary>
    public bool SizeUnknown { get; init; }

    /// <summary>When set, $value sends the first chunk and then waits for this before the rest: a test can prove streaming.</summary>
    public TaskCompletionSource? HoldAfterFirstChunk { get; init; }

    public static StubAttachment File(string name, string contentType, byte[] bytes) => new("file", name, contentType, bytes);

    /// <summary>A 40×40 PNG's header and a 1×1 red pixel's data: enough for the magic-byte check and for Chromium to draw it.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");
}

/// <summary>Ids in Graph's shape: "AAMk" then URL-safe base64 of stable random bytes, with = padding.</summary>
public static class StubIds
{
    private static int _next;

    public static string Message() => "AAMkAGI2TG93AAA" + Base64(Interlocked.Increment(ref _next), 105) + "AAA=";

    public static string Attachment() => Message()[..^1] + "BEgAQA" + Base64(Interlocked.Increment(ref _next), 22) + "=";

    private static string Base64(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=')[..length];
    }
}

/// <summary>A folder as the Graph stub serves it; <see cref="Alias"/> is its well-known name, if any.</summary>
public sealed record StubFolder(string Id, string DisplayName, string? Alias)
{
    public List<StubMessage> Messages { get; } = [];

    public string DisplayName { get; set; } = DisplayName;
}

/// <summary>One request the Graph stub received, with what the tests assert on.</summary>
public sealed record GraphRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ClientRequestId)
{
    /// <summary>The request's Prefer header values, joined.</summary>
    public string? Prefer { get; init; }
}

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
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _scriptedItems = new();
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

    /// <summary>The next requests for one message or its attachments (/me/messages/…) get these responses instead, in order.</summary>
    public void EnqueueItem(Func<HttpResponseMessage> response) => _scriptedItems.Enqueue(response);

    /// <summary>Requests for one message or its attachments.</summary>
    public IEnumerable<GraphRequest> ItemRequests => Requests.Where(r => r.Uri.AbsolutePath.StartsWith("/v1.0/me/messages/", StringComparison.Ordinal));

    /// <summary>The message with this id, in whichever folder it is.</summary>
    public StubMessage MessageById(string id) => Folders.SelectMany(f => f.Messages).Single(m => m.Id == id);

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
            request.Headers.TryGetValues("client-request-id", out var ids) ? ids.Single() : null)
        {
            Prefer = request.Headers.TryGetValues("Prefer", out var prefers) ? string.Join(", ", prefers) : null,
        });

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
                ? WithRequestId(Answer(uri.AbsolutePath["/v1.0".Length..], HttpUtility.ParseQueryString(uri.Query), token, request.Headers.TryGetValues("Prefer", out var prefer) ? string.Join(", ", prefer) : null) ?? Unexpectedly(request))
                : Unexpectedly(request);
        }
        finally
        {
            _inFlight.AddOrUpdate(mailbox, 0, (_, n) => n - 1 - parallelItems);
        }
    }

    /// <summary>One GET, by path below /v1.0 and query; null for a request the stub was not built to answer.</summary>
    private HttpResponseMessage? Answer(string path, System.Collections.Specialized.NameValueCollection query, string token, string? prefer = null)
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
            ["messages", ..] when _scriptedItems.TryDequeue(out var item) => item(),
            ["messages", var id] => OneMessage(Uri.UnescapeDataString(id), query, prefer),
            ["messages", var id, "attachments", var attachment] => OneAttachment(Uri.UnescapeDataString(id), Uri.UnescapeDataString(attachment), query),
            ["messages", var id, "attachments", var attachment, "$value"] => AttachmentValue(Uri.UnescapeDataString(id), Uri.UnescapeDataString(attachment)),
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
            ["id"] = message.Id,
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

    /// <summary>
    /// GET /me/messages/{id} (message-get.md): $select, $expand=attachments($select=…) and Prefer:
    /// outlook.body-content-type, confirmed by Preference-Applied. A stored text body asked for as HTML comes back
    /// converted, as the doc says a body without the header does ("returned in HTML format").
    /// </summary>
    private HttpResponseMessage OneMessage(string id, System.Collections.Specialized.NameValueCollection query, string? prefer)
    {
        if (FindMessage(id) is not { } message)
        {
            return MessageNotFound(id);
        }

        var expand = query["$expand"];
        HashSet<string>? attachmentSelect = null;
        if (expand is not null)
        {
            // $expand=attachments($select=a,b): a nested $select (msgraph-sdk-dotnet-core#437). An unqualified contentId fails the
            // whole request (microsoft-graph-explorer-v4#3916, the message as captured there).
            var match = System.Text.RegularExpressions.Regex.Match(expand, @"^attachments(\(\$select=([^)]*)\))?$");
            if (!match.Success)
            {
                return Error(HttpStatusCode.BadRequest, "BadRequest", "The stub expands attachments only.");
            }

            attachmentSelect = match.Groups[2].Success ? match.Groups[2].Value.Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
            if (attachmentSelect?.Contains("contentId") == true)
            {
                return Error(HttpStatusCode.BadRequest, "RequestBroker--ParseUri", "Could not find a property named 'contentId' on type 'microsoft.graph.attachment'.");
            }
        }

        var wantsHtml = prefer?.Contains("outlook.body-content-type=\"html\"", StringComparison.Ordinal) == true;
        var wantsText = prefer?.Contains("outlook.body-content-type=\"text\"", StringComparison.Ordinal) == true;
        var (type, content) = message.Body;
        if (!message.IgnoresBodyPreference && type == "text" && !wantsText)
        {
            // As Exchange converts a plain-text body to HTML (a PlainText div with <br> line breaks).
            (type, content) = ("html", "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><div class=\"PlainText\">" + WebUtility.HtmlEncode(content).Replace("\r\n", "<br>\r\n", StringComparison.Ordinal) + "</div></body></html>");
        }

        var all = (JsonObject)Message(message, null);
        all["id"] = message.Id;
        all["isDraft"] = message.IsDraft;
        all["hasAttachments"] = message.Attachments.Any(a => !a.IsInline);
        all["toRecipients"] = Recipients(message.To);
        all["ccRecipients"] = Recipients(message.Cc);
        all["body"] = new JsonObject { ["contentType"] = type, ["content"] = content };
        var select = Selected(query);
        select?.Add("attachments");
        var body = Only(all, select);
        if (expand is not null)
        {
            body["attachments"] = new JsonArray([.. message.Attachments.Select(a => Only(Attachment(a, attachmentSelect), attachmentSelect))]);
        }

        var response = Json(HttpStatusCode.OK, body);
        if (wantsHtml && !message.IgnoresBodyPreference)
        {
            response.Headers.TryAddWithoutValidation("Preference-Applied", "outlook.body-content-type=\"html\"");
        }

        return response;
    }

    private HttpResponseMessage OneAttachment(string messageId, string attachmentId, System.Collections.Specialized.NameValueCollection query)
    {
        if (FindMessage(messageId) is not { } message)
        {
            return MessageNotFound(messageId);
        }

        return message.Attachments.FirstOrDefault(a => a.Id == attachmentId) is { } attachment
            ? Json(HttpStatusCode.OK, Only(Attachment(attachment, Selected(query)), Selected(query)))
            : Error(HttpStatusCode.NotFound, "ErrorItemNotFound", "The specified object was not found in the store.");
    }

    /// <summary>
    /// /attachments/{id}/$value (attachment-get.md, "Get the raw contents of a file or item attachment"): a file's bytes
    /// with its content type, chunked and without Content-Length; an item's MIME; a reference's 405.
    /// </summary>
    private HttpResponseMessage AttachmentValue(string messageId, string attachmentId)
    {
        if (FindMessage(messageId)?.Attachments.FirstOrDefault(a => a.Id == attachmentId) is not { } attachment)
        {
            return Error(HttpStatusCode.NotFound, "ErrorItemNotFound", "The specified object was not found in the store.");
        }

        return attachment.Kind switch
        {
            "reference" => Error(HttpStatusCode.MethodNotAllowed, "ErrorInvalidRequest", "The OData request is not supported."),
            "item" => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("From: Megan Bowen <megan@contoso.example>\r\nSubject: Attached message\r\nMIME-Version: 1.0\r\n\r\nBody", Encoding.UTF8, "message/rfc822") },
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = ChunkedContent(attachment) },
        };
    }

    private StubMessage? FindMessage(string id) => Folders.SelectMany(f => f.Messages).FirstOrDefault(m => m.Id == id);

    /// <summary>A deleted or moved message (microsoft/MHA#77, as captured); a malformed id (ErrorInvalidIdMalformed, as for folders).</summary>
    private static HttpResponseMessage MessageNotFound(string id) =>
        id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '/' or '=')
            ? Error(HttpStatusCode.NotFound, "ErrorItemNotFound", "The specified object was not found in the store., The process failed to get the correct properties.")
            : Error(HttpStatusCode.BadRequest, "ErrorInvalidIdMalformed", "Id is malformed.");

    private static JsonArray Recipients(IEnumerable<(string Name, string Address)> people) =>
        new([.. people.Select(p => (JsonNode)new JsonObject { ["emailAddress"] = new JsonObject { ["name"] = p.Name, ["address"] = p.Address } })]);

    /// <summary>An attachment in attachment-get.md's shapes; a file's contentId only when selected by its type cast.</summary>
    private static JsonObject Attachment(StubAttachment a, HashSet<string>? select)
    {
        var json = new JsonObject
        {
            ["@odata.type"] = a.Kind switch { "item" => "#microsoft.graph.itemAttachment", "reference" => "#microsoft.graph.referenceAttachment", _ => "#microsoft.graph.fileAttachment" },
            ["id"] = a.Id,
            ["lastModifiedDateTime"] = "2026-11-27T09:30:00Z",
            ["name"] = a.Name,
            ["contentType"] = a.Kind == "item" ? null : a.ContentType,
            ["size"] = a.SizeUnknown ? null : a.Size ?? a.Bytes.Length,
            ["isInline"] = a.IsInline,
        };
        if (a.Kind == "file")
        {
            json["contentId"] = a.ContentId;
            json["contentLocation"] = null;
            json["contentBytes"] = Convert.ToBase64String(a.Bytes);
            if (select?.Contains("microsoft.graph.fileAttachment/contentId") == true)
            {
                select.Add("contentId");
            }
        }

        return json;
    }

    /// <summary>
    /// A file's bytes, written into a pipe in 16 KB chunks as the reader takes them, without a Content-Length (a stream,
    /// not a buffer: HttpClient would read a computed content whole), optionally pausing after the first chunk.
    /// </summary>
    private static StreamContent ChunkedContent(StubAttachment attachment)
    {
        var pipe = new System.IO.Pipelines.Pipe();
        _ = Task.Run(async () =>
        {
            try
            {
                if (attachment.FailBeforeFirstByte)
                {
                    throw new IOException("The connection was reset (stub).");
                }

                var bytes = attachment.Bytes;
                for (var offset = 0; offset < bytes.Length; offset += 16 * 1024)
                {
                    await pipe.Writer.WriteAsync(bytes.AsMemory(offset, Math.Min(16 * 1024, bytes.Length - offset)));
                    if (offset == 0 && attachment.HoldAfterFirstChunk is { } hold)
                    {
                        await hold.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    }
                }

                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
            }
        });
        var content = new StreamContent(pipe.Reader.AsStream());
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(attachment.ContentType ?? "application/octet-stream");
        return content;
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

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace FuncMail.Mail;

/// <summary>
/// A typed HttpClient for the few Graph calls FuncMail makes. The Graph SDK would add megabytes to a cold start
/// for three GETs, so this stays hand-written, with source-generated JSON. Retries live in the resilience handler
/// registered in AddFuncMail.
/// </summary>
public sealed partial class GraphMailClient(HttpClient http, ILogger<GraphMailClient> logger)
{
    /// <summary>Only the fields the page shows (least data; Mail.Read covers bodyPreview).</summary>
    internal const string MessageSelect = "$select=from,subject,receivedDateTime,bodyPreview,isRead,hasAttachments,importance,webLink";

    /// <summary>A page of messages: newest first by $skip, or search results paging by Graph's $skiptoken.</summary>
    public Task<GraphMessagePage> GetMessagesAsync(string accessToken, MessageQuery query, Guid correlationId, CancellationToken cancellationToken)
    {
        var folder = Uri.EscapeDataString(query.Folder);
        var target = new Uri(
            query.IsSearch
                // Graph allows no $orderby or $skip with $search, and pages it by $skiptoken; quotes inside the phrase are escaped for KQL.
                ? $"me/mailFolders/{folder}/messages?{MessageSelect}&$top={query.PageSize}&$search={Uri.EscapeDataString("\"" + query.Search!.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"")}"
                    + (query.Next is null ? "" : "&$skiptoken=" + Uri.EscapeDataString(query.Next))
                : $"me/mailFolders/{folder}/messages?{MessageSelect}&$top={query.PageSize}&$skip={query.Offset}&$orderby=receivedDateTime%20desc",
            UriKind.Relative);

        return GetAsync(target, accessToken, correlationId, GraphJsonContext.Default.GraphMessagePage, cancellationToken);
    }

    /// <summary>Pages of folders one folder list follows at most: 2,500 top-level folders.</summary>
    public const int MaxFolderPages = 10;

    /// <summary>The well-known folders, by the names Graph knows them by in every mailbox and language.</summary>
    public static readonly string[] WellKnownFolders = ["inbox", "sentitems", "drafts", "archive", "deleteditems"];

    /// <summary>
    /// The user's top-level folders with their unread counts, for the folder picker: every page of them, following
    /// Graph's nextLink (only in the form Graph writes for this list, GraphNextLink) up to <see cref="MaxFolderPages"/>.
    /// </summary>
    public async Task<GraphFolderList> GetFoldersAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken)
    {
        var folders = new List<GraphFolder>();
        var target = new Uri("me/mailFolders?$select=id,displayName,unreadItemCount,totalItemCount&$top=250", UriKind.Relative);
        for (var page = 1; ; page++)
        {
            var result = await GetAsync(target, accessToken, correlationId, GraphJsonContext.Default.GraphFolderPage, cancellationToken);
            folders.AddRange(result.Value ?? []);
            if (result.NextLink is null)
            {
                return new GraphFolderList(folders, Truncated: false);
            }

            if (GraphNextLink.FolderListPage(result.NextLink, http.BaseAddress!) is not { } next)
            {
                // Not a form FuncMail follows: the picker says it shows only part of the list.
                MailLog.ContinuationRejected(logger);
                return new GraphFolderList(folders, Truncated: true);
            }

            if (page == MaxFolderPages)
            {
                return new GraphFolderList(folders, Truncated: true);
            }

            target = next;
        }
    }

    /// <summary>
    /// The ids of the well-known folders in this mailbox, in one JSON batch. The folder list gives names only, and those
    /// are in the mailbox's language ("Posteingang"), so the ids are what tells the picker which folder is which.
    /// A folder the mailbox does not have (404, no Archive say) is left out; any other failure of an item makes the
    /// whole answer unknown (null), rather than a folder missing for the whole session.
    /// </summary>
    /// <remarks>
    /// The items depend on each other in a chain: Graph runs a batch's independent items in parallel, and each counts
    /// against the mailbox's four concurrent requests, beside the time-zone call made at the same moment.
    /// </remarks>
    public async Task<Dictionary<string, string>?> GetWellKnownFolderIdsAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken)
    {
        var batch = new GraphBatchRequest([.. WellKnownFolders.Select((alias, i) =>
            new GraphBatchItem(alias, "GET", $"/me/mailFolders/{alias}?$select=id", i == 0 ? null : [WellKnownFolders[i - 1]]))]);
        using var request = NewRequest(HttpMethod.Post, new Uri("$batch", UriKind.Relative), accessToken, correlationId);
        request.Content = JsonContent.Create(batch, GraphJsonContext.Default.GraphBatchRequest);
        var answer = await SendAsync(request, GraphJsonContext.Default.GraphBatchResponse, correlationId, cancellationToken);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in answer.Responses ?? [])
        {
            if (item.Id is not { } alias || !WellKnownFolders.Contains(alias))
            {
                continue;
            }

            if (item.Status == 200 && item.Body?.Id is { Length: > 0 } id)
            {
                ids.TryAdd(alias, id);
            }
            else if (item.Status != 404)
            {
                return null;
            }
        }

        return ids;
    }

    /// <summary>The mailbox's time zone (Graph's timestamps are UTC, and Prefer: outlook.timezone does not apply to messages).</summary>
    public async Task<string?> GetMailboxTimeZoneAsync(string accessToken, Guid correlationId, CancellationToken cancellationToken) =>
        (await GetAsync(new Uri("me/mailboxSettings?$select=timeZone", UriKind.Relative), accessToken, correlationId, GraphJsonContext.Default.GraphMailboxSettings, cancellationToken)).TimeZone;

    /// <summary>
    /// What a message's page and its body frame read, in one call: the header fields, the body, and the attachments'
    /// metadata. contentId exists only on file attachments, so it is named by type cast; unqualified, Graph refuses the
    /// whole request (400, "Could not find a property named 'contentId' on type 'microsoft.graph.attachment'",
    /// microsoft-graph-explorer-v4#3916). The nested $select keeps each file's contentBytes out (msgraph-sdk-dotnet-core#437).
    /// </summary>
    internal const string MessageFields =
        "$select=subject,from,toRecipients,ccRecipients,receivedDateTime,importance,hasAttachments,isDraft,webLink,body" +
        "&$expand=attachments($select=id,name,contentType,size,isInline,microsoft.graph.fileAttachment/contentId)";

    /// <summary>The same without the body: for the rare message whose body is past <see cref="MaxBodyJsonBytes"/>.</summary>
    internal const string HeaderFields =
        "$select=subject,from,toRecipients,ccRecipients,receivedDateTime,importance,hasAttachments,isDraft,webLink" +
        "&$expand=attachments($select=id,name,contentType,size,isInline)";

    /// <summary>
    /// Graph's JSON for one message, read at most (4 MB). Graph documents no cap on a body; past this FuncMail says the
    /// body is too large to show rather than read on (docs/design-message-reading.md, §3.5).
    /// </summary>
    public const int MaxBodyJsonBytes = 4 * 1024 * 1024;

    /// <summary>One message with its body, as HTML where Graph can give it; null when Graph's answer is larger than <see cref="MaxBodyJsonBytes"/>.</summary>
    public async Task<GraphMessageDetail?> GetMessageAsync(string accessToken, string messageId, Guid correlationId, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, new Uri($"me/messages/{Uri.EscapeDataString(messageId)}?{MessageFields}", UriKind.Relative), accessToken, correlationId);
        request.Headers.TryAddWithoutValidation("Prefer", "outlook.body-content-type=\"html\"");
        using var response = await SendCheckedAsync(request, correlationId, cancellationToken);
        var json = await ReadBoundedAsync(response, MaxBodyJsonBytes, cancellationToken);
        return json is null ? null : Parse(json, GraphJsonContext.Default.GraphMessageDetail);
    }

    /// <summary>One message's header fields and attachment list, without its body.</summary>
    public Task<GraphMessageDetail> GetMessageHeaderAsync(string accessToken, string messageId, Guid correlationId, CancellationToken cancellationToken) =>
        GetAsync(new Uri($"me/messages/{Uri.EscapeDataString(messageId)}?{HeaderFields}", UriKind.Relative), accessToken, correlationId, GraphJsonContext.Default.GraphMessageDetail, cancellationToken);

    /// <summary>One attachment's metadata: its kind, name, type and size (before a download).</summary>
    public Task<GraphAttachment> GetAttachmentAsync(string accessToken, string messageId, string attachmentId, Guid correlationId, CancellationToken cancellationToken) =>
        GetAsync(new Uri($"me/messages/{Uri.EscapeDataString(messageId)}/attachments/{Uri.EscapeDataString(attachmentId)}?$select=id,name,contentType,size,isInline", UriKind.Relative),
            accessToken, correlationId, GraphJsonContext.Default.GraphAttachment, cancellationToken);

    /// <summary>
    /// A file attachment's raw bytes (<c>/$value</c>), open as soon as Graph's headers arrive: the caller streams the
    /// body and disposes the response. Nothing of it is buffered here.
    /// </summary>
    public async Task<HttpResponseMessage> OpenAttachmentAsync(string accessToken, string messageId, string attachmentId, Guid correlationId, CancellationToken cancellationToken)
    {
        using var request = NewRequest(HttpMethod.Get, new Uri($"me/messages/{Uri.EscapeDataString(messageId)}/attachments/{Uri.EscapeDataString(attachmentId)}/$value", UriKind.Relative), accessToken, correlationId);
        request.Headers.Accept.Clear();
        return await SendCheckedAsync(request, correlationId, cancellationToken);
    }

    private async Task<T> GetAsync<T>(Uri target, string accessToken, Guid correlationId, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        using var request = NewRequest(HttpMethod.Get, target, accessToken, correlationId);
        return await SendAsync(request, type, correlationId, cancellationToken);
    }

    private static HttpRequestMessage NewRequest(HttpMethod method, Uri target, string accessToken, Guid correlationId)
    {
        var request = new HttpRequestMessage(method, target);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Add("client-request-id", correlationId.ToString());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // Ids that survive a move between folders, so a link to a message keeps working (outlook-immutable-id.md);
        // the preference applies only to the request it is sent with, so every mail call sends it.
        request.Headers.TryAddWithoutValidation("Prefer", "IdType=\"ImmutableId\"");
        return request;
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, Guid correlationId, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendCheckedAsync(request, correlationId, cancellationToken);

        // The body is read after the resilience pipeline has returned the headers, so it gets its own time limit.
        using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bodyTimeout.CancelAfter(GraphResilience.AttemptTimeout);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, bodyTimeout.Token)
                ?? throw new GraphException(HttpStatusCode.BadGateway, null, "Graph answered with an empty body.");
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Malformed JSON, a connection cut mid-body, or a body that never ends: all "Graph is not answering".
            throw new GraphException(HttpStatusCode.BadGateway, null, "Graph's answer could not be read.", e);
        }
    }

    /// <summary>The response once Graph's headers say success; a failure becomes a <see cref="GraphException"/> with Graph's code.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, Guid correlationId, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        MailLog.GraphCall(logger, (int)response.StatusCode, correlationId, response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw new GraphException(response.StatusCode, response.Headers.RetryAfter?.Delta ?? RetryAfterDate(response), $"Graph answered HTTP {(int)response.StatusCode}.")
            {
                // MSAL's own parser for WWW-Authenticate: Bearer ... error="insufficient_claims", claims="<base64>".
                Claims = response.StatusCode == HttpStatusCode.Unauthorized ? Microsoft.Identity.Client.WwwAuthenticateParameters.GetClaimChallengeFromResponseHeaders(response.Headers) : null,
                Code = await ErrorCodeAsync(response, cancellationToken),
            };
        }
    }

    /// <summary>At most <paramref name="limit"/> bytes of a success body, within an attempt's time limit; null past the limit.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(GraphResilience.AttemptTimeout);
        try
        {
            if (response.Content.Headers.ContentLength > limit)
            {
                return null;
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new GraphException(HttpStatusCode.BadGateway, null, "Graph's answer could not be read.", e);
        }
    }

    private static T Parse<T>(byte[] json, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new GraphException(HttpStatusCode.BadGateway, null, "Graph answered with an empty body.");
        }
        catch (JsonException e)
        {
            throw new GraphException(HttpStatusCode.BadGateway, null, "Graph's answer could not be read.", e);
        }
    }

    /// <summary>
    /// Graph's error.code from at most 64 KiB of the error body, read within an attempt's time limit; null when there is
    /// none, it cannot be read in time, or it is not a plain code (it is logged).
    /// </summary>
    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int MaxBody = 64 * 1024;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(GraphResilience.AttemptTimeout);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            var buffer = new byte[MaxBody];
            var length = 0;
            int read;
            while (length < MaxBody && (read = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token)) > 0)
            {
                length += read;
            }

            var body = JsonSerializer.Deserialize(buffer.AsSpan(0, length), GraphJsonContext.Default.GraphErrorBody);
            return body?.Error?.Code is { } code && ErrorCode().IsMatch(code) ? code : null;
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_.]{1,100}$")]
    private static partial System.Text.RegularExpressions.Regex ErrorCode();

    private static TimeSpan? RetryAfterDate(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Date is { } date && response.Headers.Date is { } now ? date - now : null;
}

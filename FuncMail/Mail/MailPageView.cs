using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace FuncMail.Mail;

/// <summary>Turns Graph's answers into the mail page's model: local times, markers, safe links, folder picker and paging.</summary>
public static class MailPageView
{
    private static readonly HashSet<string> OutlookHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "outlook.office.com", "outlook.office365.com", "outlook.live.com", "outlook.com", "outlook.office365.us",
    };

    /// <summary>The mailbox's zone, or UTC when it is unknown or not a zone this machine knows.</summary>
    public static (TimeZoneInfo Zone, bool IsFallback) Zone(string? timeZoneId)
    {
        if (!string.IsNullOrWhiteSpace(timeZoneId) && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone))
        {
            return (zone, false);
        }

        return (TimeZoneInfo.Utc, true);
    }

    /// <summary>Today's messages show a time, this year's a day and month, older ones the full date; all in the mailbox's zone.</summary>
    public static string FormatReceived(DateTimeOffset received, TimeZoneInfo zone, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(received, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone);
        return local.Date == today.Date ? local.ToString("HH:mm", CultureInfo.InvariantCulture)
            : local.Year == today.Year ? local.ToString("d MMM", CultureInfo.InvariantCulture)
            : local.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
    }

    /// <summary>webLink is rendered only as an https link to an Outlook host (checklist D5); anything else is dropped.</summary>
    public static string? SafeOutlookLink(string? webLink) =>
        Uri.TryCreate(webLink, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort && string.IsNullOrEmpty(uri.UserInfo) && OutlookHosts.Contains(uri.Host)
            ? uri.AbsoluteUri
            : null;

    public static IReadOnlyList<MessageRow> Rows(IReadOnlyList<GraphMessage>? messages, MessageQuery query, TimeZoneInfo zone, DateTimeOffset now)
    {
        // Every row's link carries the same list parameters: they are encoded once per page, then each id is appended
        // the way QueryBuilder would (MessageUrl), rather than building a QueryBuilder per row.
        var messageUrl = Routes.MessagePath + ListParameters(query).ToQueryString().Value + "&id=";
        return (messages ?? []).Select(m => new MessageRow
        {
            FromName = m.From?.EmailAddress?.Name is { Length: > 0 } name ? name : m.From?.EmailAddress?.Address ?? "(unknown sender)",
            FromAddress = m.From?.EmailAddress?.Address ?? "",
            Subject = string.IsNullOrWhiteSpace(m.Subject) ? "(no subject)" : m.Subject,
            Preview = m.BodyPreview?.Trim() ?? "",
            ReceivedText = m.ReceivedDateTime is { } received ? FormatReceived(received, zone, now) : "",
            ReceivedIso = m.ReceivedDateTime is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("O", CultureInfo.InvariantCulture) : "",
            IsUnread = m.IsRead == false,
            HasAttachments = m.HasAttachments == true,
            IsHighImportance = string.Equals(m.Importance, "high", StringComparison.OrdinalIgnoreCase),
            OutlookUrl = SafeOutlookLink(m.WebLink),
            MessageUrl = GraphIds.IsValid(m.Id) ? messageUrl + UrlEncoder.Default.Encode(m.Id!) : null,
        }).ToList();
    }

    /// <summary>
    /// The well-known folders first, in a fixed order and under the mailbox's own names ("Posteingang"), then the
    /// user's other top-level folders by name. A well-known folder is recognised by its id, resolved at sign-in
    /// (<paramref name="wellKnownIds"/>), never by its name, which is in the mailbox's language.
    /// </summary>
    public static IReadOnlyList<FolderLink> Folders(IReadOnlyList<GraphFolder>? folders, MessageQuery query, IReadOnlyDictionary<string, string>? wellKnownIds)
    {
        var byId = (folders ?? []).Where(f => f.Id is not null).GroupBy(f => f.Id!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var wellKnown = WellKnown(folders, wellKnownIds);
        var links = MessageQuery.WellKnownFolders
            .Select(w => (w, Folder: wellKnown.GetValueOrDefault(w.Alias)))
            .Where(x => x.Folder is not null || wellKnownIds is null || wellKnownIds.ContainsKey(x.w.Alias))
            .Select(x => new FolderLink(x.Folder?.DisplayName ?? x.w.Name, Url(query with { Folder = x.w.Alias, Offset = 0, Search = null, Next = null }), x.Folder?.UnreadItemCount, IsCurrent(query.Folder, x.w.Alias, x.Folder?.Id)))
            .ToList();
        var wellKnownFolderIds = wellKnown.Values.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        links.AddRange(byId.Values
            .Where(f => f.DisplayName is not null && !wellKnownFolderIds.Contains(f.Id))
            .OrderBy(f => f.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .Select(f => new FolderLink(f.DisplayName!, Url(query with { Folder = f.Id!, Offset = 0, Search = null, Next = null }), f.UnreadItemCount, f.Id == query.Folder)));
        return links;
    }

    /// <summary>The page's heading: the folder's own name in the mailbox, or the English one of a well-known folder the list did not show.</summary>
    public static string FolderName(IReadOnlyList<GraphFolder>? folders, string folder, IReadOnlyDictionary<string, string>? wellKnownIds) =>
        WellKnown(folders, wellKnownIds).GetValueOrDefault(folder.ToLowerInvariant())?.DisplayName
        ?? folders?.FirstOrDefault(f => f.Id == folder)?.DisplayName
        ?? MessageQuery.WellKnownFolders.FirstOrDefault(w => string.Equals(w.Alias, folder, StringComparison.OrdinalIgnoreCase)).Name
        ?? "Folder";

    /// <summary>
    /// Alias → folder. By id when the session knows the ids; a session from before they were resolved (or whose
    /// mailbox refused the batch) falls back to the English names, so an English mailbox still shows its counts.
    /// </summary>
    private static Dictionary<string, GraphFolder> WellKnown(IReadOnlyList<GraphFolder>? folders, IReadOnlyDictionary<string, string>? wellKnownIds)
    {
        var result = new Dictionary<string, GraphFolder>(StringComparer.Ordinal);
        foreach (var (alias, name) in MessageQuery.WellKnownFolders)
        {
            var match = wellKnownIds is not null
                ? wellKnownIds.TryGetValue(alias, out var id) ? folders?.FirstOrDefault(f => f.Id == id) : null
                : folders?.FirstOrDefault(f => string.Equals(f.DisplayName, name, StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                result[alias] = match;
            }
        }

        return result;
    }

    /// <summary>The page's own URL for a query; only FuncMail's parameters, each encoded.</summary>
    public static string Url(MessageQuery query) => Routes.MailPath + ListParameters(query).ToQueryString().Value;

    /// <summary>A message's page, carrying the list it was opened from so "Back to the list" returns there.</summary>
    public static string MessageUrl(string id, MessageQuery list, bool showImages = false)
    {
        var parameters = ListParameters(list);
        parameters.Add("id", id);
        if (showImages)
        {
            parameters.Add("images", "1");
        }

        return Routes.MessagePath + parameters.ToQueryString().Value;
    }

    /// <summary>The body frame's source; images only when the user asked for them, for this message.</summary>
    public static string BodyUrl(string id, bool showImages) =>
        Routes.MessageBodyPath + (showImages ? new QueryBuilder { { "id", id }, { "images", "1" } } : new QueryBuilder { { "id", id } }).ToQueryString().Value;

    public static string DownloadUrl(string messageId, string attachmentId) =>
        Routes.AttachmentPath + new QueryBuilder { { "message", messageId }, { "id", attachmentId }, { "download", "1" } }.ToQueryString().Value;

    public static string InlineImageUrl(string messageId, string attachmentId, string token) =>
        Routes.AttachmentPath + new QueryBuilder { { "message", messageId }, { "id", attachmentId }, { "t", token } }.ToQueryString().Value;

    private static QueryBuilder ListParameters(MessageQuery query)
    {
        var parameters = new QueryBuilder();
        if (!string.Equals(query.Folder, MessageQuery.DefaultFolder, StringComparison.OrdinalIgnoreCase))
        {
            parameters.Add("folder", query.Folder);
        }

        parameters.Add("size", query.PageSize.ToString(CultureInfo.InvariantCulture));
        if (query.Search is not null)
        {
            parameters.Add("q", query.Search);
        }

        if (query.Next is not null)
        {
            parameters.Add("next", query.Next);
        }

        if (query.Offset > 0)
        {
            parameters.Add("skip", query.Offset.ToString(CultureInfo.InvariantCulture));
        }

        return parameters;
    }

    /// <summary>
    /// Newer and older links: by $skip for a folder, by Graph's $skiptoken for search results (Graph allows no $skip
    /// with $search). A search pages forward only; "Newer" goes back to its first page.
    /// </summary>
    public static (string? Newer, string? Older) Paging(MessageQuery query, GraphMessagePage page, string? nextSkipToken)
    {
        var count = page.Value?.Count ?? 0;
        if (query.IsSearch)
        {
            return (query.Next is null ? null : Url(query with { Next = null }),
                    nextSkipToken is null ? null : Url(query with { Next = nextSkipToken }));
        }

        var older = count == query.PageSize && query.Offset + query.PageSize <= MessageQuery.MaxOffset ? Url(query with { Offset = query.Offset + query.PageSize }) : null;
        var newer = query.Offset > 0 ? Url(query with { Offset = Math.Max(0, query.Offset - query.PageSize) }) : null;
        return (newer, older);
    }

    private static bool IsCurrent(string folder, string alias, string? id) =>
        string.Equals(folder, alias, StringComparison.OrdinalIgnoreCase) || (id is not null && id == folder);
}

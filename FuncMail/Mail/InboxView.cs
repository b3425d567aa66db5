using System.Globalization;
using FuncMail.Pages;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;

namespace FuncMail.Mail;

/// <summary>Turns Graph's answers into the mail page's model: local times, markers, safe links, folder picker and paging.</summary>
public static class InboxView
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

    public static IReadOnlyList<MessageRow> Rows(IReadOnlyList<GraphMessage>? messages, TimeZoneInfo zone, DateTimeOffset now) =>
        (messages ?? []).Select(m => new MessageRow(
            m.From?.EmailAddress?.Name is { Length: > 0 } name ? name : m.From?.EmailAddress?.Address ?? "(unknown sender)",
            m.From?.EmailAddress?.Address ?? "",
            string.IsNullOrWhiteSpace(m.Subject) ? "(no subject)" : m.Subject,
            m.BodyPreview?.Trim() ?? "",
            m.ReceivedDateTime is { } received ? FormatReceived(received, zone, now) : "",
            m.ReceivedDateTime is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("O", CultureInfo.InvariantCulture) : "",
            m.IsRead == false,
            m.HasAttachments == true,
            string.Equals(m.Importance, "high", StringComparison.OrdinalIgnoreCase),
            SafeOutlookLink(m.WebLink))).ToList();

    /// <summary>The well-known folders first (their aliases work in every mailbox), then the user's other top-level folders.</summary>
    public static IReadOnlyList<FolderLink> Folders(IReadOnlyList<GraphFolder>? folders, MessageQuery query)
    {
        var byName = (folders ?? []).Where(f => f.DisplayName is not null).GroupBy(f => f.DisplayName!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var links = MessageQuery.WellKnownFolders
            .Select(w => new FolderLink(w.Name, Url(query with { Folder = w.Alias, Offset = 0, Search = null, Next = null }), byName.GetValueOrDefault(w.Name)?.UnreadItemCount, IsCurrent(query.Folder, w.Alias, byName.GetValueOrDefault(w.Name)?.Id)))
            .ToList();
        links.AddRange((folders ?? [])
            .Where(f => f.Id is not null && f.DisplayName is not null && !MessageQuery.WellKnownFolders.Any(w => string.Equals(w.Name, f.DisplayName, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(f => f.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .Select(f => new FolderLink(f.DisplayName!, Url(query with { Folder = f.Id!, Offset = 0, Search = null, Next = null }), f.UnreadItemCount, f.Id == query.Folder)));
        return links;
    }

    public static string FolderName(IReadOnlyList<GraphFolder>? folders, string folder) =>
        MessageQuery.WellKnownFolders.FirstOrDefault(w => string.Equals(w.Alias, folder, StringComparison.OrdinalIgnoreCase)).Name
        ?? folders?.FirstOrDefault(f => f.Id == folder)?.DisplayName
        ?? "Folder";

    /// <summary>The page's own URL for a query; only FuncMail's parameters, each encoded.</summary>
    public static string Url(MessageQuery query)
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

        return InboxService.Path + parameters.ToQueryString().Value;
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

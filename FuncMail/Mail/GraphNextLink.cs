using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace FuncMail.Mail;

/// <summary>
/// Reads the continuation out of the <c>@odata.nextLink</c> Graph returns for a page of search results. Only the
/// <c>$skiptoken</c> travels through the browser (as <c>next</c>); FuncMail rebuilds the request itself under the
/// configured Graph base URL, so no URL from a browser is ever followed with the user's bearer token (checklist D6).
/// </summary>
/// <remarks>
/// The link must be one Graph writes for a folder's messages: host-pinned, https on the default port, no user info,
/// <c>{base}/me</c> or <c>{base}/users/{id}</c>, then <c>mailFolders/{id}</c> or <c>mailFolders('{id}')</c>, then
/// <c>messages</c>, with no dot segment and no encoded slash, backslash or dot anywhere in the path. Anything else is
/// "no further page". The forms and their sources are listed with the tests (GraphNextLinkTests).
/// </remarks>
public static partial class GraphNextLink
{
    public const int MaxSkipTokenLength = 2048;

    /// <summary>The link's $skiptoken, or null when the link is not a form FuncMail accepts.</summary>
    public static string? SkipToken(string? nextLink, Uri graphBaseUrl)
    {
        if (Split(nextLink, graphBaseUrl) is not { Path: var path, Query: { } query } || !MessagesPath().IsMatch(path))
        {
            return null;
        }

        return QueryHelpers.ParseQuery(query).TryGetValue("$skiptoken", out var tokens) && tokens is [{ Length: > 0 and <= MaxSkipTokenLength } token] ? token : null;
    }

    /// <summary>
    /// The next page of the top-level folder list, from Graph's nextLink for it (<c>{base}/me/mailFolders?…</c> or
    /// <c>{base}/users/{id}/mailFolders?…</c>), followed as Graph wrote it; null for any other form.
    /// </summary>
    public static Uri? FolderListPage(string? nextLink, Uri graphBaseUrl) =>
        Split(nextLink, graphBaseUrl) is { Path: var path, Query: not null, Uri: var uri } && FoldersPath().IsMatch(path) ? uri : null;

    /// <summary>
    /// A link under the Graph base URL (https, its host, its default port, no user info or fragment), split into the
    /// path after the base, as Graph wrote it (System.Uri would already have folded any dot segments away), and the query.
    /// Null when it is not such a link or its path holds an encoded slash, backslash or dot.
    /// </summary>
    private static (Uri Uri, string Path, string? Query)? Split(string? nextLink, Uri graphBaseUrl)
    {
        var root = graphBaseUrl.GetLeftPart(UriPartial.Authority) + graphBaseUrl.AbsolutePath.TrimEnd('/') + "/";
        if (nextLink is null || nextLink.Length > 8192 || !nextLink.StartsWith(root, StringComparison.OrdinalIgnoreCase)
            || !Uri.TryCreate(nextLink, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !uri.IsDefaultPort
            || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment)
            || !string.Equals(uri.Host, graphBaseUrl.Host, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = nextLink[root.Length..];
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rest : rest[..question];
        return Forbidden().IsMatch(path) ? null : (uri, path, question < 0 ? null : rest[question..]);
    }

    [GeneratedRegex(@"^(?:me|users/(?!\.{1,2}/)[A-Za-z0-9@._%'-]{1,256}|users\('[A-Za-z0-9@._%-]{1,256}'\))/mailFolders$")]
    private static partial Regex FoldersPath();

    // me or users/{id}, then the folder as a key segment or a path segment, then messages. No segment may be "." or "..".
    [GeneratedRegex(@"^(?:me|users/(?!\.{1,2}/)[A-Za-z0-9@._%'-]{1,256}|users\('[A-Za-z0-9@._%-]{1,256}'\))/mailFolders(?:/(?!\.{1,2}/)[A-Za-z0-9_=.%-]{1,512}|\('[A-Za-z0-9_=.%+-]{1,512}'\))/messages$")]
    private static partial Regex MessagesPath();

    // An encoded slash, backslash or dot could turn into a path segment further along.
    [GeneratedRegex("%(?:2[fFeE]|5[cC])|\\\\")]
    private static partial Regex Forbidden();
}

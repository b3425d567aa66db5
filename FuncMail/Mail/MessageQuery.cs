using System.Text.RegularExpressions;

namespace FuncMail.Mail;

/// <summary>
/// What the mail page was asked to show, parsed and bounded from the query string: folder, page size, position,
/// search text, and for search results Graph's $skiptoken for the next page (only ever sent to Graph as $skiptoken, D6).
/// </summary>
public sealed partial record MessageQuery(string Folder, int PageSize, int Offset, string? Search, string? Next)
{
    public const string DefaultFolder = "inbox";
    public static readonly int[] PageSizes = [10, 25, 50];

    /// <summary>How far back a folder pages (the `skip` parameter, sent to Graph as $skip); older mail is reachable by search.</summary>
    public const int MaxOffset = 1000;

    public const int MaxSearchLength = 200;

    /// <summary>The well-known folders, in the order the picker shows them; their aliases work for every user.</summary>
    public static readonly IReadOnlyList<(string Alias, string Name)> WellKnownFolders =
        [("inbox", "Inbox"), ("sentitems", "Sent Items"), ("drafts", "Drafts"), ("archive", "Archive"), ("deleteditems", "Deleted Items")];

    /// <summary>Parses the query; null with a message when a value is unusable (the page answers 400 with it).</summary>
    /// <param name="single">A parameter's value, or null when it is absent or unusable as one value (the edge's rule).</param>
    public static MessageQuery? TryParse(Func<string, string?> single, int defaultPageSize, out string? error)
    {
        error = null;
        var folder = single("folder") ?? DefaultFolder;
        if (!FolderId().IsMatch(folder))
        {
            error = "That folder link is not valid.";
            return null;
        }

        var size = defaultPageSize;
        if (single("size") is { } sizeText && (!int.TryParse(sizeText, out size) || !PageSizes.Contains(size)))
        {
            error = "Page size must be 10, 25 or 50.";
            return null;
        }

        var skip = 0;
        if (single("skip") is { } skipText && (!int.TryParse(skipText, out skip) || skip is < 0 or > MaxOffset))
        {
            error = $"FuncMail pages back through the newest {MaxOffset} messages of a folder; use search to find older ones.";
            return null;
        }

        var search = single("q")?.Trim();
        if (search is { Length: > MaxSearchLength } || (search is not null && search.Any(char.IsControl)))
        {
            error = $"Search text must be at most {MaxSearchLength} characters.";
            return null;
        }

        // "next" is Graph's $skiptoken for the next page of search results, nothing else (GraphNextLink).
        var next = single("next");
        if (next is not null && (search is null || next.Length > GraphNextLink.MaxSkipTokenLength || next.Any(char.IsControl)))
        {
            error = "That page link is not valid. Start again from the first page.";
            return null;
        }

        return new MessageQuery(folder, size, skip, string.IsNullOrEmpty(search) ? null : search, next);
    }

    public bool IsSearch => Search is not null;

    // Well-known aliases and Graph's URL-safe base64 folder ids.
    [GeneratedRegex("^[A-Za-z0-9_=-]{1,512}$")]
    private static partial Regex FolderId();
}

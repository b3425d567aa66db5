using System.Text.RegularExpressions;

namespace FuncMail.Mail;

/// <summary>Graph's message and attachment ids, checked before any I/O.</summary>
public static partial class GraphIds
{
    /// <summary>Captured ids run to 152 characters for a message and 180 for an attachment; 512 leaves room and bounds the rest.</summary>
    public const int MaxLength = 512;

    /// <summary>
    /// Base64 in both of Graph's alphabets with its padding: <c>_</c> and <c>-</c> in REST ids, and <c>+</c> and <c>/</c>
    /// that do reach clients too (microsoft-graph-docs#10167). Nothing else: no dots, spaces, %, or non-ASCII.
    /// </summary>
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_+/=-]{1,512}$")]
    private static partial Regex Pattern();
}

/// <summary>Which message to show, the list it was opened from (for "Back to the list"), and whether its remote images are on.</summary>
public sealed record MessageRef(string Id, MessageQuery List, bool ShowImages)
{
    /// <summary>
    /// Parses <c>id</c>, <c>images</c> and the list's own parameters (folder, size, skip, q, next) by the mail page's
    /// rules; null with the message to show.
    /// </summary>
    public static MessageRef? TryParse(Func<string, string?> single, int defaultPageSize, out string? error)
    {
        if (!GraphIds.IsValid(single("id")))
        {
            error = "That message link is not valid. Open the message again from the list.";
            return null;
        }

        var images = single("images");
        if (images is not (null or "1"))
        {
            error = "That message link is not valid. Open the message again from the list.";
            return null;
        }

        return MessageQuery.TryParse(single, defaultPageSize, out error) is { } list ? new MessageRef(single("id")!, list, images == "1") : null;
    }
}

/// <summary>
/// One attachment to send: a download (the session cookie proves the user) or an inline image for the body frame
/// (its URL's sealed token does, as the frame's requests carry no cookie).
/// </summary>
public sealed record AttachmentRef(string MessageId, string Id, string? InlineToken)
{
    public bool IsInline => InlineToken is not null;

    public static AttachmentRef? TryParse(Func<string, string?> single, out string? error)
    {
        error = "That attachment link is not valid. Open the message again from the list.";
        var (message, id, download, token) = (single("message"), single("id"), single("download"), single("t"));
        if (!GraphIds.IsValid(message) || !GraphIds.IsValid(id) || (download == "1") == (token is not null) || download is not (null or "1"))
        {
            return null;
        }

        error = null;
        return new AttachmentRef(message!, id!, token);
    }
}

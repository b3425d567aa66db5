namespace FuncMail.Mail;

/// <summary>The message page's view model. Every string is raw here: the Razor template encodes it on output.</summary>
public sealed record MessageModel
{
    public required string DisplayName { get; init; }

    public required string SignOutToken { get; init; }

    public required string Subject { get; init; }

    public required Person From { get; init; }

    public required IReadOnlyList<Person> To { get; init; }

    public required IReadOnlyList<Person> Cc { get; init; }

    /// <summary>The full date and time in the mailbox's zone, e.g. "Thu 27 Nov 2026, 10:30".</summary>
    public required string ReceivedText { get; init; }

    public required string ReceivedIso { get; init; }

    public required string TimeZoneNote { get; init; }

    public required bool IsHighImportance { get; init; }

    public required bool IsDraft { get; init; }

    public required IReadOnlyList<AttachmentRow> Attachments { get; init; }

    /// <summary>The sandboxed frame's source: the body endpoint, with images on when the user asked for them.</summary>
    public required string BodyUrl { get; init; }

    /// <summary>Remote images the body refers to that are not shown (tracking pixels not counted).</summary>
    public required int BlockedImages { get; init; }

    /// <summary>This same page with the message's remote images on; null when there are none to show, or they are on.</summary>
    public required string? ShowImagesUrl { get; init; }

    /// <summary>The user asked for this message's images (https only).</summary>
    public required bool ImagesShown { get; init; }

    /// <summary>The body is longer than FuncMail shows: the frame has its first part.</summary>
    public required bool BodyTruncated { get; init; }

    /// <summary>The body is too large to read at all: the frame says so.</summary>
    public required bool BodyTooLarge { get; init; }

    /// <summary>The list this message was opened from.</summary>
    public required string BackUrl { get; init; }

    /// <summary>Graph's webLink when it points at an Outlook host FuncMail knows; null otherwise.</summary>
    public required string? OutlookUrl { get; init; }
}

public sealed record Person(string Name, string Address);

/// <summary>One attachment as the page lists it.</summary>
/// <param name="DownloadUrl">FuncMail's download link; null for what Outlook must open (an item, a link, a file over the cap).</param>
/// <param name="Note">Why there is no download link, when there is none.</param>
public sealed record AttachmentRow(string Name, string Type, string Size, string? DownloadUrl, string? Note);

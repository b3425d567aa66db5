namespace FuncMail.Mail;

/// <summary>The mail page's view model. Every string is raw here: the Razor template encodes it on output.</summary>
public sealed record MailModel
{
    public required string DisplayName { get; init; }

    public required string Username { get; init; }

    /// <summary>The sign-out form's anti-forgery token (checklist B8).</summary>
    public required string SignOutToken { get; init; }

    public required string FolderName { get; init; }

    /// <summary>The folder's id or well-known alias, as the query named it.</summary>
    public required string Folder { get; init; }

    public required string? Search { get; init; }

    public required int PageSize { get; init; }

    public required IReadOnlyList<MessageRow> Messages { get; init; }

    public required IReadOnlyList<FolderLink> Folders { get; init; }

    public required string FoldersNote { get; init; }

    public required string TimeZoneNote { get; init; }

    public required string? NewerUrl { get; init; }

    public required string? OlderUrl { get; init; }
}

/// <summary>One message row, reduced to what the page shows.</summary>
public sealed record MessageRow
{
    public required string FromName { get; init; }

    public required string FromAddress { get; init; }

    public required string Subject { get; init; }

    public required string Preview { get; init; }

    /// <summary>In the mailbox's time zone: a time today, a day and month this year, else the full date.</summary>
    public required string ReceivedText { get; init; }

    public required string ReceivedIso { get; init; }

    public required bool IsUnread { get; init; }

    public required bool HasAttachments { get; init; }

    public required bool IsHighImportance { get; init; }

    /// <summary>Graph's webLink when it points at an Outlook host FuncMail knows; null otherwise.</summary>
    public required string? OutlookUrl { get; init; }

    /// <summary>FuncMail's page for this message; null when Graph gave no usable id.</summary>
    public required string? MessageUrl { get; init; }
}

public sealed record FolderLink(string Name, string Url, int? Unread, bool IsCurrent);

namespace FuncMail.Pages;

/// <summary>What the layout needs: the page title and, when signed in, who and the sign-out form's anti-forgery token.</summary>
public sealed record LayoutModel(string Title, string? DisplayName = null, string? SignOutToken = null);

public sealed record HomeModel(string? DisplayName, string? SignOutToken);

/// <summary>The mail page. Every string is raw here: Razor encodes it on output.</summary>
public sealed record MailModel(
    string DisplayName,
    string Username,
    string SignOutToken,
    string FolderName,
    string Folder,
    string? Search,
    int PageSize,
    IReadOnlyList<MessageRow> Messages,
    IReadOnlyList<FolderLink> Folders,
    string FoldersNote,
    string TimeZoneNote,
    string? NewerUrl,
    string? OlderUrl);

/// <summary>One message row, reduced to what the page shows.</summary>
public sealed record MessageRow(
    string FromName,
    string FromAddress,
    string Subject,
    string Preview,
    string ReceivedText,
    string ReceivedIso,
    bool IsUnread,
    bool HasAttachments,
    bool IsHighImportance,
    string? OutlookUrl);

public sealed record FolderLink(string Name, string Url, int? Unread, bool IsCurrent);

public sealed record ErrorModel(string Title, string Message, string ActionText, string ActionUrl, Guid SupportId);

public sealed record SignOutModel(string? SignOutToken);

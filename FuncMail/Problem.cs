namespace FuncMail;

/// <summary>
/// Every way a request can end other than with the page it asked for. Services below the HTTP edge return one in a
/// <see cref="Failure"/>; the edge's catalogue (<c>Web/ErrorPages</c>) gives each its status, title, text and action,
/// once.
/// </summary>
public enum Problem
{
    /// <summary>A parameter FuncMail cannot use; <see cref="Failure.Detail"/> says which and how to fix it.</summary>
    InvalidRequest,

    /// <summary>A sign-out POST without this session's anti-forgery token, or from another site (checklist B8).</summary>
    SignOutNotFromFuncMail,
    AmbiguousCookie,
    TookTooLong,
    Unexpected,

    SignInServiceUnavailable,
    GraphUnavailable,
    StorageUnavailable,

    /// <summary>A session key rotation is rolling out and this instance lacks the new key.</summary>
    SessionKeyUnavailable,

    SignInCancelled,
    SignInAgain,
    SignInFailed,
    SignInWithoutCode,
    SignInNotVerified,
    TokenCacheTooLarge,

    /// <summary>A session moments old that Entra already wants interaction for (checklist E3).</summary>
    SignInLoop,
    NoMailbox,
    FolderNotFound,
    QueryTooComplex,

    /// <summary>A search's "next" link Graph no longer knows; <see cref="Failure.ActionUrl"/> searches again.</summary>
    PageLinkExpired,
    MailAccessDenied,

    /// <summary>Graph throttled the mailbox; <see cref="Failure.RetryAfter"/> says for how long, <see cref="Failure.ActionUrl"/> retries.</summary>
    GraphBusy,

    /// <summary>The message is gone (deleted, or moved where its id no longer leads); <see cref="Failure.ActionUrl"/> is the list it came from.</summary>
    MessageNotFound,

    /// <summary>The attachment is gone, or is not a file FuncMail can serve (an item or a link: Outlook opens those).</summary>
    AttachmentNotFound,

    /// <summary>The file is over FuncMail's download cap; <see cref="Failure.Detail"/> names the cap. Outlook must open it.</summary>
    AttachmentTooLarge,
}

/// <summary>A <see cref="Problem"/> and what only this occurrence knows.</summary>
public sealed record Failure(Problem Kind, string? Detail = null, string? ActionUrl = null, TimeSpan? RetryAfter = null);

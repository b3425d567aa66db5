namespace FuncMail.Mail;

/// <summary>How a request for the mailbox ends; and what became of the session, for the edge to apply to the cookie.</summary>
public abstract record MailOutcome
{
    /// <summary>The session the request kept and saved (a cookie signed with a retired key is then re-issued, B3); null otherwise.</summary>
    public Sessions.ActiveSession? Kept { get; init; }

    /// <summary>The cookie names no live session any more (it ended, or never existed): the cookie goes. Otherwise it is left as it is.</summary>
    public bool Ended { get; init; }

    /// <summary>What was asked for: a page's model, a body document, an attachment's stream.</summary>
    public sealed record Shown<T>(T Model) : MailOutcome;

    /// <summary>Sign in, then come back to <paramref name="ReturnUrl"/>; with a claims challenge the sign-in must answer (H5).</summary>
    public sealed record SignInRequired(string ReturnUrl, string? Claims = null) : MailOutcome;

    public sealed record Failed(Failure Failure) : MailOutcome;
}

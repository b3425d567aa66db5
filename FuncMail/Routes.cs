namespace FuncMail;

/// <summary>
/// Every URL FuncMail serves, in one place: the functions' route attributes, the pages' links and forms, and every
/// redirect use these. <see cref="Prefix"/> is host.json's <c>extensions.http.routePrefix</c> (a test keeps them equal).
/// </summary>
public static class Routes
{
    public const string Prefix = "api";

    public const string Home = "Home";
    public const string Mail = "Mail";
    public const string SignIn = "SignIn";
    public const string GetToken = "GetToken";
    public const string SignOut = "SignOut";
    public const string Message = "Message";
    public const string MessageBody = "MessageBody";
    public const string Attachment = "Attachment";

    public const string HomePath = "/" + Prefix + "/" + Home;
    public const string MailPath = "/" + Prefix + "/" + Mail;
    public const string SignInPath = "/" + Prefix + "/" + SignIn;
    public const string GetTokenPath = "/" + Prefix + "/" + GetToken;
    public const string SignOutPath = "/" + Prefix + "/" + SignOut;
    public const string MessagePath = "/" + Prefix + "/" + Message;
    public const string MessageBodyPath = "/" + Prefix + "/" + MessageBody;
    public const string AttachmentPath = "/" + Prefix + "/" + Attachment;

    /// <summary>Sign-in, then back to <paramref name="returnUrl"/> (a local path the caller has already checked).</summary>
    /// <param name="claims">A claims challenge, already encoded for a URL, that the sign-in must answer; or null.</param>
    public static string SignInUrl(string returnUrl, string? claims = null) =>
        $"{SignInPath}?returnUrl={Uri.EscapeDataString(returnUrl)}" + (claims is null ? "" : "&claims=" + claims);
}

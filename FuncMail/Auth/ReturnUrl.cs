namespace FuncMail.Auth;

/// <summary>
/// Keeps returnUrl local (checklist A8): one leading '/', never '//' or '/\', never absolute, and printable ASCII only,
/// so that it is always a valid Location header (a path with other characters arrives percent-encoded anyway).
/// </summary>
public static class ReturnUrl
{
    public const string Default = Routes.MailPath;
    private const int MaxLength = 512;

    public static string Sanitize(string? candidate) => IsLocal(candidate) ? candidate! : Default;

    /// <remarks>
    /// ASP.NET Core's own rule (<see cref="Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult.IsLocalUrl"/>) refuses
    /// "//" and "/\"; on top of it, only a leading '/' (not its "~/" form) and printable ASCII without '\'.
    /// </remarks>
    public static bool IsLocal(string? candidate) =>
        candidate is { Length: > 0 and <= MaxLength }
        && candidate[0] == '/'
        && Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult.IsLocalUrl(candidate)
        && candidate.All(c => c is > ' ' and < (char)0x7F and not '\\');
}

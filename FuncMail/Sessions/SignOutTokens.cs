namespace FuncMail.Sessions;

/// <summary>
/// The sign-out form's anti-forgery token (checklist B8): a MAC of the session id under the session key, so it needs
/// no storage and no I/O to check, and it changes with every sign-in.
/// </summary>
public sealed class SignOutTokens(CookieSigner signer)
{
    private const string Purpose = "sign-out";

    public string For(string sessionId) => signer.Derive(Purpose, sessionId);

    public bool IsValid(string sessionId, string? given) => signer.VerifyDerived(Purpose, sessionId, given);
}

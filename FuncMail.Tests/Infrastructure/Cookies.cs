namespace FuncMail.Tests.Infrastructure;

/// <summary>FuncMail's cookie names and the parts of a signed value, for tests that inspect or forge cookies.</summary>
public static class Cookies
{
    public const string Session = "__Host-FuncMail";
    public const string SignIn = "__Host-FuncMail-SignIn";

    /// <summary>The session id inside a signed value <c>v1.{kid}.{id}.{iat}.{mac}</c>.</summary>
    public static string IdOf(string signedValue) => signedValue.Split('.')[2];

    public static string KeyIdOf(string signedValue) => signedValue.Split('.')[1];
}

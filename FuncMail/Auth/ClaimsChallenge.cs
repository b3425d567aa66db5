using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace FuncMail.Auth;

/// <summary>
/// The claims of a continuous-access-evaluation challenge on their way from the mail page to the authorize request
/// (checklist H5): base64url of the JSON, in SignIn's <c>claims</c> parameter. Only a JSON object of bounded size is
/// accepted; MSAL passes it to Entra, which decides what it asks of the user.
/// </summary>
public static class ClaimsChallenge
{
    public const int MaxBytes = 4096;

    public static string Encode(string claims) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims));

    /// <summary>The claims JSON, or null (with false) when the parameter is not base64url of a JSON object within bounds.</summary>
    public static bool TryDecode(string? parameter, out string? claims)
    {
        claims = null;
        if (parameter is null)
        {
            return true;
        }

        if (parameter.Length > MaxBytes * 2 || !Base64Url.IsValid(parameter, out var length) || length > MaxBytes)
        {
            return false;
        }

        var json = Base64Url.DecodeFromChars(parameter);
        try
        {
            // The shape of a claims request (OpenID Connect Core §5.5): an object of "access_token" and "id_token"
            // sections, each an object. Anything else could, for one, replace the cp1 capability MSAL adds.
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.EnumerateObject().Any()
                || document.RootElement.EnumerateObject().Any(section => section.Name is not ("access_token" or "id_token") || section.Value.ValueKind != JsonValueKind.Object))
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        claims = Encoding.UTF8.GetString(json);
        return true;
    }
}

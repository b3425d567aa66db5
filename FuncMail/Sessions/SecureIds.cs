using System.Buffers.Text;
using System.Security.Cryptography;

namespace FuncMail.Sessions;

/// <summary>Unguessable identifiers: session ids, browser ids, OAuth state and nonce.</summary>
public static class SecureIds
{
    /// <summary>A fresh random id of 256 bits, 43 characters of base64url.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}

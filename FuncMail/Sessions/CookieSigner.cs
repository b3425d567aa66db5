using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FuncMail.Sessions;

/// <summary>What a signed cookie is for; part of the MAC, so a sign-in cookie can never pass as a session cookie.</summary>
public enum CookiePurpose
{
    Session,
    SignIn,
}

/// <summary>A verified cookie: the id it carries, which key signed it and when it was issued.</summary>
public readonly record struct SignedId(string Id, string KeyId, DateTimeOffset IssuedAt);

/// <summary>
/// Signs and verifies <c>v1.{keyId}.{id}.{issuedAt}.{mac}</c> with HMAC-SHA256 (checklist B1-B3).
/// Hand-written because ASP.NET Data Protection would need its own key store; these keys already live in settings (Key Vault in Azure).
/// </summary>
public sealed class CookieSigner(SessionKeyRing keys, TimeProvider time)
{
    private const string Version = "v1";
    private const int MacBytes = 32;

    public string Sign(CookiePurpose purpose, string id)
    {
        var issuedAt = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        keys.TryGetMacKey(keys.ActiveKeyId, out var key);
        var mac = Mac(key, purpose, keys.ActiveKeyId, id, issuedAt);
        return $"{Version}.{keys.ActiveKeyId}.{id}.{issuedAt}.{Base64Url.EncodeToString(mac)}";
    }

    /// <summary>Verifies without any I/O. Every failure looks the same to the caller.</summary>
    public bool TryVerify(CookiePurpose purpose, string? value, out SignedId signed)
    {
        signed = default;
        if (string.IsNullOrEmpty(value) || value.Length > 256)
        {
            return false;
        }

        var parts = value.Split('.');
        if (parts is not [Version, var keyId, var id, var issuedAt, var macText]
            || id.Length is < 16 or > 64
            || !long.TryParse(issuedAt, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || !keys.TryGetMacKey(keyId, out var key))
        {
            return false;
        }

        // A truncated or padded MAC fails here like a wrong one (checklist B2).
        Span<byte> given = stackalloc byte[MacBytes];
        if (!Base64Url.IsValid(macText, out var length) || length != MacBytes || Base64Url.DecodeFromChars(macText, given) != MacBytes)
        {
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(given, Mac(key, purpose, keyId, id, issuedAt)))
        {
            return false;
        }

        if (seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        signed = new SignedId(id, keyId, DateTimeOffset.FromUnixTimeSeconds(seconds));
        return true;
    }

    public bool IsActiveKey(SignedId signed) => signed.KeyId == keys.ActiveKeyId;

    /// <summary>A value bound to one session and one purpose, e.g. the sign-out form's anti-forgery token (checklist B8).</summary>
    public string Derive(string purpose, string sessionId)
    {
        keys.TryGetMacKey(keys.ActiveKeyId, out var key);
        return Derive(key, purpose, sessionId);
    }

    /// <summary>Accepts a token made under any configured key, so a page rendered before a key rotation still works.</summary>
    public bool VerifyDerived(string purpose, string sessionId, string? given)
    {
        if (given is not { Length: < 128 })
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(given);
        var match = false;
        foreach (var key in keys.MacKeys)
        {
            match |= CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Derive(key, purpose, sessionId)), bytes);
        }

        return match;
    }

    private static string Derive(byte[] key, string purpose, string sessionId) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{purpose}|{sessionId}")));

    private static byte[] Mac(byte[] key, CookiePurpose purpose, string keyId, string id, string issuedAt) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{Version}|{purpose}|{keyId}|{id}|{issuedAt}"));
}

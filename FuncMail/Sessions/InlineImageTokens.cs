using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace FuncMail.Sessions;

/// <summary>
/// The credential in an inline image's URL. A mail's <c>cid:</c> images load from inside the sandboxed body frame,
/// whose requests carry no cookie (the frame has an opaque origin, so SameSite withholds it), so the URL itself must
/// say whose session may fetch this one attachment of this one message, for a few minutes.
/// </summary>
/// <remarks>
/// <c>{keyId}.{base64url(nonce | ciphertext | tag)}</c>: AES-GCM under its own HKDF subkey of the session key
/// (<see cref="SessionKeyRing"/>), sealing the expiry and the session id, with the message and attachment ids as
/// associated data. Sealed rather than only signed, so the session id never appears in a URL, a browser's history or
/// a front end's log. Hand-written for the same reason as <see cref="CookieSigner"/>: ASP.NET Data Protection would
/// need a key store of its own.
/// </remarks>
public sealed class InlineImageTokens(SessionKeyRing keys, TimeProvider time)
{
    /// <summary>How long an inline image's URL works: long enough to render the frame, short enough to be useless later.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public string Issue(string sessionId, string messageId, string attachmentId)
    {
        keys.TryGetImageKey(keys.ActiveKeyId, out var key);
        var plain = new byte[8 + Encoding.UTF8.GetByteCount(sessionId)];
        BinaryPrimitives.WriteInt64BigEndian(plain, (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds());
        Encoding.UTF8.GetBytes(sessionId, plain.AsSpan(8));
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), Associated(keys.ActiveKeyId, messageId, attachmentId));
        return keys.ActiveKeyId + "." + Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The session a token names, when it was made for this attachment of this message and has not expired; no I/O.</summary>
    /// <param name="session">The session id, as a <see cref="SignedId"/> the session gate accepts (issued now).</param>
    public bool TryOpen(string? token, string messageId, string attachmentId, out SignedId session)
    {
        session = default;
        if (token is not { Length: > 0 and <= 256 } || token.Split('.') is not [var keyId, var body] || !keys.TryGetImageKey(keyId, out var key)
            || !Base64Url.IsValid(body, out var length) || length < NonceBytes + 8 + 16 + TagBytes)
        {
            return false;
        }

        var sealedBytes = Base64Url.DecodeFromChars(body);
        var plain = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length), plain, Associated(keyId, messageId, attachmentId));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (BinaryPrimitives.ReadInt64BigEndian(plain) < now.ToUnixTimeSeconds())
        {
            return false;
        }

        session = new SignedId(Encoding.UTF8.GetString(plain.AsSpan(8)), keyId, now);
        return true;
    }

    private static byte[] Associated(string keyId, string messageId, string attachmentId) =>
        Encoding.UTF8.GetBytes($"inline-image v1|{keyId}|{messageId}|{attachmentId}");
}

using System.Security.Cryptography;
using System.Text;

namespace FuncMail.Sessions;

/// <summary>
/// Encrypts a serialized MSAL cache with AES-GCM under the session key ring (checklist C1). The session id and key id
/// are the associated data, so a blob copied into another row does not decrypt.
/// </summary>
public sealed class TokenCacheProtector(SessionKeyRing keys)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public string ActiveKeyId => keys.ActiveKeyId;

    public bool KnowsKey(string keyId) => keys.TryGetCacheKey(keyId, out _);

    public byte[] Protect(string sessionId, ReadOnlySpan<byte> plain)
    {
        keys.TryGetCacheKey(keys.ActiveKeyId, out var key);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), AssociatedData(sessionId, keys.ActiveKeyId));
        return output;
    }

    /// <summary>Null when the key is gone or the blob was tampered with or moved: the caller treats that as no tokens.</summary>
    public byte[]? Unprotect(string sessionId, string keyId, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < NonceSize + TagSize || !keys.TryGetCacheKey(keyId, out var key))
        {
            return null;
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[(NonceSize + TagSize)..], sealedBytes.Slice(NonceSize, TagSize), plain, AssociatedData(sessionId, keyId));
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] AssociatedData(string sessionId, string keyId) => Encoding.UTF8.GetBytes($"{sessionId}|{keyId}");
}

using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FuncMail.Sessions;

/// <summary>
/// The configured session keys, each split with HKDF into one subkey per purpose, so that the cookie MAC key
/// and the token-cache encryption key never coincide (checklist B3, C1).
/// </summary>
public sealed class SessionKeyRing
{
    private static readonly byte[] MacInfo = Encoding.ASCII.GetBytes("FuncMail cookie MAC v1");
    private static readonly byte[] CacheInfo = Encoding.ASCII.GetBytes("FuncMail token cache AES-GCM v1");
    private static readonly byte[] ImageInfo = Encoding.ASCII.GetBytes("FuncMail inline image URL AES-GCM v1");

    private readonly FrozenDictionary<string, Subkeys> _keys;

    public SessionKeyRing(IOptions<SessionOptions> options)
    {
        ActiveKeyId = options.Value.ActiveKeyId;
        _keys = options.Value.Keys.ToFrozenDictionary(
            pair => pair.Key,
            pair =>
            {
                // RFC 5869 extract-then-expand, once per purpose (no salt: the master key is already uniformly random).
                var master = Convert.FromBase64String(pair.Value);
                return new Subkeys(
                    HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: MacInfo),
                    HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: CacheInfo),
                    HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, salt: [], info: ImageInfo));
            },
            StringComparer.Ordinal);
    }

    public string ActiveKeyId { get; }

    /// <summary>Every configured MAC key, active or retired.</summary>
    public IEnumerable<byte[]> MacKeys => _keys.Values.Select(k => k.Mac);

    public bool TryGetMacKey(string keyId, out byte[] key) => TryGet(keyId, static k => k.Mac, out key);

    public bool TryGetCacheKey(string keyId, out byte[] key) => TryGet(keyId, static k => k.Cache, out key);

    /// <summary>The key that seals inline images' URLs (<see cref="InlineImageTokens"/>).</summary>
    public bool TryGetImageKey(string keyId, out byte[] key) => TryGet(keyId, static k => k.Image, out key);

    private bool TryGet(string keyId, Func<Subkeys, byte[]> pick, out byte[] key)
    {
        if (_keys.TryGetValue(keyId, out var pair))
        {
            key = pick(pair);
            return true;
        }

        key = [];
        return false;
    }

    private sealed record Subkeys(byte[] Mac, byte[] Cache, byte[] Image);
}

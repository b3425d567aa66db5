using FuncMail.Sessions;
using Microsoft.Extensions.Options;

namespace FuncMail.Tests.Sessions;

[Trait("Checklist", "C1")]
public sealed class TokenCacheProtectorTests
{
    private static TokenCacheProtector Protector(string active = "k1") => new(new SessionKeyRing(Options.Create(new SessionOptions
    {
        Keys = new() { ["k1"] = Convert.ToBase64String(new byte[32]), ["k2"] = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()) },
        ActiveKeyId = active,
    })));

    private static readonly byte[] Plain = "{\"AccessToken\":{\"secret\":\"at-canary\"}}"u8.ToArray();

    [Fact]
    public void Protect_IsNotThePlainSerializationAndRoundTrips()
    {
        var sealedBytes = Protector().Protect("session-a", Plain);

        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf("at-canary"u8));
        Assert.Equal(Plain, Protector().Unprotect("session-a", "k1", sealedBytes));
    }

    [Fact]
    public void Unprotect_BlobCopiedToAnotherRow_Fails() =>
        Assert.Null(Protector().Unprotect("session-b", "k1", Protector().Protect("session-a", Plain)));

    [Fact]
    public void Unprotect_TamperedBlob_Fails()
    {
        var sealedBytes = Protector().Protect("session-a", Plain);
        sealedBytes[^1] ^= 1;

        Assert.Null(Protector().Unprotect("session-a", "k1", sealedBytes));
    }

    [Fact]
    public void Unprotect_AfterRotation_StillReadsTheOldKeysBlob() =>
        Assert.Equal(Plain, Protector("k2").Unprotect("session-a", "k1", Protector("k1").Protect("session-a", Plain)));

    [Fact]
    public void Unprotect_UnknownKeyOrShortBlob_Fails()
    {
        Assert.Null(Protector().Unprotect("session-a", "k9", Protector().Protect("session-a", Plain)));
        Assert.Null(Protector().Unprotect("session-a", "k1", new byte[10]));
    }
}

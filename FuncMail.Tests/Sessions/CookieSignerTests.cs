using FuncMail.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FuncMail.Tests.Sessions;

public sealed class CookieSignerTests
{
    private static readonly string Key1 = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string Key2 = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private CookieSigner Signer(string active, params (string Id, string Key)[] keys) =>
        new(new SessionKeyRing(Options.Create(new SessionOptions { Keys = keys.ToDictionary(k => k.Id, k => k.Key), ActiveKeyId = active })), _time);

    [Fact]
    [Trait("Checklist", "B1")]
    public void Sign_ThenVerify_ReturnsIdKeyAndIssuedAt()
    {
        var signer = Signer("k1", ("k1", Key1));
        var id = SecureIds.New();

        Assert.True(signer.TryVerify(CookiePurpose.Session, signer.Sign(CookiePurpose.Session, id), out var signed));
        Assert.Equal(new SignedId(id, "k1", _time.GetUtcNow()), signed);
    }

    [Fact]
    [Trait("Checklist", "B1")]
    public void NewId_Has256RandomBits()
    {
        Assert.Equal(43, SecureIds.New().Length);
        Assert.NotEqual(SecureIds.New(), SecureIds.New());
    }

    [Theory]
    [Trait("Checklist", "B2")]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(42)]
    public void Verify_TruncatedMac_Fails(int removed)
    {
        var signer = Signer("k1", ("k1", Key1));
        var value = signer.Sign(CookiePurpose.Session, SecureIds.New());

        Assert.False(signer.TryVerify(CookiePurpose.Session, value[..^removed], out _));
    }

    [Fact]
    [Trait("Checklist", "B2")]
    public void Verify_OneBitFlippedInMac_Fails()
    {
        var signer = Signer("k1", ("k1", Key1));
        var value = signer.Sign(CookiePurpose.Session, SecureIds.New());
        var flipped = value[..^3] + (value[^3] == 'A' ? 'B' : 'A') + value[^2..];

        Assert.False(signer.TryVerify(CookiePurpose.Session, flipped, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v1.k1.id.123")]
    [InlineData("v2.k1.aaaaaaaaaaaaaaaaaaaa.123.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1.k1.aaaaaaaaaaaaaaaaaaaa.-5.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1.k1.aaaaaaaaaaaaaaaaaaaa.99999999999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("v1.k1.aaaaaaaaaaaaaaaaaaaa.123.!!!!")]
    [InlineData("v1.k1.aaaaaaaaaaaaaaaaaaaa.123.AAAA.extra")]
    public void Verify_Malformed_Fails(string value) =>
        Assert.False(Signer("k1", ("k1", Key1)).TryVerify(CookiePurpose.Session, value, out _));

    [Fact]
    public void Verify_ForAnotherPurpose_Fails()
    {
        var signer = Signer("k1", ("k1", Key1));

        Assert.False(signer.TryVerify(CookiePurpose.Session, signer.Sign(CookiePurpose.SignIn, SecureIds.New()), out _));
    }

    [Fact]
    [Trait("Checklist", "B3")]
    public void Verify_AfterRotation_AcceptsOldKeyAndSignsWithNewOne()
    {
        var id = SecureIds.New();
        var oldCookie = Signer("k1", ("k1", Key1)).Sign(CookiePurpose.Session, id);
        var rotated = Signer("k2", ("k1", Key1), ("k2", Key2));

        Assert.True(rotated.TryVerify(CookiePurpose.Session, oldCookie, out var signed));
        Assert.False(rotated.IsActiveKey(signed));
        Assert.StartsWith("v1.k2.", rotated.Sign(CookiePurpose.Session, id), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Checklist", "B3")]
    public void Verify_KeyRemovedFromSettings_Fails()
    {
        var oldCookie = Signer("k1", ("k1", Key1)).Sign(CookiePurpose.Session, SecureIds.New());

        Assert.False(Signer("k2", ("k2", Key2)).TryVerify(CookiePurpose.Session, oldCookie, out _));
    }

    [Fact]
    [Trait("Checklist", "B3")]
    public void Verify_KeyIdSwappedToAnotherConfiguredKey_Fails()
    {
        var signer = Signer("k1", ("k1", Key1), ("k2", Key2));
        var value = signer.Sign(CookiePurpose.Session, SecureIds.New());

        Assert.False(signer.TryVerify(CookiePurpose.Session, value.Replace("v1.k1.", "v1.k2.", StringComparison.Ordinal), out _));
    }

    [Fact]
    [Trait("Checklist", "B8")]
    public void AntiForgeryToken_IsBoundToTheSession()
    {
        var signer = Signer("k1", ("k1", Key1));
        var token = signer.Derive("sign-out", "session-a");

        Assert.True(signer.VerifyDerived("sign-out", "session-a", token));
        Assert.False(signer.VerifyDerived("sign-out", "session-b", token));
        Assert.False(signer.VerifyDerived("sign-out", "session-a", token[..^1]));
        Assert.False(signer.VerifyDerived("sign-out", "session-a", null));
    }

    [Fact]
    [Trait("Checklist", "B3")]
    public void AntiForgeryToken_FromBeforeAKeyRotation_StillVerifies()
    {
        var token = Signer("k1", ("k1", Key1)).Derive("sign-out", "session-a");

        Assert.True(Signer("k2", ("k1", Key1), ("k2", Key2)).VerifyDerived("sign-out", "session-a", token));
        Assert.False(Signer("k2", ("k2", Key2)).VerifyDerived("sign-out", "session-a", token));
    }
}

using FuncMail.Auth;

namespace FuncMail.Tests.Auth;

[Trait("Checklist", "A8")]
public sealed class ReturnUrlTests
{
    [Theory]
    [InlineData("/api/Mail")]
    [InlineData("/api/Home")]
    [InlineData("/api/Mail?page=2")]
    [InlineData("/")]
    public void Sanitize_LocalPath_IsKept(string url) => Assert.Equal(url, ReturnUrl.Sanitize(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("//evil.com")]
    [InlineData("///evil.com")]
    [InlineData("/\\evil.com")]
    [InlineData("\\\\evil.com")]
    [InlineData("https://evil.com")]
    [InlineData("javascript:alert(1)")]
    [InlineData("api/Mail")]
    [InlineData("/\t/evil.com")]
    [InlineData("/\r\nSet-Cookie: x=1")]
    [InlineData("/ /evil.com")]
    [InlineData("/a\\b")]
    public void Sanitize_AnythingElse_FallsBackToMail(string? url) => Assert.Equal("/api/Mail", ReturnUrl.Sanitize(url));

    [Fact]
    public void Sanitize_TooLong_FallsBackToMail() => Assert.Equal("/api/Mail", ReturnUrl.Sanitize("/" + new string('a', 600)));
}

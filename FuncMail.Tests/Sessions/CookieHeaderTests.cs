using FuncMail.Sessions;
using Microsoft.Extensions.Primitives;

namespace FuncMail.Tests.Sessions;

[Trait("Checklist", "G2")]
public sealed class CookieHeaderTests
{
    [Theory]
    [InlineData("__Host-FuncMail=abc")]
    [InlineData("a=1; __Host-FuncMail=abc; b=2")]
    [InlineData("a=1, __Host-FuncMail=abc, b=2")]
    [InlineData("a=1,   __Host-FuncMail=abc")]
    [InlineData(";; , __Host-FuncMail = abc ;")]
    [InlineData("__Host-FuncMail=\"abc\"")]
    public void Find_WithEitherSeparatorAndStraySpace_FindsTheCookie(string header) =>
        Assert.Equal("abc", CookieHeader.Find(new StringValues(header), "__Host-FuncMail"));

    [Fact]
    public void Find_AcrossSeveralHeaders_FindsTheCookie() =>
        Assert.Equal("abc", CookieHeader.Find(new StringValues(["a=1", "__Host-FuncMail=abc"]), "__Host-FuncMail"));

    [Theory]
    [InlineData("")]
    [InlineData("__Host-FuncMail-SignIn=abc")]
    [InlineData("x__Host-FuncMail=abc")]
    [InlineData("=abc")]
    [InlineData("__Host-FuncMail")]
    public void Find_WhenAbsent_ReturnsNull(string header) =>
        Assert.Null(CookieHeader.Find(new StringValues(header), "__Host-FuncMail"));

    [Fact]
    public void Find_InAHugeHeader_IgnoresIt() =>
        Assert.Null(CookieHeader.Find(new StringValues("__Host-FuncMail=abc; " + new string('x', 20_000)), "__Host-FuncMail"));
}

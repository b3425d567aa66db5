using FuncMail.Web;
using Microsoft.Extensions.Primitives;

namespace FuncMail.Tests.Web;

[Trait("Checklist", "G2")]
public sealed class CookieHeaderTests
{
    [Theory]
    [InlineData("__Host-FuncMail=abc")]
    [InlineData("a=1; __Host-FuncMail=abc; b=2")]
    [InlineData("a=1;__Host-FuncMail=abc")]
    [InlineData(";; __Host-FuncMail = abc ;")]
    public void Find_SemicolonSeparated_FindsTheCookie(string header) =>
        Assert.Equal(new CookieLookup("abc", 1), CookieHeader.Find(new StringValues(header), "__Host-FuncMail"));

    [Fact]
    public void Find_AcrossSeveralHeaders_FindsTheCookie() =>
        Assert.Equal("abc", CookieHeader.Find(new StringValues(["a=1", "__Host-FuncMail=abc"]), "__Host-FuncMail").Value);

    [Theory]
    [InlineData("planted=x,__Host-FuncMail=evil")]
    [InlineData("planted=x, __Host-FuncMail=evil")]
    [InlineData("a=1, __Host-FuncMail=evil, b=2")]
    [InlineData("planted=\"x,__Host-FuncMail=evil\"")]
    public void Find_ValueSmuggledAfterAComma_IsNotOurCookie(string header) =>
        Assert.Equal(new CookieLookup(null, 0), CookieHeader.Find(new StringValues(header), "__Host-FuncMail"));

    [Theory]
    [InlineData("__Host-FuncMail=real; __Host-FuncMail=planted")]
    [InlineData("__Host-FuncMail=real;__Host-FuncMail=real")]
    public void Find_NameTwice_IsAmbiguousWithNoValue(string header)
    {
        var found = CookieHeader.Find(new StringValues(header), "__Host-FuncMail");

        Assert.True(found.IsAmbiguous);
        Assert.Null(found.Value);
    }

    [Fact]
    public void Find_NameOnceInEachOfTwoHeaders_IsAmbiguous() =>
        Assert.True(CookieHeader.Find(new StringValues(["__Host-FuncMail=a", "__Host-FuncMail=b"]), "__Host-FuncMail").IsAmbiguous);

    [Theory]
    [InlineData("")]
    [InlineData("__Host-FuncMail-SignIn=abc")]
    [InlineData("x__Host-FuncMail=abc")]
    [InlineData("__host-funcmail=abc")]
    [InlineData("=abc")]
    [InlineData("__Host-FuncMail")]
    public void Find_WhenAbsent_FindsNothing(string header) =>
        Assert.Equal(new CookieLookup(null, 0), CookieHeader.Find(new StringValues(header), "__Host-FuncMail"));

    [Fact]
    public void Find_InAHugeHeader_IgnoresIt() =>
        Assert.Null(CookieHeader.Find(new StringValues("__Host-FuncMail=abc; " + new string('x', 20_000)), "__Host-FuncMail").Value);
}

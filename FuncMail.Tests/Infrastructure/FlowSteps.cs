using System.Net;

namespace FuncMail.Tests.Infrastructure;

/// <summary>The sign-in dance over real HTTP, one hop at a time, for tests that need a signed-in browser.</summary>
public static class FlowSteps
{
    /// <summary>GET SignIn; returns the authorize URL it redirects to.</summary>
    public static async Task<Uri> StartSignInAsync(HttpClient browser, string returnUrl = "/api/Mail")
    {
        using var response = await browser.GetAsync($"/api/SignIn?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Uri(response.Location());
    }

    /// <summary>Signs in all the way: SignIn, the stubbed authorize step, GetToken. Returns GetToken's response.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(IFuncMailHost host, HttpClient browser, TestUser? user = null, string returnUrl = "/api/Mail")
    {
        var authorize = await StartSignInAsync(browser, returnUrl);
        var callback = host.Entra.Authorize(authorize, user);
        return await browser.GetAsync(callback.PathAndQuery);
    }

    public static async Task<(HttpResponseMessage Response, string Body)> GetPageAsync(HttpClient browser, string path)
    {
        var response = await browser.GetAsync(path);
        return (response, await response.Content.ReadAsStringAsync());
    }
}

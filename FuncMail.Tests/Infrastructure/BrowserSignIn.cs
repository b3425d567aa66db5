using Microsoft.Playwright;

namespace FuncMail.Tests.Infrastructure;

/// <summary>Signs a real browser in: only its trip to the authorize endpoint is answered by the Entra stub (Playwright routing).</summary>
public static class BrowserSignIn
{
    /// <summary>Routes the authorize endpoint for this context; returns a counter of authorize requests.</summary>
    public static async Task<Func<int>> RouteAuthorizeAsync(IBrowserContext context, IFuncMailHost host)
    {
        var count = 0;
        await context.RouteAsync($"https://{EntraStub.Host}/**", async route =>
        {
            Interlocked.Increment(ref count);
            var callback = host.Entra.Authorize(new Uri(route.Request.Url));
            await route.FulfillAsync(new RouteFulfillOptions { Status = 302, Headers = new Dictionary<string, string> { ["Location"] = callback.AbsoluteUri } });
        });
        return () => count;
    }

    /// <summary>Signs in from the home page, as a person would, and lands on the mail page.</summary>
    /// <remarks>
    /// The sign-in starts with a click: Playwright routes a redirect to the authorize endpoint that a click starts,
    /// while a GotoAsync whose first response redirects there goes to the (unreachable) network.
    /// </remarks>
    public static async Task<IPage> SignInAsync(IBrowserContext context, IFuncMailHost host)
    {
        await RouteAuthorizeAsync(context, host);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/api/Home");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Microsoft" }).ClickAsync();
        await page.WaitForURLAsync("**/api/Mail");
        return page;
    }
}

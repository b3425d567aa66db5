using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// Microsoft's sign-in pages as a real browser meets them, answered by Playwright routing (only the browser's own trips
/// to login.microsoftonline.com; FuncMail's calls go to the Entra stub as usual). The browser starts out signed in at
/// Microsoft, so a sign-in is one click; after the end-session endpoint it is not, and the authorize step shows a
/// sign-in page where someone must say who they are.
/// </summary>
public sealed class EntraInTheBrowser
{
    private const string ContinuePath = "/stub/sign-in";
    private int _authorizations;
    private int _signInPages;
    private int _signOuts;

    public int Authorizations => _authorizations;

    /// <summary>Authorize requests that had to show a sign-in page instead of signing the browser straight back in.</summary>
    public int SignInPages => _signInPages;

    public int SignOuts => _signOuts;

    /// <summary>Microsoft's own session cookie in this browser: who is signed in there, if anyone.</summary>
    public bool SignedInAtMicrosoft { get; private set; } = true;

    /// <summary>What each end-session request asked to return to.</summary>
    public List<string> PostLogoutRedirects { get; } = [];

    /// <summary>Who signs in through this browser; null is the Entra stub's default user.</summary>
    public TestUser? User { get; init; }

    public static async Task<EntraInTheBrowser> RouteAsync(IBrowserContext context, IFuncMailHost host, TestUser? user = null)
    {
        var entra = new EntraInTheBrowser { User = user };
        await context.RouteAsync($"https://{EntraStub.Host}/**", route => entra.AnswerAsync(route, host));
        return entra;
    }

    private async Task AnswerAsync(IRoute route, IFuncMailHost host)
    {
        var url = new Uri(route.Request.Url);
        var query = QueryHelpers.ParseQuery(url.Query);
        if (url.AbsolutePath.EndsWith("/oauth2/v2.0/authorize", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _authorizations);
            if (SignedInAtMicrosoft && query["prompt"] != "login")
            {
                await RedirectAsync(route, host.Entra.Authorize(url, User).AbsoluteUri);
                return;
            }

            Interlocked.Increment(ref _signInPages);
            var next = $"https://{EntraStub.Host}{ContinuePath}?authorize={Uri.EscapeDataString(url.AbsoluteUri)}";
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 200,
                ContentType = "text/html; charset=utf-8",
                Body = $"<!DOCTYPE html><title>Sign in to your account</title><h1>Sign in</h1><p>Email, phone, or Skype</p><a href=\"{WebUtility.HtmlEncode(next)}\">Next</a>",
            });
            return;
        }

        if (url.AbsolutePath == ContinuePath)
        {
            SignedInAtMicrosoft = true;
            await RedirectAsync(route, host.Entra.Authorize(new Uri(query["authorize"]!), User).AbsoluteUri);
            return;
        }

        if (url.AbsolutePath.EndsWith("/oauth2/v2.0/logout", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _signOuts);
            SignedInAtMicrosoft = false;
            var back = query["post_logout_redirect_uri"].ToString();
            PostLogoutRedirects.Add(back);
            await RedirectAsync(route, back);
            return;
        }

        host.Entra.Unexpected.Enqueue("browser: " + url.GetLeftPart(UriPartial.Path));
        await route.FulfillAsync(new RouteFulfillOptions { Status = 404 });
    }

    private static Task RedirectAsync(IRoute route, string location) =>
        route.FulfillAsync(new RouteFulfillOptions { Status = 302, Headers = new Dictionary<string, string> { ["Location"] = location } });
}

/// <summary>Signs a real browser in.</summary>
public static class BrowserSignIn
{
    /// <summary>Routes Microsoft's sign-in pages for this context; returns a counter of authorize requests.</summary>
    public static async Task<Func<int>> RouteAuthorizeAsync(IBrowserContext context, IFuncMailHost host)
    {
        var entra = await EntraInTheBrowser.RouteAsync(context, host);
        return () => entra.Authorizations;
    }

    /// <summary>Signs in from the home page, as a person would, and lands on the mail page.</summary>
    /// <remarks>
    /// The sign-in starts with a click: Playwright routes a redirect to the authorize endpoint that a click starts,
    /// while a GotoAsync whose first response redirects there goes to the (unreachable) network.
    /// </remarks>
    public static async Task<IPage> SignInAsync(IBrowserContext context, IFuncMailHost host, TestUser? user = null)
    {
        await EntraInTheBrowser.RouteAsync(context, host, user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/api/Home");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Microsoft" }).ClickAsync();
        await page.WaitForURLAsync("**/api/Mail");
        return page;
    }
}

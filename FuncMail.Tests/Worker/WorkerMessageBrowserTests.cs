using System.Collections.Concurrent;
using FuncMail.Mail;
using FuncMail.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FuncMail.Tests.Worker;

/// <summary>
/// Reading a message in real Chromium, through the emulator's front door to the real worker: a hostile body does
/// nothing, remote images wait to be asked for, inline images and downloads work.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Host", "Worker")]
public sealed class WorkerMessageBrowserTests(AzuriteFixture azurite, BrowserFixture browsers)
{
    /// <summary>Every request the browser makes, by host; only FuncMail's own go through, the rest are refused and recorded.</summary>
    private static async Task<ConcurrentQueue<Uri>> RecordRequestsAsync(IBrowserContext context, IFuncMailHost host, Func<IRoute, Task>? elsewhere = null)
    {
        var seen = new ConcurrentQueue<Uri>();
        await context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            seen.Enqueue(url);
            if (url.Authority == host.BaseAddress.Authority)
            {
                await route.ContinueAsync();
            }
            else if (elsewhere is not null)
            {
                await elsewhere(route);
            }
            else
            {
                await route.AbortAsync();
            }
        });
        return seen;
    }

    private static async Task<IFrame> OpenMessageAsync(IPage page, string subject)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = subject }).ClickAsync();
        await page.WaitForURLAsync("**/api/Message?**");
        var frame = page.Frames.Single(f => f.Url.Contains("/api/MessageBody", StringComparison.Ordinal));
        await frame.WaitForLoadStateAsync(LoadState.Load);
        return frame;
    }

    [Fact]
    [Trait("Checklist", "H7")]
    public async Task HostileBody_RunsNothing_LoadsNothingElsewhere_AndCannotMoveTheTopPage()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        var corpus = string.Concat(HostileMail.Cases.Select(c => $"<div title=\"{System.Net.WebUtility.HtmlEncode((string)c[0])}\">{c[1]}</div>"));
        host.Graph.Inbox.Insert(0, new StubMessage("Your account", "IT Support", "it@evil.example", DateTimeOffset.UtcNow)
        {
            Body = ("html", "<p>Hello, this is IT</p><p><a href=\"https://evil.example/top\" target=\"_top\">Continue to your account</a></p>" + corpus),
        });
        await using var context = await (await browsers.GetAsync()).NewContextAsync(new() { BaseURL = host.BaseAddress.AbsoluteUri });
        var seen = await RecordRequestsAsync(context, host);
        var page = await BrowserSignIn.SignInAsync(context, host);
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            Interlocked.Increment(ref dialogs);
            _ = dialog.DismissAsync();
        };

        var frame = await OpenMessageAsync(page, "Your account");
        var top = page.Url;
        await frame.GetByText("Hello, this is IT").WaitForAsync();
        foreach (var handler in new[] { "mouseover", "focus", "click" })
        {
            // Hovering, focusing and clicking what is left of the hostile markup runs no handler (links are a user's
            // choice to leave, tried below).
            foreach (var element in await frame.Locator("body *:not(a)").AllAsync())
            {
                await element.DispatchEventAsync(handler);
            }
        }

        // Scripts are off in the frame; even code run from outside it may not move the top page (no allow-top-navigation).
        var attempt = await frame.EvaluateAsync<string>("() => { try { window.top.location.href = 'https://evil.example/moved'; return 'assigned'; } catch (e) { return e.name; } }");

        // A navigation that must not happen cannot be awaited; give one the time it would need to start.
        await page.WaitForTimeoutAsync(300);

        Assert.Equal(0, dialogs);
        Assert.Equal(top, page.Url);
        Assert.All(seen, url => Assert.Equal(host.BaseAddress.Authority, url.Authority));
        Assert.Contains(seen, url => url.AbsolutePath == "/api/MessageBody");
        Assert.Equal("SecurityError", attempt);

        // A link the mail marked target=_top opens a new tab, with no opener; the top page stays where it is.
        var popupTask = context.WaitForPageAsync();
        await frame.GetByRole(AriaRole.Link, new() { Name = "Continue to your account" }).ClickAsync();
        var popup = await popupTask;
        Assert.Equal(top, page.Url);
        Assert.NotEqual(page, popup);
        Assert.Contains(seen, url => url.Host == HostileMail.EvilHost && url.AbsolutePath == "/top");
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    [Trait("Checklist", "H7")]
    public async Task Images_OffUntilAsked_ThenHttpsOnly_AndInlineImagesDraw()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        var chart = StubAttachment.File("image001.png", "image/png", StubAttachment.Png) with { ContentId = "image001.png@01D45975.9B5C7340", IsInline = true };
        host.Graph.Inbox.Insert(0, new StubMessage("Newsletter", "Contoso News", "news@contoso.example", DateTimeOffset.UtcNow)
        {
            Body = ("html", """
                <p>This month</p>
                <img id="chart" src="cid:image001.png@01D45975.9B5C7340" alt="Chart" width="40" height="40">
                <img id="logo" src="https://images.contoso.example/logo.png" alt="Logo" width="40" height="40">
                <img id="plain" src="http://images.contoso.example/plain.png" alt="Plain" width="40" height="40">
                <img id="data" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==" alt="Data" width="40" height="40">
                <img src="https://track.contoso.example/open?u=42" width="1" height="1">
                """),
            Attachments = [chart],
        });
        await using var context = await (await browsers.GetAsync()).NewContextAsync(new() { BaseURL = host.BaseAddress.AbsoluteUri });
        var seen = await RecordRequestsAsync(context, host, route => route.FulfillAsync(new() { Status = 200, ContentType = "image/png", BodyBytes = StubAttachment.Png }));
        var page = await BrowserSignIn.SignInAsync(context, host);

        var frame = await OpenMessageAsync(page, "Newsletter");

        // The inline picture draws through its sealed URL (the frame's own requests carry no cookie).
        Assert.True(await frame.Locator("img[alt=Chart]").EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"));
        Assert.DoesNotContain(seen, url => url.Host.EndsWith("contoso.example", StringComparison.Ordinal));
        Assert.Contains("2 remote images were blocked", await page.Locator("p.notice").TextContentAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Link, new() { Name = "Show images in this message" }).ClickAsync();
        await page.WaitForURLAsync("**images=1**");
        frame = page.Frames.Single(f => f.Url.Contains("/api/MessageBody", StringComparison.Ordinal));
        await frame.WaitForLoadStateAsync(LoadState.Load);
        await frame.Locator("img[alt=Logo]").WaitForAsync();

        Assert.True(await frame.Locator("img[alt=Logo]").EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"));
        Assert.True(await frame.Locator("img[alt=Chart]").EvaluateAsync<bool>("i => i.complete && i.naturalWidth > 0"));
        var elsewhere = seen.Where(url => url.Authority != host.BaseAddress.Authority).Select(url => url.AbsoluteUri).ToList();
        Assert.Equal(["https://images.contoso.example/logo.png"], elsewhere);
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    [Trait("Checklist", "H7")]
    public async Task Download_SavesTheFileUnderItsCleanedName()
    {
        await using var host = await FuncMailWorkerHost.StartAsync(azurite);
        var bytes = new byte[300 * 1024];
        new Random(11).NextBytes(bytes);
        host.Graph.Inbox.Insert(0, new StubMessage("Contract", "Legal", "legal@contoso.example", DateTimeOffset.UtcNow)
        {
            Attachments = [StubAttachment.File("Vertrag \"final\"\u202Efdp.exe.zip", "application/zip", bytes)],
        });
        await using var context = await (await browsers.GetAsync()).NewContextAsync(new() { BaseURL = host.BaseAddress.AbsoluteUri, AcceptDownloads = true });
        var page = await BrowserSignIn.SignInAsync(context, host);
        await OpenMessageAsync(page, "Contract");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download" }).ClickAsync());

        Assert.Equal("Vertrag _final_fdp.exe.zip", download.SuggestedFilename);
        var path = await download.PathAsync();
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        host.AssertNoUnexpectedCalls();
    }
}

using System.Net;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using FuncMail.Mail;
using FuncMail.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FuncMail.Tests.Browser;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) on every page FuncMail draws, light and dark, phone and desktop: no serious or
/// critical violation allowed. The message body's frame is left out of the scan (<c>Iframes = false</c>): it is the
/// sender's markup, and axe hangs on a document under a CSP sandbox (dequelabs/axe-core#3592); the page's own rules
/// still check the frame's title.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AccessibilityTests(AzuriteFixture azurite, BrowserFixture browsers)
{
    [Fact]
    public async Task EveryPage_LightAndDark_PhoneAndDesktop_HasNoSeriousOrCriticalViolation()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        var message = new StubMessage("Travel itinerary for the December offsite in Lisbon", "Diego Siciliani", "diego.siciliani@contoso.example", DateTimeOffset.UtcNow.AddMinutes(-5))
        {
            Importance = "high",
            To = [("Ada Lovelace", "ada@contoso.example"), ("Alex Wilber", "alex@contoso.example")],
            Cc = [("Megan Bowen", "megan@contoso.example")],
            Body = ("html", """
                <p>Hi all,</p><p>Attached are the tickets and the hotel confirmation. Please check your names and dates before Friday.</p>
                <p><img src="https://images.contoso.example/lisbon.jpg" alt="Lisbon" width="480"></p>
                <p><a href="https://contoso.example/offsite">The offsite page</a></p><p>Diego</p>
                """),
            Attachments =
            [
                StubAttachment.File("Tickets.pdf", "application/pdf", "%PDF-1.7\n%%EOF\n"u8.ToArray()),
                new StubAttachment("item", "Re: Hotel booking", null, []) { Size = 14_210 },
            ],
        };
        host.Graph.Inbox.Insert(0, message);
        var list = new MessageQuery("inbox", 25, 0, null, null);
        var gone = MailPageView.MessageUrl(StubIds.Message(), list);
        var pages = new (string Name, string Path, int Status)[]
        {
            ("mail", "/api/Mail", 200),
            ("message", MailPageView.MessageUrl(message.Id, list), 200),
            ("message with images", MailPageView.MessageUrl(message.Id, list, showImages: true), 200),
            ("bad link (400)", "/api/Message?id=not.valid", 400),
            ("message gone (404)", gone, 404),
            ("attachment not a file (404)", MailPageView.DownloadUrl(message.Id, message.Attachments[1].Id), 404),
            ("sign-out", "/api/SignOut", 200),
            ("home, signed out", "/api/Home", 200),
        };
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var lanes = from device in new[] { ("phone", 360, 740), ("desktop", 1280, 800) }
                    from scheme in new[] { ColorScheme.Light, ColorScheme.Dark }
                    select (device, scheme);

        // One after another: axe takes about two seconds a page on a two-core machine, and side by side no less.
        foreach (var lane in lanes)
        {
            var ((device, width, height), scheme) = lane;
            {
                await using var context = await (await browsers.GetAsync()).NewContextAsync(new BrowserNewContextOptions
                {
                    BaseURL = host.BaseAddress.AbsoluteUri,
                    ViewportSize = new ViewportSize { Width = width, Height = height },
                    ColorScheme = scheme,
                });
                await context.RouteAsync("https://images.contoso.example/**", route => route.FulfillAsync(new() { Status = 200, ContentType = "image/png", BodyBytes = StubAttachment.Png }));
                var page = await BrowserSignIn.SignInAsync(context, host, TestUser.Work());
                foreach (var (name, path, status) in pages)
                {
                    var response = await page.GotoAsync(path);
                    Assert.True(response!.Status == status, $"{name}: HTTP {response.Status}");
                    var result = await page.RunAxe(new AxeRunOptions { Iframes = false });
                    Assert.True(result.Passes.Length > 10, $"{name}: axe checked only {result.Passes.Length} rules");
                    foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
                    {
                        violations.Enqueue($"{device} {scheme} {name}: {violation.Id} ({violation.Impact}) at {string.Join(", ", violation.Nodes.Select(n => n.Target))}");
                    }

                    if (name == "message" && Screenshots.PathFor($"message-{device}-{scheme.ToString().ToLowerInvariant()}.png") is { } picture)
                    {
                        await page.ScreenshotAsync(new PageScreenshotOptions { Path = picture, FullPage = true });
                    }
                }
            }
        }

        Assert.True(violations.IsEmpty, string.Join("\n", violations));
        host.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task MessagePage_Phone_HasNoHorizontalScrollAndTheFrameFits()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        var message = new StubMessage("A subject long enough to wrap on a small phone screen without pushing the page sideways", "Diego Siciliani", "diego.siciliani@contoso.example", DateTimeOffset.UtcNow)
        {
            Attachments = [StubAttachment.File(new string('x', 120) + ".pdf", "application/pdf", [1])],
        };
        host.Graph.Inbox.Insert(0, message);
        await using var context = await (await browsers.GetAsync()).NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.BaseAddress.AbsoluteUri,
            ViewportSize = new ViewportSize { Width = 360, Height = 740 },
        });
        var page = await BrowserSignIn.SignInAsync(context, host);

        var response = await page.GotoAsync(MailPageView.MessageUrl(message.Id, new MessageQuery("inbox", 25, 0, null, null)));

        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        Assert.True(await page.Locator("html").EvaluateAsync<int>("html => html.scrollWidth") <= 360);
        Assert.True(await page.Locator("iframe.body").EvaluateAsync<int>("f => f.getBoundingClientRect().width") <= 360);
        Assert.Equal("Message body", await page.Locator("iframe.body").GetAttributeAsync("title"));
    }
}

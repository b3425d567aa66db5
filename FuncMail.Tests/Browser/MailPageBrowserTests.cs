using FuncMail.Tests.Infrastructure;
using Microsoft.Playwright;

namespace FuncMail.Tests.Browser;

/// <summary>The mail page in real Chromium: responsive from a 360 px phone to a desktop, light and dark, no JavaScript needed.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MailPageBrowserTests(AzuriteFixture azurite, BrowserFixture browsers)
{
    [Fact]
    public async Task MailPage_PhoneAndDesktop_LightAndDark_RenderWithoutHorizontalScroll()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        host.Graph.Inbox.Add(new StubMessage("Travel itinerary for the December offsite in Lisbon, with hotel and flights", "Diego Siciliani", "diego.siciliani@contoso.example", DateTimeOffset.UtcNow.AddMinutes(-5))
        {
            IsRead = false,
            HasAttachments = true,
            Importance = "high",
            Preview = "Hi all, attached are the tickets and the hotel confirmation. Please check your names and dates before Friday.",
        });
        var backgrounds = new Dictionary<string, string>();

        foreach (var (device, width, height) in new[] { ("phone", 360, 740), ("desktop", 1280, 800) })
        {
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                await using var context = await (await browsers.GetAsync()).NewContextAsync(new BrowserNewContextOptions
                {
                    BaseURL = host.BaseAddress.AbsoluteUri,
                    ViewportSize = new ViewportSize { Width = width, Height = height },
                    ColorScheme = scheme,
                    JavaScriptEnabled = false,
                });
                var page = await BrowserSignIn.SignInAsync(context, host);

                var response = await page.ReloadAsync();

                Assert.Equal(200, response!.Status);
                Assert.Equal(4, await page.Locator("ol.rows > li").CountAsync());
                var scrollWidth = await page.Locator("html").EvaluateAsync<int>("html => html.scrollWidth");
                Assert.True(scrollWidth <= width, $"{device}: the page is {scrollWidth}px wide in a {width}px viewport");
                backgrounds[$"{device}-{scheme}"] = await page.Locator("body").EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor");
                if (Screenshots.PathFor($"mail-{device}-{scheme.ToString().ToLowerInvariant()}.png") is { } picture)
                {
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = picture });
                }
            }
        }

        Assert.NotEqual(backgrounds["desktop-Light"], backgrounds["desktop-Dark"]);
        Assert.Equal(backgrounds["phone-Dark"], backgrounds["desktop-Dark"]);
    }

    [Fact]
    public async Task MailPage_Keyboard_SkipLinkThenFolders()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        await using var context = await (await browsers.GetAsync()).NewContextAsync(new BrowserNewContextOptions { BaseURL = host.BaseAddress.AbsoluteUri });
        var page = await BrowserSignIn.SignInAsync(context, host);

        await page.Keyboard.PressAsync("Tab");

        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Assert.True(await page.GetByRole(AriaRole.Navigation, new() { Name = "Folders" }).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Search).IsVisibleAsync());
        Assert.True(await page.GetByLabel("Search").IsVisibleAsync());
        Assert.True(await page.GetByLabel("Per page").IsVisibleAsync());
    }
}

using Microsoft.Playwright;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the run: FUNCMAIL_CHROMIUM, else /usr/bin/chromium (no download), else Playwright's own
/// Chromium, which Playwright installs on first use where the internet is reachable. Started on first use, so runs
/// without browser tests never launch it; with no browser at all the browser tests fail with how to get one.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task<IBrowser> GetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_browser is not null)
            {
                return _browser;
            }

            var path = Environment.GetEnvironmentVariable("FUNCMAIL_CHROMIUM") is { Length: > 0 } configured ? configured
                : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
                : null;
            if (path is not null && !File.Exists(path))
            {
                throw new InvalidOperationException($"FUNCMAIL_CHROMIUM points at {path}, which does not exist.");
            }

            _playwright = await Playwright.CreateAsync();
            var options = new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            };
            try
            {
                if (path is null && Microsoft.Playwright.Program.Main(["install", "chromium"]) != 0)
                {
                    throw new PlaywrightException("Playwright could not install its Chromium.");
                }

                _browser = await _playwright.Chromium.LaunchAsync(options);
            }
            catch (PlaywrightException e)
            {
                throw new InvalidOperationException(
                    "No Chromium for the browser tests. On Debian or Ubuntu: sudo apt-get install -y chromium. " +
                    "Elsewhere set FUNCMAIL_CHROMIUM to a Chromium or Chrome binary, or install Playwright's browsers.", e);
            }

            return _browser;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _gate.Dispose();
    }
}

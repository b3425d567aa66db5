using System.Net;

namespace FuncMail.Tests.Infrastructure;

/// <summary>A test class with its own FuncMail host and one cookie-keeping browser, optionally signed in before each test.</summary>
[Collection(AzuriteCollection.Name)]
public abstract class HostedTest(AzuriteFixture azurite, bool signedIn = false) : IAsyncLifetime
{
    /// <summary>The run's Azurite, for tests that start a differently configured host of their own.</summary>
    protected AzuriteFixture Azurite { get; } = azurite;

    protected FuncMailTestHost Host { get; private set; } = null!;

    protected HttpClient Browser { get; private set; } = null!;

    protected CookieJar Jar { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await FuncMailTestHost.StartAsync(Azurite);
        (Browser, Jar) = Host.CreateBrowser();
        if (signedIn)
        {
            using var response = await FlowSteps.SignInAsync(Host, Browser);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Host.Tables.Reset();
        }
    }

    /// <summary>Every test ends by checking that no stub saw a call it was not built to answer.</summary>
    public async Task DisposeAsync()
    {
        try
        {
            Host.AssertNoUnexpectedCalls();
        }
        finally
        {
            await Host.DisposeAsync();
        }
    }
}

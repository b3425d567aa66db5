using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Sessions;

/// <summary>Table Storage failing under a signed-in user (checklist E4), injected at the SDK transport.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageOutageTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private FuncMailTestHost _host = null!;
    private HttpClient _browser = null!;
    private CookieJar _jar = null!;

    public async Task InitializeAsync()
    {
        _host = await FuncMailTestHost.StartAsync(azurite);
        (_browser, _jar) = _host.CreateBrowser();
        using var signedIn = await FlowSteps.SignInAsync(_host, _browser);
        _host.Tables.Reset();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    [Trait("Checklist", "E4")]
    public async Task Mail_OneTransient503_IsRetriedBySdkAndSucceeds()
    {
        _host.TableFaults.FailNext(1);

        using var response = await _browser.GetAsync("/api/Mail");

        Assert.True(response.StatusCode == HttpStatusCode.OK, _host.LogText);
        Assert.Equal(2, _host.Tables.Reads); // the failed attempt and its retry
    }

    [Fact]
    [Trait("Checklist", "E4")]
    public async Task Mail_PersistentStorageOutage_Shows503PageAndKeepsTheSession()
    {
        _host.TableFaults.FailNext(int.MaxValue);

        var (response, body) = await FlowSteps.GetPageAsync(_browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Your session is kept", body, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Contains(Cookies.Session, _jar.Cookies.Keys);
        Assert.Equal(3, _host.Tables.Reads); // bounded: the first try and the SDK's two retries

        _host.TableFaults.Clear();
        using var recovered = await _browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    [Trait("Checklist", "E4")]
    public async Task SignIn_PersistentStorageOutage_Shows503Page()
    {
        _host.TableFaults.FailNext(int.MaxValue);
        var (other, _) = _host.CreateBrowser();

        using var response = await other.GetAsync("/api/SignIn");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}

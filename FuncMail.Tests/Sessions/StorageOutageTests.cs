using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Sessions;

/// <summary>Table Storage failing under a signed-in user (checklist E4), injected at the SDK transport.</summary>
public sealed class StorageOutageTests(AzuriteFixture azurite) : HostedTest(azurite, signedIn: true)
{
    [Fact]
    [Trait("Checklist", "E4")]
    public async Task Mail_OneTransient503_IsRetriedBySdkAndSucceeds()
    {
        Host.TableFaults.FailNext(1);

        using var response = await Browser.GetAsync("/api/Mail");

        Assert.True(response.StatusCode == HttpStatusCode.OK, Host.LogText);
        Assert.Equal(2, Host.Tables.Reads); // the failed attempt and its retry
    }

    [Fact]
    [Trait("Checklist", "E4")]
    public async Task Mail_PersistentStorageOutage_Shows503PageAndKeepsTheSession()
    {
        Host.TableFaults.FailNext(int.MaxValue);

        var (response, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Your session is kept", body, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Contains(Cookies.Session, Jar.Cookies.Keys);
        Assert.Equal(3, Host.Tables.Reads); // bounded: the first try and the SDK's two retries

        Host.TableFaults.Clear();
        using var recovered = await Browser.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    [Trait("Checklist", "E4")]
    public async Task SignIn_PersistentStorageOutage_Shows503Page()
    {
        Host.TableFaults.FailNext(int.MaxValue);
        var (other, _) = Host.CreateBrowser();

        using var response = await other.GetAsync("/api/SignIn");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}

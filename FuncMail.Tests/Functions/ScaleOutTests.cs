using System.Net;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Functions;

/// <summary>Two instances of the app sharing one storage account, as a consumption plan scales out (checklist E5).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScaleOutTests(AzuriteFixture azurite)
{
    [Fact]
    [Trait("Checklist", "E5")]
    public async Task SignInOnInstanceA_CallbackAndMailOnInstanceB_Succeed()
    {
        await using var a = await FuncMailTestHost.StartAsync(azurite);
        await using var b = await FuncMailTestHost.StartAsync(azurite, sameAppAs: a);
        var (browserOnA, jar) = a.CreateBrowser();
        var (browserOnB, jarOnB) = b.CreateBrowser();

        var callback = a.Entra.Authorize(await FlowSteps.StartSignInAsync(browserOnA));
        foreach (var cookie in jar.Cookies)
        {
            jarOnB.Cookies[cookie.Key] = cookie.Value; // one browser; the load balancer picked another instance
        }

        using var token = await browserOnB.GetAsync(callback.PathAndQuery);
        Assert.Equal("/api/Mail", token.Location());
        using var mailOnB = await browserOnB.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, mailOnB.StatusCode);

        jar.Cookies[Cookies.Session] = jarOnB.Cookies[Cookies.Session];
        using var mailOnA = await browserOnA.GetAsync("/api/Mail");
        Assert.Equal(HttpStatusCode.OK, mailOnA.StatusCode);
        a.AssertNoUnexpectedCalls();
    }
}

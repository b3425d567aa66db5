using System.Net;
using System.Text.Json.Nodes;
using FuncMail.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace FuncMail.Tests.Auth;

/// <summary>Continuous access evaluation (checklist H5): FuncMail declares cp1 and answers Graph's claims challenges.</summary>
[Trait("Checklist", "H5")]
public sealed class ClaimsChallengeTests(AzuriteFixture azurite) : HostedTest(azurite, signedIn: true)
{
    [Fact]
    public void EveryTokenRequest_DeclaresTheCp1Capability()
    {
        var redemption = Assert.Single(Host.Entra.TokenRequests);

        var claims = JsonNode.Parse(redemption["claims"])!;
        Assert.Equal("cp1", claims["access_token"]!["xms_cc"]!["values"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Mail_ChallengeEntraAnswersSilently_RetriesOnceWithTheClaimsAndShowsThePage()
    {
        Host.Graph.Enqueue(() => GraphStub.ClaimsChallenge(Host.Time.GetUtcNow().ToUnixTimeSeconds()));

        var (response, _) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refresh = Assert.Single(Host.Entra.TokenRequests, r => r["grant_type"] == "refresh_token");
        Assert.True(EntraStub.IsChallenge(refresh["claims"]), "the refresh carried the challenge's claims");
        Assert.Equal(2, Host.Graph.MessageRequests.Count());
    }

    [Fact]
    public async Task Mail_ChallengeNeedingTheUser_GoesToSignInWithTheClaimsAndKeepsWhereTheUserWas()
    {
        Host.Entra.ClaimsChallengesNeedInteraction = true;
        Host.Graph.Enqueue(() => GraphStub.ClaimsChallenge(Host.Time.GetUtcNow().ToUnixTimeSeconds()));
        Host.Time.Advance(TimeSpan.FromMinutes(3)); // not a session that was signed in moments ago

        using var mail = await Browser.GetAsync("/api/Mail?folder=sentitems");

        Assert.Equal(HttpStatusCode.Redirect, mail.StatusCode);
        var signIn = QueryHelpers.ParseQuery(new Uri(new Uri("http://x"), mail.Location()).Query);
        Assert.Equal("/api/Mail?folder=sentitems", signIn["returnUrl"]);
        Assert.False(string.IsNullOrEmpty(signIn["claims"]));

        var authorize = await AuthorizeAsync(mail.Location());
        var sent = JsonNode.Parse(QueryHelpers.ParseQuery(authorize.Query)["claims"]!)!;
        Assert.True(sent["access_token"]!["nbf"]!["essential"]!.GetValue<bool>());
        using var callback = await Browser.GetAsync(Host.Entra.Authorize(authorize).PathAndQuery);
        Assert.Equal("/api/Mail?folder=sentitems", callback.Location());
    }

    [Fact]
    [Trait("Checklist", "E3")]
    public async Task Mail_SecondChallengeRightAfterAClaimsSignIn_ShowsAPageInsteadOfLooping()
    {
        Host.Entra.ClaimsChallengesNeedInteraction = true;
        Host.Time.Advance(TimeSpan.FromMinutes(3));
        Host.Graph.Enqueue(() => GraphStub.ClaimsChallenge(Host.Time.GetUtcNow().ToUnixTimeSeconds()));
        using var mail = await Browser.GetAsync("/api/Mail");
        var authorize = await AuthorizeAsync(mail.Location());
        using (await Browser.GetAsync(Host.Entra.Authorize(authorize).PathAndQuery)) { }
        Host.Graph.Enqueue(() => GraphStub.ClaimsChallenge(Host.Time.GetUtcNow().ToUnixTimeSeconds()));

        var (again, body) = await FlowSteps.GetPageAsync(Browser, "/api/Mail");

        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains("Sign-in keeps being asked for", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-base64!")]
    [InlineData("WyJhbiBhcnJheSJd")] // ["an array"]
    [InlineData("bm90IGpzb24")] // not json
    [InlineData("eyJhY2Nlc3NfdG9rZW4iOjV9")] // {"access_token":5}: would replace the cp1 capability
    [InlineData("eyJ1c2VyaW5mbyI6e319")] // {"userinfo":{}}
    [InlineData("e30")] // {}
    [InlineData("")] // present but empty: not silently a sign-in without the challenge
    [InlineData("OVERSIZED")] // longer than any claims request: refused, never dropped (a dropped challenge loops, E3)
    public async Task SignIn_WithClaimsThatAreNotAJsonObject_Is400WithoutAnyIo(string claims)
    {
        Host.Tables.Reset();

        if (claims == "OVERSIZED")
        {
            claims = FuncMail.Auth.ClaimsChallenge.Encode("{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"" + new string('1', 6000) + "\"}}}");
        }

        var (response, _) = await FlowSteps.GetPageAsync(Browser, "/api/SignIn?claims=" + Uri.EscapeDataString(claims));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, Host.Tables.Writes);
    }

    private async Task<Uri> AuthorizeAsync(string signInPath)
    {
        using var response = await Browser.GetAsync(signInPath);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return new Uri(response.Location());
    }
}

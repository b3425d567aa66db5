using FuncMail.Mail;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace FuncMail.Tests.Mail;

public sealed class MailPageViewTests
{
    private static readonly TimeZoneInfo Berlin = MailPageView.Zone("W. Europe Standard Time").Zone;

    [Fact]
    public void Zone_WindowsAndIanaIds_AreBothFound()
    {
        Assert.False(MailPageView.Zone("W. Europe Standard Time").IsFallback);
        Assert.False(MailPageView.Zone("Europe/Berlin").IsFallback);
        Assert.False(MailPageView.Zone("Pacific Standard Time").IsFallback);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Mars/Olympus_Mons")]
    public void Zone_UnknownOrMissing_FallsBackToUtc(string? id)
    {
        var (zone, isFallback) = MailPageView.Zone(id);

        Assert.True(isFallback);
        Assert.Equal(TimeZoneInfo.Utc, zone);
    }

    [Fact]
    public void FormatReceived_AcrossTheAutumnDstChange_UsesEachInstantsOwnOffset()
    {
        // Europe left summer time at 01:00 UTC on 25 October 2026: 23:30 UTC the day before is 01:30 CEST, 02:30 UTC is 03:30 CET.
        var now = new DateTimeOffset(2026, 10, 25, 12, 0, 0, TimeSpan.Zero);
        var beforeChange = new DateTimeOffset(2026, 10, 24, 23, 30, 0, TimeSpan.Zero);
        var afterChange = new DateTimeOffset(2026, 10, 25, 2, 30, 0, TimeSpan.Zero);

        Assert.Equal("01:30", MailPageView.FormatReceived(beforeChange, Berlin, now));
        Assert.Equal("03:30", MailPageView.FormatReceived(afterChange, Berlin, now));

        var rows = MailPageView.Rows([Message(beforeChange), Message(afterChange)], new MessageQuery("inbox", 25, 0, null, null), Berlin, now);
        Assert.EndsWith("+02:00", rows[0].ReceivedIso, StringComparison.Ordinal);
        Assert.EndsWith("+01:00", rows[1].ReceivedIso, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatReceived_SpringDstChange_KeepsLocalDayBoundaries()
    {
        // 29 March 2026, 00:30 UTC is 01:30 CET on the 29th; 22:30 UTC the same day is 00:30 CEST on the 30th.
        var now = new DateTimeOffset(2026, 3, 29, 21, 0, 0, TimeSpan.Zero); // 23:00 CEST on the 29th

        Assert.Equal("01:30", MailPageView.FormatReceived(new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero), Berlin, now));
        Assert.Equal("28 Mar", MailPageView.FormatReceived(new DateTimeOffset(2026, 3, 28, 22, 30, 0, TimeSpan.Zero), Berlin, now));
    }

    [Fact]
    public void FormatReceived_TodayAsTimeOlderAsDate_InTheMailboxZone()
    {
        var now = new DateTimeOffset(2026, 11, 27, 23, 30, 0, TimeSpan.Zero); // already 28 Nov in Berlin

        Assert.Equal("00:15", MailPageView.FormatReceived(new DateTimeOffset(2026, 11, 27, 23, 15, 0, TimeSpan.Zero), Berlin, now));
        Assert.Equal("27 Nov", MailPageView.FormatReceived(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero), Berlin, now));
        Assert.Equal("3 Dec 2025", MailPageView.FormatReceived(new DateTimeOffset(2025, 12, 3, 9, 0, 0, TimeSpan.Zero), Berlin, now));
    }

    [Theory]
    [Trait("Checklist", "D5")]
    [InlineData("https://outlook.office365.com/owa/?ItemID=AAMk&viewmodel=ReadMessageItem", true)]
    [InlineData("https://outlook.live.com/owa/?ItemID=AAMk", true)]
    [InlineData("http://outlook.office365.com/owa/?ItemID=AAMk", false)]
    [InlineData("javascript:alert(1)//https://outlook.office365.com/", false)]
    [InlineData("https://outlook.office365.com.evil.example/owa/", false)]
    [InlineData("https://user:pass@outlook.office365.com/owa/", false)]
    [InlineData("https://outlook.office365.com:8443/owa/", false)]
    [InlineData("//outlook.office365.com/owa/", false)]
    [InlineData("data:text/html,<script>alert(1)</script>", false)]
    [InlineData(null, false)]
    public void SafeOutlookLink_OnlyHttpsOutlookHosts(string? webLink, bool kept) =>
        Assert.Equal(kept, MailPageView.SafeOutlookLink(webLink) is not null);

    // Graph's nextLinks for a folder's messages, in the forms it writes. Sources:
    // - the key-segment form with percent-encoded options: a capture in oomol-lab/open-connector#372;
    // - /users/{id}/...: the form Graph writes when the request named the user (msgraph-sdk-javascript#178);
    // - the slash form and encoded keys: Microsoft's "Paging Microsoft Graph data" and user-list-messages examples.
    [Theory]
    [Trait("Checklist", "D6")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders('AQMkADAwATM0MDAAMS1iNTcwLWI2NTEtMDACLTAwCgAuAAADfG8AAAA%3D')/messages?%24select=subject&%24search=%22x%22&%24top=10&%24skiptoken=MSZZVlJC", "MSZZVlJC")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders('inbox')/messages?%24search=%22x%22&%24top=10&%24skiptoken=abc", "abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$search=%22x%22&$skiptoken=abc", "abc")]
    [InlineData("https://graph.microsoft.com/v1.0/users/0f2f5b1e-3f2a-4d8a-9b0e-1c2d3e4f5a6b/mailFolders('inbox')/messages?%24skiptoken=abc", "abc")]
    [InlineData("https://graph.microsoft.com/v1.0/users/ada.lovelace@contoso.com/mailFolders/AAMkInbox0001/messages?$skiptoken=abc", "abc")]
    [InlineData("https://GRAPH.microsoft.com/v1.0/me/mailFolders/inbox/messages?$skiptoken=a%2Bb", "a+b")]
    public void NextLink_InAFormGraphWrites_GivesItsSkipToken(string link, string skipToken) =>
        Assert.Equal(skipToken, GraphNextLink.SkipToken(link, new Uri("https://graph.microsoft.com/v1.0")));

    [Theory]
    [Trait("Checklist", "D6")]
    [InlineData("https://evil.example/v1.0/me/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com.evil.example/v1.0/me/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("http://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com:444/v1.0/me/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("https://x@graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/beta/me/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/../../users/boss/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/%2e%2e/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders('a%2Fb')/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders('a%5Cb')/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/users/../me/mailFolders/inbox/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/messages?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/events?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages/AAMk/attachments?$skiptoken=abc")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$top=10")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$skiptoken=a&$skiptoken=b")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages?$skiptoken=abc#fragment")]
    [InlineData("/v1.0/me/mailFolders/inbox/messages?$skiptoken=abc")]
    public void NextLink_InAnyOtherForm_GivesNothing(string link) =>
        Assert.Null(GraphNextLink.SkipToken(link, new Uri("https://graph.microsoft.com/v1.0")));

    [Theory]
    [Trait("Checklist", "D6")]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders?%24select=id%2CdisplayName&%24top=250&%24skip=250", true)]
    [InlineData("https://graph.microsoft.com/v1.0/users/0f2f5b1e-3f2a-4d8a-9b0e-1c2d3e4f5a6b/mailFolders?$skip=10", true)]
    [InlineData("https://evil.example/v1.0/me/mailFolders?$skip=10", false)]
    [InlineData("http://graph.microsoft.com/v1.0/me/mailFolders?$skip=10", false)]
    [InlineData("https://graph.microsoft.com:444/v1.0/me/mailFolders?$skip=10", false)]
    [InlineData("https://x@graph.microsoft.com/v1.0/me/mailFolders?$skip=10", false)]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/%2e%2e/messages?$skip=10", false)]
    [InlineData("https://graph.microsoft.com/v1.0/users/../me/mailFolders?$skip=10", false)]
    [InlineData("https://graph.microsoft.com/v1.0/me/messages?$skip=10", false)]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders/inbox/childFolders?$skip=10", false)]
    [InlineData("https://graph.microsoft.com/v1.0/me/mailFolders", false)]
    public void FolderListNextLink_OnlyGraphsOwnFormIsFollowed(string link, bool followed) =>
        Assert.Equal(followed, GraphNextLink.FolderListPage(link, new Uri("https://graph.microsoft.com/v1.0")) is not null);

    [Theory]
    [InlineData("size=7", "Page size")]
    [InlineData("size=500", "Page size")]
    [InlineData("skip=-1", "newest 1000")]
    [InlineData("skip=5000", "newest 1000")]
    [InlineData("folder=../../users", "folder link")]
    [InlineData("folder=a%2Fb", "folder link")]
    [InlineData("q=%00x", "Search text")]
    public void TryParse_OutOfBounds_IsRefusedWithAMessage(string query, string message)
    {
        Assert.Null(MessageQuery.TryParse(Single(Query(query)), 10, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Defaults_AreTheInboxNewestFirst()
    {
        var query = MessageQuery.TryParse(Single(Query("")), 10, out _)!;

        Assert.Equal(new MessageQuery("inbox", 10, 0, null, null), query);
    }

    [Theory]
    [InlineData("inbox", 10, 0, null, null)]
    [InlineData("AAMkProjects0006", 25, 50, null, null)]
    [InlineData("inbox", 50, 0, "plans & \"numbers\" ü", "MSZZVlJCUVV+/=")]
    public void Rows_MessageLinks_AreWhatMessageUrlWrites(string folder, int size, int skip, string? search, string? next)
    {
        var query = new MessageQuery(folder, size, skip, search, next);
        string[] ids = ["AAMkAGI2TG93AAA=", "AAMk+AG/I2-T_G93==", "AQMkADAwATM0MDAAMS1iNTcwLWI2NTEtMDACLTAwCgBGAAAD"];

        var rows = MailPageView.Rows([.. ids.Select(id => Message(DateTimeOffset.UnixEpoch) with { Id = id })], query, Berlin, DateTimeOffset.UnixEpoch);

        Assert.Equal(ids.Select(id => MailPageView.MessageUrl(id, query)), rows.Select(r => r.MessageUrl));
    }

    private static GraphMessage Message(DateTimeOffset received) =>
        new("id", "s", received, null, null, true, false, "normal", null);

    /// <summary>The mail function's reading of the query: the edge's one rule for a single value.</summary>
    private static Func<string, string?> Single(IQueryCollection query) => name => FuncMail.Web.QueryValues.Single(query, name);

    private static IQueryCollection Query(string query) =>
        new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => (StringValues)p.Value));
}

using System.Text.Encodings.Web;
using BenchmarkDotNet.Attributes;
using FuncMail.Auth;
using FuncMail.Mail;
using FuncMail.Pages;
using FuncMail.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace FuncMail.Benchmarks;

/// <summary>
/// The CPU work of a warm Mail request outside I/O: verify the cookie, build the per-request MSAL client bound to
/// the session's cache, decrypt a realistic cache, render the page. Composed through AddFuncMail like the app.
/// Run: dotnet run -c Release --project bench/FuncMail.Benchmarks -- --filter '*'
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private ServiceProvider _services = null!;
    private CookieSigner _signer = null!;
    private MsalClientFactory _msal = null!;
    private TokenCacheProtector _protector = null!;
    private string _cookie = "";
    private byte[] _sealedCache = [];
    private MailModel _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Entra:ClientId"] = "11111111-2222-3333-4444-555555555555",
            ["Entra:ClientSecret"] = "benchmark",
            ["Session:Keys:k1"] = Convert.ToBase64String(new byte[32]),
            ["Session:ActiveKeyId"] = "k1",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        }).Build();
        _services = new ServiceCollection().AddFuncMail(configuration, new HostingEnvironment { EnvironmentName = "Production" }).BuildServiceProvider();
        _signer = _services.GetRequiredService<CookieSigner>();
        _msal = _services.GetRequiredService<MsalClientFactory>();
        _protector = _services.GetRequiredService<TokenCacheProtector>();
        _cookie = _signer.Sign(CookiePurpose.Session, SecureIds.New());
        _sealedCache = _protector.Protect("session", new byte[3200]); // a one-user cache is about 3.2 KB (docs/platform.md)
        _model = new MailModel
        {
            DisplayName = "Ada Lovelace",
            Username = "ada@contoso.example",
            SignOutToken = "token",
            FolderName = "Inbox",
            Folder = "inbox",
            Search = null,
            PageSize = 10,
            Messages = [.. Enumerable.Range(0, 10).Select(i => new MessageRow
            {
                FromName = $"Sender {i}",
                FromAddress = $"s{i}@contoso.example",
                Subject = $"Subject <{i}> & more",
                Preview = "A preview line of the message body",
                ReceivedText = "09:30",
                ReceivedIso = "2026-11-27T09:30:00+01:00",
                IsUnread = i % 3 == 0,
                HasAttachments = i % 4 == 0,
                IsHighImportance = i == 5,
                OutlookUrl = "https://outlook.office365.com/owa/?ItemID=x",
                MessageUrl = Routes.MessagePath + "?size=10&id=AAMkAGI2" + i,
            })],
            Folders = [new FolderLink("Inbox", Routes.MailPath, 3, true), new FolderLink("Sent Items", Routes.MailPath + "?folder=sentitems", null, false)],
            FoldersNote = "Top-level folders; folders inside folders are not listed.",
            TimeZoneNote = "Times are in your mailbox's time zone.",
            NewerUrl = null,
            OlderUrl = Routes.MailPath + "?skip=10",
        };
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public bool VerifyCookie() => _signer.TryVerify(CookiePurpose.Session, _cookie, out _);

    [Benchmark]
    public object BuildMsalClient() => _msal.Create(new TokenCacheSlot(null, null));

    [Benchmark]
    public byte[]? DecryptCache() => _protector.Unprotect("session", "k1", _sealedCache);

    [Benchmark]
    public async Task<int> RenderMailPage()
    {
        var writer = new StringWriter();
        await MailPage.Create(_model).RenderAsync(writer, HtmlEncoder.Default);
        return writer.GetStringBuilder().Length;
    }
}

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
        _model = RenderBenchmarks.Model(10);
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

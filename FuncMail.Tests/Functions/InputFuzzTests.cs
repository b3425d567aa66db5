using System.Net.Sockets;
using System.Text;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Functions;

/// <summary>
/// Malformed input on every endpoint (checklist G1): 10,000 seeded cases of odd methods, query strings, cookies and
/// bodies, sent as raw bytes over a socket so that invalid UTF-8 and duplicate headers reach the server unchanged.
/// Every answer must be a 2xx, 3xx or 4xx: never a 5xx, never a dropped connection.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class InputFuzzTests(AzuriteFixture azurite)
{
    private const int Cases = 10_000;
    private const int Seed = 20261127;
    private static readonly string[] Paths = ["/api/Home", "/api/Mail", "/api/SignIn", "/api/GetToken", "/api/SignOut", "/API/mail", "/api/Message", "/api/MessageBody", "/api/Attachment"];
    private static readonly string[] Names = ["returnUrl", "code", "state", "error", "error_description", "csrf", "x", "id", "message", "download", "t", "images"];

    [Fact]
    [Trait("Checklist", "G1")]
    public async Task AllEndpoints_TenThousandMalformedRequests_NeverAnswer5xx()
    {
        await using var host = await FuncMailTestHost.StartAsync(azurite);
        var (browser, jar) = host.CreateBrowser();
        using (await FlowSteps.SignInAsync(host, browser)) { }
        var session = jar.Cookies[Cookies.Session];

        var failures = new List<string>();
        var byClass = new int[6];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Cases)
            {
                var request = Build(new Random(Seed + i), session);
                var status = await SendAsync(host.BaseAddress, request);
                Interlocked.Increment(ref byClass[Math.Clamp(status / 100, 0, 5)]);
                if (status is < 200 or >= 500)
                {
                    lock (failures) { failures.Add($"case {i}: HTTP {status} for {Encoding.Latin1.GetString(request)[..Math.Min(300, request.Length)]}"); }
                }
            }
        })));

        // The cases must reach the functions, not only Kestrel's own 400s: many pages and redirects come back too
        // (fewer pages since the message endpoints joined: most random ids are a 400 there, as they should be).
        Assert.True(byClass[2] > Cases / 20 && byClass[3] > Cases / 10, $"2xx {byClass[2]}, 3xx {byClass[3]}, 4xx {byClass[4]}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases} cases failed; first: {failures.FirstOrDefault()}\n{host.LogText[..Math.Min(4000, host.LogText.Length)]}");
    }

    private static byte[] Build(Random random, string session)
    {
        var method = random.Next(10) switch { < 6 => "GET", < 9 => "POST", _ => random.GetItems<string>(["PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"], 1)[0] };
        var query = string.Join('&', Enumerable.Range(0, random.Next(5)).Select(_ => $"{random.GetItems(Names, 1)[0]}={Value(random, session)}"));
        var target = random.GetItems(Paths, 1)[0] + (query.Length > 0 ? "?" + query : "");

        var headers = new StringBuilder();
        for (var c = random.Next(3); c > 0; c--)
        {
            headers.Append("Cookie: ").Append(CookieValue(random, session)).Append("\r\n");
        }

        if (random.Next(4) == 0)
        {
            headers.Append("Origin: ").Append(random.GetItems<string>(["null", "https://evil.example", "", "http://127.0.0.1"], 1)[0]).Append("\r\n");
        }

        var body = method == "POST" ? Encoding.Latin1.GetBytes($"csrf={Value(random, session)}&csrf={Value(random, session)}") : [];
        if (method == "POST")
        {
            headers.Append("Content-Type: ").Append(random.GetItems<string>(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", "application/x-www-form-urlencoded; charset=utf-999"], 1)[0]).Append("\r\n");
        }

        var head = Encoding.Latin1.GetBytes($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}Content-Length: {body.Length}\r\n\r\n");
        return [.. head, .. body];
    }

    private static string Value(Random random, string session) => random.Next(12) switch
    {
        0 => "",
        1 => new string('a', random.Next(1, 6000)),
        2 => "%FF%FE%C3%28%ED%A0%80",                     // invalid UTF-8, percent-encoded
        3 => "\u00ff\u00fe\u00c3\u0028",                  // invalid UTF-8, raw bytes (sent as Latin-1)
        4 => "//evil.com",
        5 => "%2F%5Cevil.com",
        6 => "<script>alert(1)</script>",
        7 => session,
        8 => session[..^3],
        9 => "%00%0d%0aSet-Cookie:%20x=1",
        10 => Uri.EscapeDataString("\u202e\u05d0\ud83d\ude00"),
        _ => Convert.ToBase64String(random.GetItems<byte>([1, 2, 3, 250, 251], random.Next(1, 64))),
    };

    private static string CookieValue(Random random, string session) => random.Next(8) switch
    {
        0 => $"{Cookies.Session}={session}",
        1 => $"a=1, {Cookies.Session}={session}, b=2",
        2 => $"{Cookies.Session}={session[..^2]}xx",
        3 => $"{Cookies.Session}={session}; {Cookies.Session}=v1.k2.x.1.y",
        4 => $"  {Cookies.SignIn}={new string('z', random.Next(1, 5000))}",
        5 => "\u00ff\u00fe=\u00c3\u0028; ;;, ,",
        6 => $"{Cookies.Session}=v1.{new string('k', 40)}.{session.Split('.')[2]}.999999999999999999999.AAAA",
        _ => $"{Cookies.Session}=\"{session}\"",
    };

    private static async Task<int> SendAsync(Uri server, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var buffer = new byte[64];
        var read = 0;
        while (read < 12)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                return -1; // closed without an answer
            }

            read += n;
        }

        return int.Parse(Encoding.ASCII.GetString(buffer, 9, 3), System.Globalization.CultureInfo.InvariantCulture);
    }
}

using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// Keeps cookies for an HttpClient the way a browser on http://127.0.0.1 does. .NET's CookieContainer will not send
/// Secure cookies over http (docs/platform.md), while Chromium treats loopback as a secure context.
/// </summary>
public sealed class CookieJar(ConcurrentDictionary<string, string>? cookies = null) : DelegatingHandler
{
    /// <summary>The cookies by name; two jars given one dictionary are one browser talking to two instances.</summary>
    public ConcurrentDictionary<string, string> Cookies { get; } = cookies ?? new(StringComparer.Ordinal);

    public List<string> SetCookieHeaders { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!Cookies.IsEmpty && !request.Headers.Contains("Cookie"))
        {
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var header in values)
            {
                lock (SetCookieHeaders) { SetCookieHeaders.Add(header); }
                var first = header.Split(';')[0];
                var name = first[..first.IndexOf('=', StringComparison.Ordinal)];
                var value = first[(name.Length + 1)..];
                var expired = header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)
                    || header.Contains("max-age=0", StringComparison.OrdinalIgnoreCase);
                if (expired) { Cookies.TryRemove(name, out _); } else { Cookies[name] = value; }
            }
        }

        return response;
    }
}

public static class HttpResponseExtensions
{
    public static string Location(this HttpResponseMessage response) =>
        response.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"HTTP {(int)response.StatusCode} has no Location header.");

    public static IReadOnlyList<string> SetCookies(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues) : null;

    public static MediaTypeHeaderValue? ContentType(this HttpResponseMessage response) => response.Content.Headers.ContentType;

    /// <summary>Which worker invocation answered (the host emulator's front door says so).</summary>
    public static string InvocationId(this HttpResponseMessage response) =>
        response.Header(Worker.FunctionsHostEmulator.EchoHeader) ?? throw new InvalidOperationException("The response did not come through the host emulator.");
}

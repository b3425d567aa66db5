using Microsoft.Extensions.Primitives;

namespace FuncMail.Sessions;

/// <summary>
/// Finds one cookie in raw Cookie headers. Hand-written because some Functions hosts forward several Cookie
/// headers joined with ", " (azure-functions-host #9505), which ASP.NET Core's parser does not split (checklist G2).
/// FuncMail's own values never contain ',' or ';'.
/// </summary>
public static class CookieHeader
{
    private const int MaxHeaderLength = 16 * 1024;

    public static string? Find(StringValues headers, string name)
    {
        foreach (var header in headers)
        {
            if (string.IsNullOrEmpty(header) || header.Length > MaxHeaderLength)
            {
                continue;
            }

            foreach (var pair in header.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && pair.AsSpan(0, equals).Trim().SequenceEqual(name))
                {
                    return pair[(equals + 1)..].Trim().Trim('"');
                }
            }
        }

        return null;
    }
}

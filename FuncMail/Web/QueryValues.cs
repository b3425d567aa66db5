using Microsoft.AspNetCore.Http;

namespace FuncMail.Web;

/// <summary>The one rule for reading a query or form parameter: present exactly once, non-empty, at most 4 KB.</summary>
public static class QueryValues
{
    public const int MaxLength = 4096;

    /// <summary>
    /// The value, or null when it is absent, empty, too long or repeated: a duplicated parameter is an attack or a bug,
    /// so it counts as missing rather than as either of its values (checklist G1).
    /// </summary>
    public static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) ? Single(values) : null;

    /// <summary>
    /// The value as sent when it is present exactly once, whatever its length, even empty: for a parameter whose own
    /// parser bounds it and must refuse, not lose, what it cannot use (the claims of a challenge, ClaimsChallenge).
    /// </summary>
    public static string? Raw(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;

    public static string? Single(IFormCollection form, string name) =>
        form.TryGetValue(name, out var values) ? Single(values) : null;

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && values[0] is { Length: > 0 and <= MaxLength } value ? value : null;
}

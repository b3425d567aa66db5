namespace FuncMail.Mail;

/// <summary>
/// Checks a continuation link that came back through the browser (checklist D6): it is followed, with the user's
/// bearer token, only if it is an https URL under the configured Graph base URL's messages paths. Anything else is
/// refused before any request is made, so a forged link can never receive the token.
/// </summary>
public static class GraphContinuation
{
    public static Uri? TryAccept(string? link, Uri graphBaseUrl)
    {
        if (link is null || link.Length > 4096 || link.Contains("%2e", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(link, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var root = graphBaseUrl.AbsoluteUri.TrimEnd('/') + "/me/mailFolders/";
        return uri.Scheme == Uri.UriSchemeHttps
            && string.IsNullOrEmpty(uri.UserInfo)
            && uri.IsDefaultPort
            && string.Equals(uri.Host, graphBaseUrl.Host, StringComparison.OrdinalIgnoreCase)
            && uri.AbsoluteUri.StartsWith(root, StringComparison.Ordinal)
            && uri.AbsolutePath.Contains("/messages", StringComparison.Ordinal)
            && !uri.AbsolutePath.Contains("/..", StringComparison.Ordinal)
                ? uri
                : null;
    }
}

/// <summary>A continuation link that did not pass <see cref="GraphContinuation"/>.</summary>
public sealed class GraphContinuationRejectedException() : Exception("The continuation link does not point at Microsoft Graph's messages.");

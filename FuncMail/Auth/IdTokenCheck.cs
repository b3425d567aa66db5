using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FuncMail.Auth;

/// <summary>
/// The ID token checks of OpenID Connect Core §3.1.3.7 that MSAL does not make for a confidential client: the
/// nonce (checklist A3), the audience, the expiry and issue times, and the issuer and tenant against the pinned
/// authority (A5, H3). MSAL only parses the ID token it received from the token endpoint; the signature is not
/// checked, which §3.1.3.7 allows for a token received directly from the token endpoint over TLS.
/// </summary>
public sealed class IdTokenCheck(IOptions<EntraOptions> options, TimeProvider time)
{
    /// <summary>The tenant id of personal Microsoft accounts.</summary>
    public const string ConsumersTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

    /// <summary>How far the identity platform's clock may be from ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The name of the first claim that fails, or null when the token is good.</summary>
    public string? Failure(ClaimsPrincipal? principal, string expectedNonce)
    {
        var nonce = principal?.FindFirst("nonce")?.Value;
        if (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expectedNonce)))
        {
            return "nonce";
        }

        if (principal!.FindAll("aud").Select(c => c.Value).ToList() is not [var audience] || !string.Equals(audience, options.Value.ClientId, StringComparison.OrdinalIgnoreCase))
        {
            return "aud";
        }

        var now = time.GetUtcNow();
        if (Seconds(principal, "exp") is not { } expires || expires + ClockSkew <= now)
        {
            return "exp";
        }

        if (Seconds(principal, "iat") is not { } issued || issued - ClockSkew > now)
        {
            return "iat";
        }

        var tid = principal.FindFirst("tid")?.Value;
        if (!Guid.TryParse(tid, out var tenant) || !TenantAllowed(tenant.ToString()))
        {
            return "tid";
        }

        var expectedIssuer = $"{options.Value.Instance.GetLeftPart(UriPartial.Authority)}/{tenant}/v2.0";
        return principal.FindFirst("iss")?.Value == expectedIssuer ? null : "iss";
    }

    private static DateTimeOffset? Seconds(ClaimsPrincipal principal, string claim) =>
        long.TryParse(principal.FindFirst(claim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private bool TenantAllowed(string tenant) => options.Value.TenantId switch
    {
        "common" => true,
        "organizations" => tenant != ConsumersTenantId,
        "consumers" => tenant == ConsumersTenantId,
        var configured => string.Equals(configured, tenant, StringComparison.OrdinalIgnoreCase),
    };
}

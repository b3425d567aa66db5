using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FuncMail.Auth;

/// <summary>
/// Checks the ID token's nonce (MSAL does not, checklist A3) and its issuer against the pinned authority (A5).
/// Signature and audience are MSAL's: it received the token directly from the token endpoint over TLS.
/// </summary>
public sealed class IdTokenCheck(IOptions<EntraOptions> options)
{
    /// <summary>The tenant id of personal Microsoft accounts.</summary>
    public const string ConsumersTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

    public string? Failure(ClaimsPrincipal? principal, string expectedNonce)
    {
        var nonce = principal?.FindFirst("nonce")?.Value;
        if (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expectedNonce)))
        {
            return "nonce";
        }

        var tid = principal!.FindFirst("tid")?.Value;
        if (!Guid.TryParse(tid, out var tenant) || !TenantAllowed(tenant.ToString()))
        {
            return "tid";
        }

        var expectedIssuer = $"{options.Value.Instance.GetLeftPart(UriPartial.Authority)}/{tenant}/v2.0";
        return principal.FindFirst("iss")?.Value == expectedIssuer ? null : "iss";
    }

    private bool TenantAllowed(string tenant) => options.Value.TenantId switch
    {
        "common" => true,
        "organizations" => tenant != ConsumersTenantId,
        "consumers" => tenant == ConsumersTenantId,
        var configured => string.Equals(configured, tenant, StringComparison.OrdinalIgnoreCase),
    };
}

using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// The Microsoft identity platform at its HTTP surface, for the real MSAL: instance discovery, OpenID metadata and
/// the token endpoint. It checks PKCE, redirect_uri, client credentials and code reuse like the real one, issues
/// ID tokens carrying the nonce it was given, and records anything it was not built to answer.
/// </summary>
/// <remarks>
/// The app registration proves itself with its client secret or, when it has none (<paramref name="clientSecret"/>
/// null), with a managed identity it trusts as a federated identity credential: the token this stub issued to the
/// identity (<see cref="IssueManagedIdentityToken"/>) arrives as a <c>client_assertion</c>, and its issuer, subject and
/// audience must match one of <see cref="FederatedCredentials"/> exactly, as Entra's "Configure an application to trust a
/// managed identity" requires. Error codes and texts are Entra's, from its error-code reference and captured answers.
/// </remarks>
public sealed class EntraStub(string clientId, string? clientSecret) : HttpMessageHandler
{
    /// <summary>client_assertion_type of a JWT client assertion (RFC 7523), the only one Entra takes for a federated credential.</summary>
    public const string JwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>
    /// The app id of "AAD Token Exchange Endpoint": the aud claim of a managed identity's token for
    /// api://AzureADTokenExchange, as decoded tokens show it (entra-docs conditional-access/agent-id.md names the id).
    /// </summary>
    public const string TokenExchangeAppId = "fb60f99c-7a34-4190-8149-302f77469936";

    /// <summary>Tokens this stub issued to managed identities (their "signature": a forged one is not in here), with their claims.</summary>
    private readonly ConcurrentDictionary<string, JsonObject> _managedIdentityTokens = new();

    public const string Host = "login.microsoftonline.com";

    /// <summary>The key under which a token request's client-request-id header is recorded with its form.</summary>
    public const string ClientRequestIdHeader = "header:client-request-id";
    private readonly ConcurrentDictionary<string, Grant> _codes = new();
    private readonly ConcurrentDictionary<string, TestUser> _refreshTokens = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _accessTokens = new();
    private readonly ConcurrentDictionary<string, TestUser> _accessTokenUsers = new();
    private readonly ConcurrentQueue<HttpStatusCode> _tokenFailures = new();

    public TestUser DefaultUser { get; set; } = TestUser.Work();

    /// <summary>expires_in of the access tokens issued from now on; MSAL refreshes any token within 5 minutes of expiry.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>When true, a refresh that carries a claims challenge needs the user (MFA, say): Entra answers interaction_required.</summary>
    public bool ClaimsChallengesNeedInteraction { get; set; }

    /// <summary>The claims parameter of every authorize request (null when it had none).</summary>
    public ConcurrentQueue<string?> AuthorizeClaims { get; } = new();

    /// <summary>Characters added to each access token from now on (real ones are 1-3 KB; a test can make them enormous).</summary>
    public int AccessTokenPadding { get; set; }

    /// <summary>How long the token endpoint takes to answer (real time; the caller's cancellation ends the wait).</summary>
    public TimeSpan TokenLatency { get; set; }

    /// <summary>The clock of the ID tokens' iat, nbf and exp: the app's, so that a test that moves the app's clock still gets current tokens.</summary>
    public TimeProvider IdTokenClock { get; set; } = TimeProvider.System;

    /// <summary>Lets a test forge the next ID tokens (wrong nonce, wrong issuer).</summary>
    public Action<JsonObject>? TamperIdToken { get; set; }

    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Every secret this stub handed out (codes, access, refresh and ID tokens), for the logging canary tests (checklist F1).</summary>
    public ConcurrentQueue<string> IssuedSecrets { get; } = new();

    public ConcurrentQueue<IReadOnlyDictionary<string, string>> TokenRequests { get; } = new();

    /// <summary>The app registration's federated identity credentials: (issuer, subject, audience) it trusts.</summary>
    public ConcurrentBag<(string Issuer, string Subject, string Audience)> FederatedCredentials { get; } = [];

    /// <summary>
    /// A token for a managed identity, as Entra issues it to the platform's identity endpoint: aud is the token-exchange
    /// app's id for <c>api://AzureADTokenExchange</c>; iss, sub and oid as in decoded tokens (microsoft-identity-web#2551).
    /// </summary>
    public (string Token, DateTimeOffset ExpiresOn) IssueManagedIdentityToken(string tenantId, string principalId, string resource, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new JsonObject
        {
            ["aud"] = resource == "api://AzureADTokenExchange" ? TokenExchangeAppId : resource,
            ["iss"] = $"https://{Host}/{tenantId}/v2.0",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["idtyp"] = "app",
            ["oid"] = principalId,
            ["sub"] = principalId,
            ["tid"] = tenantId,
        };
        var token = $"{B64(new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = "stub" })}.{B64(claims)}.c3R1Yi1zaWduYXR1cmU";
        _managedIdentityTokens[token] = claims;
        IssuedSecrets.Enqueue(token);
        return (token, now + lifetime);
    }

    /// <summary>
    /// The key the stubs sign ID tokens with (RS256), one per test process, published at the metadata's jwks_uri. MSAL
    /// does not check ID token signatures, but ASP.NET Core's OpenID Connect handler does (the conventional peer in bench/).
    /// </summary>
    private static readonly RSA SigningKey = RSA.Create(2048);

    private static readonly string KeyId = "stub-" + Guid.NewGuid().ToString("N")[..8];

    public int KeySetRequests => _keySet;

    private int _keySet;

    public int DiscoveryRequests => _discovery;

    private int _discovery;

    public int MetadataRequests => _metadata;

    private int _metadata;

    /// <summary>Plays the authorize endpoint: the user signs in and consents; returns where the browser is sent back to.</summary>
    public Uri Authorize(Uri authorizeUrl, TestUser? user = null)
    {
        var query = QueryHelpers.ParseQuery(authorizeUrl.Query);
        Require(authorizeUrl.Host == Host && authorizeUrl.AbsolutePath.EndsWith("/oauth2/v2.0/authorize", StringComparison.Ordinal), $"authorize URL {authorizeUrl.GetLeftPart(UriPartial.Path)}");
        Require(query["client_id"] == clientId, "client_id");
        Require(query["response_type"] == "code", "response_type=code");
        Require(query["code_challenge_method"] == "S256", "code_challenge_method=S256");
        AuthorizeClaims.Enqueue(query.TryGetValue("claims", out var claims) ? claims.ToString() : null);
        var code = "code-" + Guid.NewGuid().ToString("N");
        IssuedSecrets.Enqueue(code);
        _codes[code] = new Grant(query["code_challenge"]!, query["nonce"]!, query["redirect_uri"]!, user ?? DefaultUser, query["scope"]!);
        return new Uri(QueryHelpers.AddQueryString(query["redirect_uri"]!, new Dictionary<string, string?> { ["code"] = code, ["state"] = query["state"], ["session_state"] = Guid.NewGuid().ToString() }));
    }

    /// <summary>Plays the authorize endpoint when the user cancels or an error occurs.</summary>
    public static Uri Deny(Uri authorizeUrl, string error, string description)
    {
        var query = QueryHelpers.ParseQuery(authorizeUrl.Query);
        return new Uri(QueryHelpers.AddQueryString(query["redirect_uri"]!, new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description, ["state"] = query["state"] }));
    }

    /// <summary>Revokes every refresh token issued so far (the user changed their password, or an admin revoked sessions).</summary>
    public void RevokeRefreshTokens() => _refreshTokens.Clear();

    /// <summary>The next token requests fail with these statuses, in order.</summary>
    public void FailNextTokenRequests(params HttpStatusCode[] statuses)
    {
        foreach (var status in statuses) { _tokenFailures.Enqueue(status); }
    }

    public void ClearFailures() => _tokenFailures.Clear();

    /// <summary>Whose access token this is (null for one this stub never issued).</summary>
    public TestUser? UserOf(string accessToken) => _accessTokenUsers.GetValueOrDefault(accessToken);

    public bool IsValidAccessToken(string token) => _accessTokens.TryGetValue(token, out var expires) && expires > DateTimeOffset.UtcNow;

    public int TokenPosts(string grantType) => TokenRequests.Count(r => r.GetValueOrDefault("grant_type") == grantType);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (uri.Host != Host)
        {
            return Fail($"{request.Method} {uri.GetLeftPart(UriPartial.Path)}");
        }

        if (request.Method == HttpMethod.Get && uri.AbsolutePath.EndsWith("/discovery/instance", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _discovery);
            return Json(HttpStatusCode.OK, Discovery(uri));
        }

        if (request.Method == HttpMethod.Get && uri.AbsolutePath.EndsWith("/v2.0/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _metadata);
            var tenant = uri.AbsolutePath.Split('/')[1];
            return Json(HttpStatusCode.OK, Metadata(tenant));
        }

        if (request.Method == HttpMethod.Get && uri.AbsolutePath.EndsWith("/discovery/v2.0/keys", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _keySet);
            return Json(HttpStatusCode.OK, KeySet());
        }

        if (request.Method == HttpMethod.Post && uri.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            var form = QueryHelpers.ParseQuery(await request.Content!.ReadAsStringAsync(cancellationToken)).ToDictionary(p => p.Key, p => p.Value.ToString());
            if (request.Headers.TryGetValues("client-request-id", out var ids))
            {
                form[ClientRequestIdHeader] = ids.Single();
            }

            TokenRequests.Enqueue(form);
            if (TokenLatency > TimeSpan.Zero)
            {
                await Task.Delay(TokenLatency, cancellationToken);
            }

            return _tokenFailures.TryDequeue(out var status)
                ? Json(status, new JsonObject { ["error"] = "temporarily_unavailable", ["error_description"] = "AADSTS50000: stubbed outage" })
                : Token(form);
        }

        return Fail($"{request.Method} {uri.GetLeftPart(UriPartial.Path)}");
    }

    private HttpResponseMessage Token(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("client_id") != clientId)
        {
            return Json(HttpStatusCode.BadRequest, Error("unauthorized_client", $"AADSTS700016: Application with identifier '{form.GetValueOrDefault("client_id")}' was not found in the directory."));
        }

        if (ClientAuthenticationError(form) is { } refused)
        {
            return refused;
        }

        switch (form.GetValueOrDefault("grant_type"))
        {
            case "authorization_code":
                if (!_codes.TryRemove(form.GetValueOrDefault("code") ?? "", out var grant))
                {
                    return Json(HttpStatusCode.BadRequest, Error("invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed."));
                }

                if (form.GetValueOrDefault("redirect_uri") != grant.RedirectUri)
                {
                    return Json(HttpStatusCode.BadRequest, Error("invalid_grant", "AADSTS50011: The redirect URI does not match."));
                }

                var challenge = Base64UrlTextEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form.GetValueOrDefault("code_verifier") ?? "")));
                if (challenge != grant.CodeChallenge)
                {
                    return Json(HttpStatusCode.BadRequest, Error("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge."));
                }

                return Tokens(grant.User, grant.Nonce, form.GetValueOrDefault("scope") ?? grant.Scope);

            case "refresh_token":
                // A claims challenge beyond the client capabilities (xms_cc) that policy says the user must answer.
                if (ClaimsChallengesNeedInteraction && form.GetValueOrDefault("claims") is { } requested && IsChallenge(requested))
                {
                    return Json(HttpStatusCode.BadRequest, Error("interaction_required", "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'."));
                }

                // Like Entra for web apps, a refresh token stays valid after use until it expires or is revoked.
                return _refreshTokens.TryGetValue(form.GetValueOrDefault("refresh_token") ?? "", out var user)
                    ? Tokens(user, nonce: null, form.GetValueOrDefault("scope") ?? "")
                    : Json(HttpStatusCode.BadRequest, Error("invalid_grant", "AADSTS700082: The refresh token has expired or been revoked."));

            default:
                return Fail($"token grant_type={form.GetValueOrDefault("grant_type")}");
        }
    }

    /// <summary>The client secret, or a client assertion from a trusted managed identity; never both, never neither.</summary>
    private HttpResponseMessage? ClientAuthenticationError(Dictionary<string, string> form)
    {
        var secret = form.GetValueOrDefault("client_secret");
        var assertion = form.GetValueOrDefault("client_assertion");
        if (secret is not null && assertion is not null)
        {
            return Json(HttpStatusCode.BadRequest, Error("invalid_request", "AADSTS90023: Invalid request: client_secret and client_assertion cannot both be presented."));
        }

        if (assertion is null)
        {
            return clientSecret is not null && secret == clientSecret
                ? null
                : Json(HttpStatusCode.Unauthorized, Error("invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."));
        }

        if (form.GetValueOrDefault("client_assertion_type") != JwtBearer)
        {
            return Json(HttpStatusCode.BadRequest, Error("invalid_request", "AADSTS50027: JWT token is invalid or malformed."));
        }

        if (!_managedIdentityTokens.TryGetValue(assertion, out var claims))
        {
            return Json(HttpStatusCode.Unauthorized, Error("invalid_client", "AADSTS700027: Client assertion failed signature validation."));
        }

        if ((long)claims["exp"]! <= DateTimeOffset.UtcNow.ToUnixTimeSeconds())
        {
            return Json(HttpStatusCode.Unauthorized, Error("invalid_client", "AADSTS700024: Client assertion is not within its valid time range."));
        }

        var (issuer, subject, audience) = ((string)claims["iss"]!, (string)claims["sub"]!, (string)claims["aud"]!);
        var trusted = FederatedCredentials.Any(f => f.Issuer == issuer && f.Subject == subject
            && (f.Audience == audience || (f.Audience == "api://AzureADTokenExchange" && audience == TokenExchangeAppId)));
        // Entra's current answer, as captured in Azure/azure-workload-identity#1200 (2025) and microsoft/Agents#202:
        // invalid_client, 401, AADSTS700213 (older captures show AADSTS70021 as invalid_request, 400).
        return trusted
            ? null
            : Json(HttpStatusCode.Unauthorized, Error("invalid_client", $"AADSTS700213: No matching federated identity record found for presented assertion subject '{subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"));
    }

    /// <summary>True when a claims request asks for more than the client capabilities MSAL declares with every request.</summary>
    public static bool IsChallenge(string claims)
    {
        var node = JsonNode.Parse(claims)!.AsObject();
        return node.Any(section => section.Value is JsonObject values && values.Any(claim => claim.Key != "xms_cc"));
    }

    private HttpResponseMessage Tokens(TestUser user, string? nonce, string scope)
    {
        var accessToken = "at-" + Guid.NewGuid().ToString("N") + new string('p', AccessTokenPadding);
        var refreshToken = "rt-" + Guid.NewGuid().ToString("N");
        _accessTokens[accessToken] = DateTimeOffset.UtcNow + AccessTokenLifetime;
        _accessTokenUsers[accessToken] = user;
        _refreshTokens[refreshToken] = user;
        IssuedSecrets.Enqueue(accessToken);
        IssuedSecrets.Enqueue(refreshToken);
        var now = IdTokenClock.GetUtcNow().ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["aud"] = clientId,
            ["iss"] = $"https://{Host}/{user.TenantId}/v2.0",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 3600,
            ["name"] = user.Name,

            // The login_hint optional claim, as Entra adds it when the app registration asks for it: opaque, per sign-in.
            ["login_hint"] = "O.CiQ" + user.ObjectId.Replace("-", "", StringComparison.Ordinal),
            ["oid"] = user.ObjectId,
            ["preferred_username"] = user.Username,
            ["sub"] = "sub-" + user.ObjectId,
            ["tid"] = user.TenantId,
            ["ver"] = "2.0",
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        TamperIdToken?.Invoke(claims);
        var idToken = Sign(claims);
        IssuedSecrets.Enqueue(idToken);
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["token_type"] = "Bearer",
            // Like Entra, the granted scopes are the requested resource scopes (MSAL checks them before reusing a token).
            ["scope"] = string.Join(' ', scope.Split(' ').Where(s => s is not ("openid" or "profile" or "offline_access"))) + " openid profile",
            ["expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
            ["ext_expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
            ["access_token"] = accessToken,
            ["refresh_token"] = refreshToken,
            ["id_token"] = idToken,
            ["client_info"] = B64(new JsonObject { ["uid"] = user.ObjectId, ["utid"] = user.TenantId }),
        });
    }

    private static JsonObject Discovery(Uri uri) => new()
    {
        ["tenant_discovery_endpoint"] = $"https://{Host}/{uri.AbsolutePath.Split('/')[1]}/v2.0/.well-known/openid-configuration",
        ["api-version"] = "1.1",
        ["metadata"] = new JsonArray(new JsonObject
        {
            ["preferred_network"] = Host,
            ["preferred_cache"] = "login.windows.net",
            ["aliases"] = new JsonArray(Host, "login.windows.net", "login.microsoft.com", "sts.windows.net"),
        }),
    };

    /// <summary>
    /// The tenant's OpenID Provider metadata, in the shape of Entra's own document for the v2.0 endpoint (as served at
    /// login.microsoftonline.com/common/v2.0/.well-known/openid-configuration and shown in "OpenID Connect on the Microsoft
    /// identity platform": the issuer is a template with {tenantid} for the multi-tenant authorities).
    /// </summary>
    private static JsonObject Metadata(string tenant) => new()
    {
        ["token_endpoint"] = $"https://{Host}/{tenant}/oauth2/v2.0/token",
        ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
        ["jwks_uri"] = $"https://{Host}/{tenant}/discovery/v2.0/keys",
        ["response_modes_supported"] = new JsonArray("query", "fragment", "form_post"),
        ["subject_types_supported"] = new JsonArray("pairwise"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
        ["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access"),
        ["issuer"] = $"https://{Host}/{{tenantid}}/v2.0",
        ["request_uri_parameter_supported"] = false,
        ["userinfo_endpoint"] = "https://graph.microsoft.com/oidc/userinfo",
        ["authorization_endpoint"] = $"https://{Host}/{tenant}/oauth2/v2.0/authorize",
        ["device_authorization_endpoint"] = $"https://{Host}/{tenant}/oauth2/v2.0/devicecode",
        ["http_logout_supported"] = true,
        ["frontchannel_logout_supported"] = true,
        ["end_session_endpoint"] = $"https://{Host}/{tenant}/oauth2/v2.0/logout",
        ["claims_supported"] = new JsonArray("sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"),
        ["tenant_region_scope"] = null,
        ["cloud_instance_name"] = "microsoftonline.com",
        ["cloud_graph_host_name"] = "graph.windows.net",
        ["msgraph_host"] = "graph.microsoft.com",
        ["rbac_url"] = "https://pas.windows.net",
    };

    /// <summary>
    /// The signing keys (jwks_uri), in Entra's shape: kty, use, kid, x5t, n, e (Entra adds x5c and issuer, which
    /// validators do not need; omitted here because this key has no certificate).
    /// </summary>
    private JsonObject KeySet()
    {
        var parameters = SigningKey.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = KeyId,
                ["n"] = Base64UrlTextEncoder.Encode(parameters.Modulus!),
                ["e"] = Base64UrlTextEncoder.Encode(parameters.Exponent!),
            }),
        };
    }

    /// <summary>A JWS over the claims, RS256 with this stub's key (RFC 7515 compact form).</summary>
    private string Sign(JsonObject claims)
    {
        var signingInput = $"{B64(new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["kid"] = KeyId })}.{B64(claims)}";
        var signature = SigningKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64UrlTextEncoder.Encode(signature);
    }

    private static JsonObject Error(string error, string description) => new()
    {
        ["error"] = error,
        ["error_description"] = description,
        ["error_codes"] = new JsonArray(int.Parse(description[6..description.IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)),
        ["trace_id"] = Guid.NewGuid().ToString(),
        ["correlation_id"] = Guid.NewGuid().ToString(),
    };

    private HttpResponseMessage Fail(string what)
    {
        Unexpected.Enqueue(what);
        return new HttpResponseMessage(HttpStatusCode.NotImplemented) { Content = new StringContent("Unexpected request to the Entra stub: " + what) };
    }

    private void Require(bool condition, string what)
    {
        if (!condition)
        {
            Unexpected.Enqueue("authorize request without a valid " + what);
            throw new InvalidOperationException("The authorize request lacks a valid " + what);
        }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) =>
        new(status) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };

    private static string B64(JsonNode node) => Base64UrlTextEncoder.Encode(Encoding.UTF8.GetBytes(node.ToJsonString()));

    private sealed record Grant(string CodeChallenge, string Nonce, string RedirectUri, TestUser User, string Scope);
}

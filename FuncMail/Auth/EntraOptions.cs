using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FuncMail.Auth;

/// <summary>The Entra app registration FuncMail signs users in with (settings section <c>Entra</c>).</summary>
public sealed class EntraOptions : IValidatableObject
{
    public const string SectionName = "Entra";
    private const string FixIt = "copy local.settings.sample.json to local.settings.json and fill it in from your app registration (README, 'App registration')";

    /// <summary>The Application (client) ID of the app registration.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>
    /// How FuncMail proves to Entra that it is this app: <see cref="ClientSecretCredential"/> (local development) or
    /// <see cref="ManagedIdentityCredential"/> (Azure: the app's managed identity is a federated credential of the app
    /// registration, so no secret exists; docs/deploy.md, "No client secret").
    /// </summary>
    public string ClientCredential { get; set; } = ClientSecretCredential;

    public const string ClientSecretCredential = "ClientSecret";

    public const string ManagedIdentityCredential = "ManagedIdentity";

    /// <summary>The app registration's client secret, when <see cref="ClientCredential"/> is ClientSecret.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The client id of the user-assigned managed identity the app registration trusts, when <see cref="ClientCredential"/> is ManagedIdentity.</summary>
    public string ManagedIdentityClientId { get; set; } = "";

    internal bool UsesManagedIdentity => string.Equals(ClientCredential, ManagedIdentityCredential, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>common</c> (work, school and personal accounts), <c>organizations</c>, <c>consumers</c> or a tenant GUID.</summary>
    public string TenantId { get; set; } = "common";

    /// <summary>The cloud's sign-in host; change it for national clouds.</summary>
    public Uri Instance { get; set; } = new("https://login.microsoftonline.com/");

    /// <summary>The GetToken URL exactly as registered; never derived from the request's Host header (checklist A4).</summary>
    public Uri RedirectUri { get; set; } = new("http://localhost:7071" + Routes.GetTokenPath);

    /// <summary>
    /// Where Entra sends the browser after sign-out: FuncMail's home page, on the redirect URI's origin. Register it in
    /// the app registration as a redirect URI too (README, "App registration").
    /// </summary>
    public Uri PostLogoutRedirectUri => new(RedirectUri, Routes.HomePath);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Guid.TryParse(ClientId, out _))
        {
            yield return new($"{SectionName}:ClientId is missing or not a GUID: {FixIt}.", [nameof(ClientId)]);
        }

        if (UsesManagedIdentity)
        {
            if (!Guid.TryParse(ManagedIdentityClientId, out _))
            {
                yield return new($"{SectionName}:ManagedIdentityClientId must be the client id (a GUID) of the app's user-assigned managed identity when {SectionName}:ClientCredential is {ManagedIdentityCredential}.", [nameof(ManagedIdentityClientId)]);
            }

            if (!string.IsNullOrEmpty(ClientSecret))
            {
                yield return new($"{SectionName}:ClientSecret is set, but {SectionName}:ClientCredential is {ManagedIdentityCredential}: remove the secret, FuncMail uses one credential.", [nameof(ClientSecret)]);
            }
        }
        else if (!string.Equals(ClientCredential, ClientSecretCredential, StringComparison.OrdinalIgnoreCase))
        {
            yield return new($"{SectionName}:ClientCredential must be {ClientSecretCredential} or {ManagedIdentityCredential} (got '{ClientCredential}').", [nameof(ClientCredential)]);
        }
        else if (string.IsNullOrWhiteSpace(ClientSecret) || ClientSecret.StartsWith('<'))
        {
            yield return new($"{SectionName}:ClientSecret is missing: {FixIt}.", [nameof(ClientSecret)]);
        }

        if (!IsTenant(TenantId))
        {
            yield return new($"{SectionName}:TenantId must be 'common', 'organizations', 'consumers' or a tenant GUID (got '{TenantId}').", [nameof(TenantId)]);
        }

        if (Instance is not { IsAbsoluteUri: true, Scheme: "https", AbsolutePath: "/" } || !string.IsNullOrEmpty(Instance.Query))
        {
            yield return new($"{SectionName}:Instance must be an https origin such as https://login.microsoftonline.com/.", [nameof(Instance)]);
        }

        if (RedirectUri is not { IsAbsoluteUri: true } || !(RedirectUri.Scheme == "https" || (RedirectUri.Scheme == "http" && RedirectUri.IsLoopback))
            || !RedirectUri.AbsolutePath.EndsWith("/" + Routes.GetToken, StringComparison.Ordinal) || !string.IsNullOrEmpty(RedirectUri.Query))
        {
            yield return new($"{SectionName}:RedirectUri must be the absolute URL of the GetToken function (https, or http on localhost), e.g. http://localhost:7071{Routes.GetTokenPath}.", [nameof(RedirectUri)]);
        }
    }

    internal static bool IsTenant(string tenant) =>
        tenant is "common" or "organizations" or "consumers" || Guid.TryParse(tenant, out _);
}

[OptionsValidator]
public sealed partial class EntraOptionsValidator : IValidateOptions<EntraOptions>;

/// <summary>
/// Refuses an http redirect URI outside Development: the authorization code would cross the network in clear. Keep
/// the local registration (http://localhost) apart from the production one (README, "App registration").
/// </summary>
public sealed class ProductionRedirectUriValidator(Microsoft.Extensions.Hosting.IHostEnvironment environment) : IValidateOptions<EntraOptions>
{
    public ValidateOptionsResult Validate(string? name, EntraOptions options) =>
        !Microsoft.Extensions.Hosting.HostEnvironmentEnvExtensions.IsDevelopment(environment) && options.RedirectUri is { IsAbsoluteUri: true, Scheme: "http" }
            ? ValidateOptionsResult.Fail($"{EntraOptions.SectionName}:RedirectUri is http ({options.RedirectUri}); outside the Development environment it must be the https GetToken URL of the deployed app.")
            : ValidateOptionsResult.Success;
}

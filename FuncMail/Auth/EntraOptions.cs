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

    public string ClientSecret { get; set; } = "";

    /// <summary><c>common</c> (work, school and personal accounts), <c>organizations</c>, <c>consumers</c> or a tenant GUID.</summary>
    public string TenantId { get; set; } = "common";

    /// <summary>The cloud's sign-in host; change it for national clouds.</summary>
    public Uri Instance { get; set; } = new("https://login.microsoftonline.com/");

    /// <summary>The GetToken URL exactly as registered; never derived from the request's Host header (checklist A4).</summary>
    public Uri RedirectUri { get; set; } = new("http://localhost:7071/api/GetToken");

    /// <summary>
    /// Where Entra sends the browser after sign-out: FuncMail's home page, on the redirect URI's origin. Register it in
    /// the app registration as a redirect URI too (README, "App registration").
    /// </summary>
    public Uri PostLogoutRedirectUri => new(RedirectUri, "/api/Home");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Guid.TryParse(ClientId, out _))
        {
            yield return new($"{SectionName}:ClientId is missing or not a GUID: {FixIt}.", [nameof(ClientId)]);
        }

        if (string.IsNullOrWhiteSpace(ClientSecret) || ClientSecret.StartsWith('<'))
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
            || !RedirectUri.AbsolutePath.EndsWith("/GetToken", StringComparison.Ordinal) || !string.IsNullOrEmpty(RedirectUri.Query))
        {
            yield return new($"{SectionName}:RedirectUri must be the absolute URL of the GetToken function (https, or http on localhost), e.g. http://localhost:7071/api/GetToken.", [nameof(RedirectUri)]);
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

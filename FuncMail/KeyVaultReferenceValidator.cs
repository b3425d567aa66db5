using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FuncMail;

/// <summary>
/// Names a setting whose Key Vault reference did not resolve. When App Service cannot read a referenced secret (the
/// identity's role assignment has not taken effect yet, the secret is missing, the vault is unreachable) it hands the
/// app the reference text itself, <c>@Microsoft.KeyVault(…)</c>. Every other validator would then report a bad value;
/// this one says what actually went wrong and how to fix it (docs/deploy.md, "When the app does not start").
/// </summary>
public sealed class KeyVaultReferenceValidator<TOptions>(IConfiguration configuration, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    private const string ReferencePrefix = "@Microsoft.KeyVault(";

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var unresolved = configuration.GetSection(section).AsEnumerable()
            .Where(setting => setting.Value?.TrimStart().StartsWith(ReferencePrefix, StringComparison.OrdinalIgnoreCase) == true)
            .Select(setting => setting.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        return unresolved.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(unresolved.Select(key =>
                $"{key}: a Key Vault reference did not resolve, so the app received the reference text instead of the secret. "
                + "Check that the secret exists and that the app's identity has the Key Vault Secrets User role; a new role assignment "
                + "can take several minutes to apply. Then refresh the references or restart the app (docs/deploy.md, \"When the app does not start\")."));
    }
}

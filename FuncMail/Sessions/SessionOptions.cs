using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FuncMail.Sessions;

/// <summary>Session cookie keys and lifetimes (settings section <c>Session</c>).</summary>
public sealed class SessionOptions : IValidatableObject
{
    public const string SectionName = "Session";

    /// <summary>Key ids with the prefix are the sample's published keys: refused outside the Development environment.</summary>
    public const string DevOnlyKeyPrefix = "dev-only";

    /// <summary>The key value published in local.settings.sample.json: refused outside Development whatever its id.</summary>
    public const string SampleKeyValue = "ZGV2LW9ubHktc2FtcGxlLWtleS1wdWJsaWMtbmV2ZXItdXNlLWluLWF6dXJlIQ==";

    /// <summary>Key id → base64 key of at least 32 random bytes. Old keys stay here after a rotation so that their cookies still verify.</summary>
    public Dictionary<string, string> Keys { get; set; } = [];

    /// <summary>The key id that signs new cookies and encrypts token caches.</summary>
    public string ActiveKeyId { get; set; } = "";

    /// <summary>A session unused for this long ends (checklist B7).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A session ends this long after sign-in, used or not (checklist B7).</summary>
    public TimeSpan AbsoluteTimeout { get; set; } = TimeSpan.FromHours(12);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string HowTo = "generate one with: openssl rand -base64 32";
        if (Keys.Count == 0)
        {
            yield return new($"{SectionName}:Keys is empty: add Session__Keys__<id> = <base64 key> and set Session__ActiveKeyId to <id>; {HowTo}.", [nameof(Keys)]);
        }

        foreach (var (id, value) in Keys)
        {
            if (id.Contains('.', StringComparison.Ordinal) || id.Length is 0 or > 32)
            {
                yield return new($"{SectionName}:Keys:{id}: a key id is 1-32 characters without '.'.", [nameof(Keys)]);
            }

            if (!IsStrongKey(value))
            {
                yield return new($"{SectionName}:Keys:{id} must be base64 of at least 32 random bytes; {HowTo}.", [nameof(Keys)]);
            }
        }

        if (!Keys.ContainsKey(ActiveKeyId))
        {
            yield return new($"{SectionName}:ActiveKeyId '{ActiveKeyId}' names no key in {SectionName}:Keys.", [nameof(ActiveKeyId)]);
        }

        if (IdleTimeout < TimeSpan.FromMinutes(1) || AbsoluteTimeout < IdleTimeout || AbsoluteTimeout > TimeSpan.FromDays(30))
        {
            yield return new($"{SectionName}:IdleTimeout must be at least 00:01:00, and {SectionName}:AbsoluteTimeout between it and 30 days.", [nameof(IdleTimeout)]);
        }
    }

    private static bool IsStrongKey(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var length) && length >= 32;
    }
}

[OptionsValidator]
public sealed partial class SessionOptionsValidator : IValidateOptions<SessionOptions>;

/// <summary>
/// Refuses the sample's published key outside Development, by its id or by its value (a copied sample renamed is
/// still public): it is in a public repository.
/// </summary>
public sealed class DevOnlyKeyValidator(IHostEnvironment environment) : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options) =>
        !environment.IsDevelopment() && options.Keys.Any(key =>
            key.Key.StartsWith(SessionOptions.DevOnlyKeyPrefix, StringComparison.OrdinalIgnoreCase) || SameKey(key.Value, SessionOptions.SampleKeyValue))
            ? ValidateOptionsResult.Fail($"{SessionOptions.SectionName}:Keys holds the sample's dev-only key, which is public; it is refused in the '{environment.EnvironmentName}' environment. Generate a key with: openssl rand -base64 32.")
            : ValidateOptionsResult.Success;

    // Compared as bytes, so that a re-encoding of the same key (padding, whitespace) is caught too.
    private static bool SameKey(string value, string sample)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var length) && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(buffer.AsSpan(0, length), Convert.FromBase64String(sample));
    }
}

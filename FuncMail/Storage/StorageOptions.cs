using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FuncMail.Storage;

/// <summary>Where sessions and sign-in transactions live (settings section <c>Storage</c>).</summary>
public sealed partial class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary>A Table Storage connection string; <c>UseDevelopmentStorage=true</c> means Azurite on this machine.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Instead of a connection string: the table endpoint, reached with a managed identity (shared keys off).</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The client id of the user-assigned managed identity to use with <see cref="TableServiceUri"/>.</summary>
    public string? ManagedIdentityClientId { get; set; }

    public string SessionsTable { get; set; } = "FuncMailSessions";

    public string SignInsTable { get; set; } = "FuncMailSignIns";

    /// <summary>How long one Table request may take before it is retried; interactive pages must not hang for 100 s (checklist E4).</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(ConnectionString) && !ConnectionString.StartsWith('<');
        if (hasConnectionString == (TableServiceUri is not null))
        {
            yield return new($"Set exactly one of {SectionName}:ConnectionString (UseDevelopmentStorage=true with Azurite locally) and {SectionName}:TableServiceUri (https://<account>.table.core.windows.net with a managed identity in Azure).", [nameof(ConnectionString)]);
        }

        if (TableServiceUri is not null && (TableServiceUri is not { IsAbsoluteUri: true, Scheme: "https" } || !string.IsNullOrEmpty(TableServiceUri.Query)))
        {
            yield return new($"{SectionName}:TableServiceUri must be an https URL such as https://<account>.table.core.windows.net (no SAS query).", [nameof(TableServiceUri)]);
        }

        foreach (var (name, value) in new[] { (nameof(SessionsTable), SessionsTable), (nameof(SignInsTable), SignInsTable) })
        {
            if (!TableName().IsMatch(value))
            {
                yield return new($"{SectionName}:{name} must be 3-63 letters or digits, starting with a letter (got '{value}').", [name]);
            }
        }

        if (NetworkTimeout <= TimeSpan.Zero || NetworkTimeout > TimeSpan.FromSeconds(30))
        {
            yield return new($"{SectionName}:NetworkTimeout must be between 00:00:01 and 00:00:30.", [nameof(NetworkTimeout)]);
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}

[OptionsValidator]
public sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

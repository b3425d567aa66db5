using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FuncMail.Web;

/// <summary>How FuncMail answers HTTP (settings section <c>Web</c>).</summary>
public sealed class WebOptions : IValidatableObject
{
    public const string SectionName = "Web";

    /// <summary>The functionTimeout in host.json; a request must end well before it (on Azure a timed-out invocation restarts the worker).</summary>
    public static readonly TimeSpan FunctionTimeout = TimeSpan.FromMinutes(1);

    /// <summary>
    /// One budget for everything a request does: Table reads and writes, the token endpoint, Graph and the page
    /// (checklist H2). Past it the request ends with the 504 page. Each call's own timeout still applies inside it.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(40);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequestTimeout < TimeSpan.FromSeconds(1) || RequestTimeout > FunctionTimeout - TimeSpan.FromSeconds(10))
        {
            yield return new($"{SectionName}:RequestTimeout must be between 00:00:01 and 00:00:50, at least 10 s below host.json's functionTimeout (got {RequestTimeout}).", [nameof(RequestTimeout)]);
        }
    }
}

[OptionsValidator]
public sealed partial class WebOptionsValidator : IValidateOptions<WebOptions>;

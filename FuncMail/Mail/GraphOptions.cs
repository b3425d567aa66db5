using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace FuncMail.Mail;

/// <summary>Where Microsoft Graph lives (settings section <c>Graph</c>); change it for national clouds.</summary>
public sealed class GraphOptions : IValidatableObject
{
    public const string SectionName = "Graph";

    public Uri BaseUrl { get; set; } = new("https://graph.microsoft.com/v1.0");

    /// <summary>How many messages the mail page shows by default: 10, 25 or 50, the sizes its picker offers.</summary>
    public int PageSize { get; set; } = 10;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is not { IsAbsoluteUri: true, Scheme: "https" } || !string.IsNullOrEmpty(BaseUrl.Query))
        {
            yield return new($"{SectionName}:BaseUrl must be an https URL such as https://graph.microsoft.com/v1.0.", [nameof(BaseUrl)]);
        }

        if (!MessageQuery.PageSizes.Contains(PageSize))
        {
            yield return new($"{SectionName}:PageSize must be 10, 25 or 50 (got {PageSize}).", [nameof(PageSize)]);
        }
    }
}

[OptionsValidator]
public sealed partial class GraphOptionsValidator : IValidateOptions<GraphOptions>;

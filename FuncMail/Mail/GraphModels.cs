using System.Text.Json.Serialization;

namespace FuncMail.Mail;

/// <summary>A page of messages as Graph returns it; only the fields FuncMail asks for with $select.</summary>
public sealed record GraphMessagePage(
    [property: JsonPropertyName("value")] IReadOnlyList<GraphMessage>? Value,
    [property: JsonPropertyName("@odata.nextLink")] string? NextLink);

public sealed record GraphMessage(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("receivedDateTime")] DateTimeOffset? ReceivedDateTime,
    [property: JsonPropertyName("from")] GraphRecipient? From);

public sealed record GraphRecipient([property: JsonPropertyName("emailAddress")] GraphEmailAddress? EmailAddress);

public sealed record GraphEmailAddress(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("address")] string? Address);

/// <summary>Every Graph DTO, serialized by source generation: no reflection on the hot path.</summary>
[JsonSerializable(typeof(GraphMessagePage))]
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = false)]
public sealed partial class GraphJsonContext : JsonSerializerContext;

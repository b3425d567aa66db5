using System.Text.Json.Serialization;

namespace FuncMail.Mail;

/// <summary>A page of messages as Graph returns it; only the fields FuncMail asks for with $select.</summary>
public sealed record GraphMessagePage(
    [property: JsonPropertyName("value")] IReadOnlyList<GraphMessage>? Value,
    [property: JsonPropertyName("@odata.nextLink")] string? NextLink);

/// <summary>One message: what the mail page shows, nothing more (no body).</summary>
public sealed record GraphMessage(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("receivedDateTime")] DateTimeOffset? ReceivedDateTime,
    [property: JsonPropertyName("from")] GraphRecipient? From,
    [property: JsonPropertyName("bodyPreview")] string? BodyPreview,
    [property: JsonPropertyName("isRead")] bool? IsRead,
    [property: JsonPropertyName("hasAttachments")] bool? HasAttachments,
    [property: JsonPropertyName("importance")] string? Importance,
    [property: JsonPropertyName("webLink")] string? WebLink);

/// <summary>One message as the message page and its body frame read it (each asks only for its own fields).</summary>
public sealed record GraphMessageDetail(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("receivedDateTime")] DateTimeOffset? ReceivedDateTime,
    [property: JsonPropertyName("from")] GraphRecipient? From,
    [property: JsonPropertyName("toRecipients")] IReadOnlyList<GraphRecipient>? ToRecipients,
    [property: JsonPropertyName("ccRecipients")] IReadOnlyList<GraphRecipient>? CcRecipients,
    [property: JsonPropertyName("importance")] string? Importance,
    [property: JsonPropertyName("hasAttachments")] bool? HasAttachments,
    [property: JsonPropertyName("isDraft")] bool? IsDraft,
    [property: JsonPropertyName("webLink")] string? WebLink,
    [property: JsonPropertyName("body")] GraphItemBody? Body,
    [property: JsonPropertyName("attachments")] IReadOnlyList<GraphAttachment>? Attachments);

/// <summary>A body: <c>contentType</c> is "html" or "text" (message.md, itemBody).</summary>
public sealed record GraphItemBody(
    [property: JsonPropertyName("contentType")] string? ContentType,
    [property: JsonPropertyName("content")] string? Content);

/// <summary>
/// An attachment's metadata. <c>@odata.type</c> tells a file (bytes FuncMail can serve) from an item (a message,
/// event or contact) and a reference (a link to a file elsewhere); <c>contentId</c> exists on files only.
/// </summary>
public sealed record GraphAttachment(
    [property: JsonPropertyName("@odata.type")] string? ODataType,
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("contentType")] string? ContentType,
    [property: JsonPropertyName("size")] long? Size,
    [property: JsonPropertyName("isInline")] bool? IsInline,
    [property: JsonPropertyName("contentId")] string? ContentId)
{
    public const string FileType = "#microsoft.graph.fileAttachment";

    public bool IsFile => ODataType == FileType;
}

public sealed record GraphRecipient([property: JsonPropertyName("emailAddress")] GraphEmailAddress? EmailAddress);

public sealed record GraphEmailAddress(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("address")] string? Address);

public sealed record GraphFolderPage(
    [property: JsonPropertyName("value")] IReadOnlyList<GraphFolder>? Value,
    [property: JsonPropertyName("@odata.nextLink")] string? NextLink = null);

public sealed record GraphFolder(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("displayName")] string? DisplayName,
    [property: JsonPropertyName("unreadItemCount")] int? UnreadItemCount,
    [property: JsonPropertyName("totalItemCount")] int? TotalItemCount);

/// <summary>The top-level folders, all pages of them, and whether the list had to stop before its end.</summary>
public sealed record GraphFolderList(IReadOnlyList<GraphFolder> Folders, bool Truncated);

/// <summary>Graph's error body: <c>{"error":{"code":"…","message":"…"}}</c>.</summary>
public sealed record GraphErrorBody([property: JsonPropertyName("error")] GraphError? Error);

public sealed record GraphError([property: JsonPropertyName("code")] string? Code);

/// <summary>A JSON batch (Graph's $batch): requests out, responses back, matched by id.</summary>
public sealed record GraphBatchRequest([property: JsonPropertyName("requests")] IReadOnlyList<GraphBatchItem> Requests);

public sealed record GraphBatchItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("dependsOn"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? DependsOn = null);

public sealed record GraphBatchResponse([property: JsonPropertyName("responses")] IReadOnlyList<GraphBatchAnswer>? Responses);

public sealed record GraphBatchAnswer(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("body")] GraphFolder? Body);

public sealed record GraphMailboxSettings([property: JsonPropertyName("timeZone")] string? TimeZone);

/// <summary>Every Graph DTO, serialized by source generation: no reflection on the hot path.</summary>
[JsonSerializable(typeof(GraphMessagePage))]
[JsonSerializable(typeof(GraphMessageDetail))]
[JsonSerializable(typeof(GraphAttachment))]
[JsonSerializable(typeof(GraphFolderPage))]
[JsonSerializable(typeof(GraphMailboxSettings))]
[JsonSerializable(typeof(GraphErrorBody))]
[JsonSerializable(typeof(GraphBatchRequest))]
[JsonSerializable(typeof(GraphBatchResponse))]
[JsonSerializable(typeof(Dictionary<string, string>))]
public sealed partial class GraphJsonContext : JsonSerializerContext;

using System.Globalization;
using System.Net;
using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Mail;

/// <summary>The body document for the frame, ready to send, and whether its policy lets https images load.</summary>
public sealed record MessageBody(string Html, bool ShowImages);

/// <summary>
/// Reading one message, read-only (nothing here marks it read): its page (header and attachment list), its body for
/// the sandboxed frame, and its files. Each request makes one Table read and one Graph call (a download two), by way
/// of <see cref="MailboxAccess"/>.
/// </summary>
public sealed class MessageService(
    MailboxAccess mailbox,
    GraphMailClient graph,
    SignOutTokens signOutTokens,
    InlineImageTokens imageTokens,
    IOptions<GraphOptions> graphOptions,
    ILogger<MessageService> logger)
{
    /// <summary>The message page's query (the id, images, and the list it came from); checked before any I/O.</summary>
    public MessageRef? TryParse(Func<string, string?> single, out string? error) =>
        MessageRef.TryParse(single, graphOptions.Value.PageSize, out error);

    /// <summary>
    /// The message page: header fields, attachment list, and what the body holds back (blocked images, a cut), so
    /// that FuncMail's own notices sit on the page, outside the frame where the mail could imitate or hide them.
    /// One Graph call, with the body; the frame reads it again to draw it.
    /// </summary>
    public async Task<MailOutcome> ShowAsync(MessageRef message, string returnUrl, SignedId? cookie, Guid correlationId, CancellationToken cancellationToken)
    {
        var (call, detail, failure) = await mailbox.CallAsync(
            cookie,
            returnUrl,
            async (c, ct) => await graph.GetMessageAsync(c.AccessToken, message.Id, correlationId, ct) is { } full
                ? (Message: full, TooLarge: false)
                : (Message: await graph.GetMessageHeaderAsync(c.AccessToken, message.Id, correlationId, ct), TooLarge: true),
            e => GraphError(e, message, correlationId),
            correlationId,
            cancellationToken);
        if (call is null)
        {
            return failure!;
        }

        var (found, tooLarge) = detail;
        var session = call.Session;
        var (zone, isUtcFallback) = MailPageView.Zone(session.TimeZone);
        var outlook = MailPageView.SafeOutlookLink(found.WebLink);
        var body = tooLarge ? null : Render(found, message.ShowImages, _ => null);
        return new MailOutcome.Shown<MessageModel>(new MessageModel
        {
            DisplayName = session.DisplayName,
            SignOutToken = signOutTokens.For(session.Id),
            Subject = string.IsNullOrWhiteSpace(found.Subject) ? "(no subject)" : found.Subject,
            From = found.From is { } from ? Person(from) : new("(no sender)", ""),
            To = [.. (found.ToRecipients ?? []).Select(Person)],
            Cc = [.. (found.CcRecipients ?? []).Select(Person)],
            ReceivedText = found.ReceivedDateTime is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) : "",
            ReceivedIso = found.ReceivedDateTime is { } iso ? TimeZoneInfo.ConvertTime(iso, zone).ToString("O", CultureInfo.InvariantCulture) : "",
            TimeZoneNote = isUtcFallback ? "UTC" : zone.DisplayName,
            IsHighImportance = string.Equals(found.Importance, "high", StringComparison.OrdinalIgnoreCase),
            IsDraft = found.IsDraft == true,
            Attachments = Attachments(message.Id, found.Attachments),
            BodyUrl = MailPageView.BodyUrl(message.Id, message.ShowImages),
            BlockedImages = body?.BlockedImages ?? 0,
            ShowImagesUrl = body is { BlockedImages: > 0 } && !message.ShowImages ? MailPageView.MessageUrl(message.Id, message.List, showImages: true) : null,
            ImagesShown = message.ShowImages,
            BodyTruncated = body?.Truncated == true,
            BodyTooLarge = tooLarge,
            BackUrl = MailPageView.Url(message.List),
            OutlookUrl = outlook,
        })
        {
            Kept = call.Active,
        };
    }

    /// <summary>The sanitized body for the frame, one Graph call; the frame's request carries the session cookie.</summary>
    public async Task<MailOutcome> BodyAsync(MessageRef message, SignedId? cookie, Guid correlationId, CancellationToken cancellationToken)
    {
        var (call, detail, failure) = await mailbox.CallAsync(
            cookie, MailPageView.MessageUrl(message.Id, message.List), (c, ct) => graph.GetMessageAsync(c.AccessToken, message.Id, correlationId, ct), e => GraphError(e, message, correlationId), correlationId, cancellationToken);
        if (call is null)
        {
            return failure!;
        }

        if (detail is null)
        {
            return new MailOutcome.Shown<MessageBody>(new(MailHtml.Notice("This message is too large to show here. Open it in Outlook from the page above."), false)) { Kept = call.Active };
        }

        var sessionId = call.Session.Id;
        var inline = InlineImages(detail.Attachments);
        var body = Render(
            detail,
            message.ShowImages,
            cid => inline.TryGetValue(cid, out var attachmentId) ? MailPageView.InlineImageUrl(message.Id, attachmentId, imageTokens.Issue(sessionId, message.Id, attachmentId)) : null);
        MailLog.BodyShown(logger, detail.Body?.Content?.Length ?? 0, body.BlockedImages, body.Truncated, correlationId);
        return new MailOutcome.Shown<MessageBody>(new(body.Html, message.ShowImages)) { Kept = call.Active };
    }

    /// <summary>A body as FuncMail shows it: HTML sanitized, text encoded (Graph may answer text even when HTML is preferred).</summary>
    private static SanitizedBody Render(GraphMessageDetail message, bool showImages, Func<string, string?> inlineImage) =>
        string.Equals(message.Body?.ContentType, "text", StringComparison.OrdinalIgnoreCase)
            ? MailHtml.FromText(message.Body?.Content ?? "")
            : MailHtml.Sanitize(message.Body?.Content ?? "", inlineImage, showImages);

    /// <summary>
    /// A file attachment to download: its metadata (kind, name, size), then its bytes, open for streaming. Items,
    /// references and files over <see cref="AttachmentFiles.MaxDownloadBytes"/> are Outlook's to open.
    /// </summary>
    public async Task<MailOutcome> DownloadAsync(AttachmentRef attachment, string returnUrl, SignedId? cookie, Guid correlationId, CancellationToken cancellationToken)
    {
        var (call, download, failure) = await mailbox.CallAsync(
            cookie,
            returnUrl,
            async (c, ct) =>
            {
                var meta = await graph.GetAttachmentAsync(c.AccessToken, attachment.MessageId, attachment.Id, correlationId, ct);
                if (!meta.IsFile || meta.Size > AttachmentFiles.MaxDownloadBytes)
                {
                    return new Download(meta, null);
                }

                var response = await graph.OpenAttachmentAsync(c.AccessToken, attachment.MessageId, attachment.Id, correlationId, ct);
                return new Download(meta, await AttachmentStream.OpenAsync(
                    response, AttachmentFiles.DownloadType(meta.ContentType), AttachmentFiles.CleanName(meta.Name), AttachmentFiles.MaxDownloadBytes, ct));
            },
            e => AttachmentError(e, correlationId),
            correlationId,
            cancellationToken);
        if (call is null)
        {
            return failure!;
        }

        return download!.File is { } file
            ? new MailOutcome.Shown<AttachmentStream>(file) { Kept = call.Active }
            : new MailOutcome.Failed(download.Metadata.IsFile
                ? new(Problem.AttachmentTooLarge, Detail: AttachmentFiles.ReadableSize(AttachmentFiles.MaxDownloadBytes))
                : new(Problem.AttachmentNotFound)) { Kept = call.Active };
    }

    /// <summary>
    /// An inline image for the body frame, by its sealed token (checked with no I/O): png, jpeg, gif or webp, proven
    /// by its first bytes; anything else, or a token that does not fit, is "not found".
    /// </summary>
    public async Task<MailOutcome> InlineImageAsync(AttachmentRef attachment, Guid correlationId, CancellationToken cancellationToken)
    {
        if (!imageTokens.TryOpen(attachment.InlineToken, attachment.MessageId, attachment.Id, out var session))
        {
            return new MailOutcome.Failed(new(Problem.AttachmentNotFound));
        }

        var (call, image, failure) = await mailbox.CallAsync(
            session,
            Routes.HomePath,
            async (c, ct) => await AttachmentStream.OpenAsync(
                await graph.OpenAttachmentAsync(c.AccessToken, attachment.MessageId, attachment.Id, correlationId, ct), contentType: null, fileName: null, AttachmentFiles.MaxInlineBytes, ct),
            e => AttachmentError(e, correlationId),
            correlationId,
            cancellationToken);
        if (call is null)
        {
            // The token's session is not this browser's cookie: nothing to expire or re-issue.
            return failure! with { Ended = false, Kept = null };
        }

        if (AttachmentFiles.InlineImageType(image!.Head) is not { } type)
        {
            await image.DisposeAsync();
            return new MailOutcome.Failed(new(Problem.AttachmentNotFound));
        }

        return new MailOutcome.Shown<AttachmentStream>(image with { ContentType = type });
    }

    /// <summary>A download's metadata and, when it is a file within the cap, its open stream.</summary>
    private sealed record Download(GraphAttachment Metadata, AttachmentStream? File) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => File?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    private static Person Person(GraphRecipient recipient) =>
        new(recipient.EmailAddress?.Name is { Length: > 0 } name ? name : recipient.EmailAddress?.Address ?? "(unknown)", recipient.EmailAddress?.Address ?? "");

    /// <summary>
    /// The list under the header: every attachment but the inline ones (Graph's isInline; the body shows those), files
    /// with a download link, items and references with "Open in Outlook".
    /// </summary>
    private static IReadOnlyList<AttachmentRow> Attachments(string messageId, IReadOnlyList<GraphAttachment>? attachments) =>
        [.. (attachments ?? [])
            .Where(a => a.IsInline != true && a.Id is not null)
            .Select(a => new AttachmentRow(
                AttachmentFiles.DisplayName(a.Name),
                a.IsFile ? (a.ContentType?.Split(';')[0].Trim() is { Length: > 0 } type ? type : "file") : a.ODataType == "#microsoft.graph.itemAttachment" ? "Outlook item" : "Link to a file",
                AttachmentFiles.ReadableSize(a.Size),
                // A file without a size is offered too: the download counts its bytes against the cap.
                a.IsFile && !(a.Size > AttachmentFiles.MaxDownloadBytes) && GraphIds.IsValid(a.Id) ? MailPageView.DownloadUrl(messageId, a.Id!) : null,
                !a.IsFile ? "Open it in Outlook" : a.Size > AttachmentFiles.MaxDownloadBytes ? $"Over {AttachmentFiles.ReadableSize(AttachmentFiles.MaxDownloadBytes)}: open it in Outlook" : "Open it in Outlook"))];

    /// <summary>
    /// Content-ID → attachment id for the files a <c>cid:</c> may name: raster images within the inline cap. Graph's
    /// isInline is not trusted either way (it reports some inline images as false, microsoft-graph-docs#2095); being
    /// referenced from the body is what makes an image inline.
    /// </summary>
    private static Dictionary<string, string> InlineImages(IReadOnlyList<GraphAttachment>? attachments)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in attachments ?? [])
        {
            if (a is { IsFile: true, ContentId: { Length: > 0 } contentId, Id: { } id } && GraphIds.IsValid(id)
                && AttachmentFiles.MayBeInlineImage(a.ContentType) && a.Size is null or <= AttachmentFiles.MaxInlineBytes)
            {
                map.TryAdd(contentId.Trim().TrimStart('<').TrimEnd('>'), id);
            }
        }

        return map;
    }

    private Failure GraphError(Exception e, MessageRef message, Guid correlationId)
    {
        var (status, code) = Log(e, correlationId);
        return (status, code) switch
        {
            (_, "MailboxNotEnabledForRESTAPI") => new(Problem.NoMailbox),

            // The id came from FuncMail's own link: Graph's 404 (deleted, or moved where the id does not lead) and 400
            // (ErrorInvalidIdMalformed, RequestBroker--ParseUri) both mean the message cannot be found from here.
            (HttpStatusCode.NotFound or HttpStatusCode.BadRequest, _) => new(Problem.MessageNotFound, ActionUrl: MailPageView.Url(message.List)),
            (HttpStatusCode.Forbidden, _) => new(Problem.MailAccessDenied),
            (HttpStatusCode.TooManyRequests, _) => new(Problem.GraphBusy, ActionUrl: MailPageView.MessageUrl(message.Id, message.List), RetryAfter: ((GraphException)e).RetryAfter),
            _ => new(Problem.GraphUnavailable),
        };
    }

    private Failure AttachmentError(Exception e, Guid correlationId)
    {
        var (status, _) = Log(e, correlationId);
        return status switch
        {
            // 405 is a reference attachment's $value (attachment-get.md); 404 and 400, one that is gone or never was.
            HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed => new(Problem.AttachmentNotFound),
            HttpStatusCode.Forbidden => new(Problem.MailAccessDenied),
            HttpStatusCode.TooManyRequests => new(Problem.GraphBusy, RetryAfter: ((GraphException)e).RetryAfter),
            _ => new(Problem.GraphUnavailable),
        };
    }

    private (HttpStatusCode? Status, string? Code) Log(Exception e, Guid correlationId)
    {
        var code = (e as GraphException)?.Code;
        MailLog.GraphFailed(logger, GraphFailure.Status(e), code ?? "", correlationId);
        return ((e as GraphException)?.Status, code);
    }
}

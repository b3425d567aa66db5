using System.Globalization;
using System.Net;
using FuncMail.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FuncMail.Mail;

/// <summary>The body document for the frame, ready to send.</summary>
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
    FrameTokens frameTokens,
    IOptions<GraphOptions> graphOptions,
    ILogger<MessageService> logger)
{
    /// <summary>The message page's query (the id, images, and the list it came from); checked before any I/O.</summary>
    public MessageRef? TryParse(Func<string, string?> single, out string? error) =>
        MessageRef.TryParse(single, graphOptions.Value.PageSize, out error);

    /// <summary>The message page: header fields and attachment list, one Graph call without the body.</summary>
    public async Task<MailOutcome> ShowAsync(MessageRef message, string returnUrl, SignedId? cookie, Guid correlationId, CancellationToken cancellationToken)
    {
        var (call, detail, failure) = await mailbox.CallAsync(
            cookie, returnUrl, (c, ct) => graph.GetMessageAsync(c.AccessToken, message.Id, correlationId, ct), e => GraphError(e, message, correlationId), correlationId, cancellationToken);
        if (call is null)
        {
            return failure!;
        }

        var session = call.Session;
        var (zone, isUtcFallback) = MailPageView.Zone(session.TimeZone);
        var outlook = MailPageView.SafeOutlookLink(detail!.WebLink);
        return new MailOutcome.Shown<MessageModel>(new MessageModel
        {
            DisplayName = session.DisplayName,
            SignOutToken = signOutTokens.For(session.Id),
            Subject = string.IsNullOrWhiteSpace(detail.Subject) ? "(no subject)" : detail.Subject,
            From = detail.From is { } from ? Person(from) : new("(no sender)", ""),
            To = [.. (detail.ToRecipients ?? []).Select(Person)],
            Cc = [.. (detail.CcRecipients ?? []).Select(Person)],
            ReceivedText = detail.ReceivedDateTime is { } at ? TimeZoneInfo.ConvertTime(at, zone).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) : "",
            ReceivedIso = detail.ReceivedDateTime is { } iso ? TimeZoneInfo.ConvertTime(iso, zone).ToString("O", CultureInfo.InvariantCulture) : "",
            TimeZoneNote = isUtcFallback ? "UTC" : zone.DisplayName,
            IsHighImportance = string.Equals(detail.Importance, "high", StringComparison.OrdinalIgnoreCase),
            IsDraft = detail.IsDraft == true,
            Attachments = Attachments(message.Id, detail.Attachments, outlook),
            BodyUrl = MailPageView.BodyUrl(message.Id, message.ShowImages),
            BackUrl = MailPageView.Url(message.List),
            OutlookUrl = outlook,
        })
        {
            Kept = call.Active,
        };
    }

    /// <summary>
    /// The sanitized body for the frame, one Graph call. The frame's own request carries the session cookie; its
    /// "Show images" reload comes from inside the sandbox without one, with a token instead (<see cref="FrameTokens"/>).
    /// </summary>
    /// <param name="showImagesToken">The token of a "Show images" reload, or null when the cookie is the credential.</param>
    public async Task<MailOutcome> BodyAsync(MessageRef message, SignedId? cookie, string? showImagesToken, Guid correlationId, CancellationToken cancellationToken)
    {
        if (showImagesToken is not null)
        {
            if (!message.ShowImages || !frameTokens.TryOpen(showImagesToken, message.Id, FrameTokens.ShowImages, out var fromToken))
            {
                return new MailOutcome.Failed(new(Problem.MessageNotFound));
            }

            cookie = fromToken;
        }

        var returnUrl = MailPageView.MessageUrl(message.Id, message.List);
        var (call, detail, failure) = await mailbox.CallAsync(
            cookie, returnUrl, (c, ct) => graph.GetMessageBodyAsync(c.AccessToken, message.Id, correlationId, ct), e => GraphError(e, message, correlationId), correlationId, cancellationToken);
        if (call is null)
        {
            // A token's session is not the cookie's: nothing to expire.
            return showImagesToken is null ? failure! : failure! with { Ended = false, Kept = null };
        }

        var sessionId = call.Session.Id;
        var outlook = MailPageView.SafeOutlookLink(detail?.WebLink);
        if (detail is null)
        {
            return new MailOutcome.Shown<MessageBody>(new(MailHtml.Notice("This message is too large to show here. ", "Open it in Outlook", outlook), false)) { Kept = showImagesToken is null ? call.Active : null };
        }

        var links = new BodyLinks(
            message.ShowImages ? null : MailPageView.BodyUrl(message.Id, showImages: true) + "&t=" + Uri.EscapeDataString(frameTokens.Issue(sessionId, message.Id, FrameTokens.ShowImages)),
            outlook);
        var inline = InlineImages(detail.Attachments);
        var body = detail.Body?.Content ?? "";
        var sanitized = string.Equals(detail.Body?.ContentType, "text", StringComparison.OrdinalIgnoreCase)
            ? MailHtml.FromText(body, links)
            : MailHtml.Sanitize(
                body,
                cid => inline.TryGetValue(cid, out var attachmentId) ? MailPageView.InlineImageUrl(message.Id, attachmentId, frameTokens.Issue(sessionId, message.Id, attachmentId)) : null,
                message.ShowImages,
                links);
        MailLog.BodyShown(logger, body.Length, sanitized.BlockedImages, sanitized.Truncated, correlationId);
        return new MailOutcome.Shown<MessageBody>(new(sanitized.Html, message.ShowImages)) { Kept = showImagesToken is null ? call.Active : null };
    }

    /// <summary>
    /// A file attachment to download: its metadata (kind, name, size), then its bytes, open for streaming. Items,
    /// references and files over <see cref="AttachmentFiles.MaxDownloadBytes"/> are Outlook's to open.
    /// </summary>
    public async Task<MailOutcome> DownloadAsync(AttachmentRef attachment, string returnUrl, SignedId? cookie, Guid correlationId, CancellationToken cancellationToken)
    {
        var (call, opened, failure) = await mailbox.CallAsync(
            cookie,
            returnUrl,
            async (c, ct) =>
            {
                var meta = await graph.GetAttachmentAsync(c.AccessToken, attachment.MessageId, attachment.Id, correlationId, ct);
                if (!meta.IsFile || meta.Size > AttachmentFiles.MaxDownloadBytes)
                {
                    return (meta, null);
                }

                return (meta, (HttpResponseMessage?)await graph.OpenAttachmentAsync(c.AccessToken, attachment.MessageId, attachment.Id, correlationId, ct));
            },
            e => AttachmentError(e, correlationId),
            correlationId,
            cancellationToken);
        if (call is null)
        {
            return failure!;
        }

        var (metadata, response) = opened;
        if (response is null)
        {
            return new MailOutcome.Failed(metadata.IsFile
                ? new(Problem.AttachmentTooLarge, Detail: AttachmentFiles.ReadableSize(AttachmentFiles.MaxDownloadBytes))
                : new(Problem.AttachmentNotFound)) { Kept = call.Active };
        }

        return new MailOutcome.Shown<AttachmentStream>(await AttachmentStream.OpenAsync(
            response, AttachmentFiles.DownloadType(metadata.ContentType), AttachmentFiles.CleanName(metadata.Name), AttachmentFiles.MaxDownloadBytes, cancellationToken))
        {
            Kept = call.Active,
        };
    }

    /// <summary>
    /// An inline image for the body frame, by its sealed token (checked with no I/O): png, jpeg, gif or webp, proven
    /// by its first bytes; anything else, or a token that does not fit, is "not found".
    /// </summary>
    public async Task<MailOutcome> InlineImageAsync(AttachmentRef attachment, Guid correlationId, CancellationToken cancellationToken)
    {
        if (!frameTokens.TryOpen(attachment.InlineToken, attachment.MessageId, attachment.Id, out var session))
        {
            return new MailOutcome.Failed(new(Problem.AttachmentNotFound));
        }

        var (call, response, failure) = await mailbox.CallAsync(
            session, Routes.HomePath, (c, ct) => graph.OpenAttachmentAsync(c.AccessToken, attachment.MessageId, attachment.Id, correlationId, ct), e => AttachmentError(e, correlationId), correlationId, cancellationToken);
        if (call is null)
        {
            return failure! with { Ended = false, Kept = null };
        }

        var image = await AttachmentStream.OpenAsync(response!, contentType: null, fileName: null, AttachmentFiles.MaxInlineBytes, cancellationToken);
        if (AttachmentFiles.InlineImageType(image.Head) is not { } type)
        {
            await image.DisposeAsync();
            return new MailOutcome.Failed(new(Problem.AttachmentNotFound));
        }

        return new MailOutcome.Shown<AttachmentStream>(image with { ContentType = type });
    }

    private static Person Person(GraphRecipient recipient) =>
        new(recipient.EmailAddress?.Name is { Length: > 0 } name ? name : recipient.EmailAddress?.Address ?? "(unknown)", recipient.EmailAddress?.Address ?? "");

    /// <summary>
    /// The list under the header: every attachment but the inline ones (Graph's isInline; the body shows those), files
    /// with a download link, items and references with "Open in Outlook".
    /// </summary>
    private static IReadOnlyList<AttachmentRow> Attachments(string messageId, IReadOnlyList<GraphAttachment>? attachments, string? outlook) =>
        [.. (attachments ?? [])
            .Where(a => a.IsInline != true && a.Id is not null)
            .Select(a => new AttachmentRow(
                AttachmentFiles.CleanName(a.Name),
                a.IsFile ? (a.ContentType?.Split(';')[0].Trim() is { Length: > 0 } type ? type : "file") : a.ODataType == "#microsoft.graph.itemAttachment" ? "Outlook item" : "Link to a file",
                AttachmentFiles.ReadableSize(a.Size),
                a.IsFile && a.Size <= AttachmentFiles.MaxDownloadBytes && GraphIds.IsValid(a.Id) ? MailPageView.DownloadUrl(messageId, a.Id!) : null,
                !a.IsFile ? "Open it in Outlook" : a.Size > AttachmentFiles.MaxDownloadBytes ? $"Over {AttachmentFiles.ReadableSize(AttachmentFiles.MaxDownloadBytes)}: open it in Outlook" : null))];

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

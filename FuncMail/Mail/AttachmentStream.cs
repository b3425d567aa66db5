namespace FuncMail.Mail;

/// <summary>
/// A file on its way from Graph to the browser: Graph's open response, its first bytes already read (to prove an
/// image's type), and the rest copied a chunk at a time, never held whole.
/// </summary>
public sealed record AttachmentStream : IAsyncDisposable
{
    private const int HeadBytes = 16;
    private const int ChunkBytes = 64 * 1024;

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;
    private readonly long _cap;

    private AttachmentStream(HttpResponseMessage response, Stream body, byte[] head, string? contentType, string? fileName, long cap)
    {
        _response = response;
        _body = body;
        Head = head;
        ContentType = contentType;
        FileName = fileName;
        _cap = cap;
    }

    /// <summary>The file's first bytes (up to 16).</summary>
    public byte[] Head { get; }

    /// <summary>The type to send; null until decided.</summary>
    public string? ContentType { get; init; }

    /// <summary>The cleaned name to offer for a download; null for an inline image.</summary>
    public string? FileName { get; }

    /// <summary>The length Graph announced, if it did and it is within the cap.</summary>
    public long? Length => _response.Content.Headers.ContentLength is { } length && length <= _cap ? length : null;

    /// <summary>Takes an open <c>$value</c> response and reads its first bytes.</summary>
    internal static async Task<AttachmentStream> OpenAsync(HttpResponseMessage response, string? contentType, string? fileName, long cap, CancellationToken cancellationToken)
    {
        // The first bytes come within an attempt's time limit, as a JSON answer's do; a stalled Graph is "not answering".
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(GraphResilience.AttemptTimeout);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(timeout.Token);
            var head = new byte[HeadBytes];
            var read = 0;
            int n;
            while (read < HeadBytes && (n = await body.ReadAsync(head.AsMemory(read), timeout.Token)) > 0)
            {
                read += n;
            }

            return new AttachmentStream(response, body, head[..read], contentType, fileName, cap);
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Graph's connection broke before the first bytes: "Graph is not answering", like any unreadable answer.
            response.Dispose();
            throw new GraphException(System.Net.HttpStatusCode.BadGateway, null, "Graph's answer could not be read.", e);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the whole file to <paramref name="destination"/>. Past the cap it throws, leaving the response cut: the
    /// browser then reports a failed download rather than a complete but truncated file.
    /// </summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        var total = (long)Head.Length;
        await destination.WriteAsync(Head, cancellationToken);
        var buffer = new byte[ChunkBytes];
        int read;
        while ((read = await _body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > _cap)
            {
                throw new IOException($"The file is larger than the {_cap}-byte cap; the response was cut.");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        _response.Dispose();
    }
}

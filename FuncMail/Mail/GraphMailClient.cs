using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace FuncMail.Mail;

/// <summary>
/// A typed HttpClient for the few Graph calls FuncMail makes. The Graph SDK would add megabytes to a cold start
/// for one GET, so this stays hand-written, with source-generated JSON.
/// </summary>
public sealed class GraphMailClient(HttpClient http, ILogger<GraphMailClient> logger)
{
    private const string InboxSelect = "$select=from,subject,receivedDateTime&$orderby=receivedDateTime%20desc";

    /// <summary>The newest <paramref name="top"/> inbox messages. <paramref name="correlationId"/> goes out as client-request-id.</summary>
    public async Task<GraphMessagePage> GetInboxAsync(string accessToken, int top, Guid correlationId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"me/mailFolders/inbox/messages?$top={top}&{InboxSelect}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        request.Headers.Add("client-request-id", correlationId.ToString());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        MailLog.GraphCall(logger, (int)response.StatusCode, correlationId, response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null);
        if (!response.IsSuccessStatusCode)
        {
            throw new GraphException(response.StatusCode, RetryAfter(response), $"Graph answered HTTP {(int)response.StatusCode}.");
        }

        try
        {
            return await response.Content.ReadFromJsonAsync(GraphJsonContext.Default.GraphMessagePage, cancellationToken)
                ?? throw new GraphException(response.StatusCode, null, "Graph answered with an empty body.");
        }
        catch (JsonException e)
        {
            throw new GraphException(response.StatusCode, null, "Graph answered with JSON FuncMail could not read.", e);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta;
}

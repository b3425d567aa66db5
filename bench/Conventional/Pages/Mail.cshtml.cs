using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Identity.Web;

namespace Conventional.Pages;

/// <summary>
/// The inbox: the newest messages with the same $select as FuncMail's list, and the top-level folders, fetched in
/// parallel as FuncMail does. AuthorizeForScopes sends the user back to sign in when the token cache cannot answer.
/// </summary>
[Authorize]
[AuthorizeForScopes(Scopes = ["Mail.Read"])]
public sealed class MailModel(GraphServiceClient graph) : PageModel
{
    public IReadOnlyList<Message> Messages { get; private set; } = [];

    public IReadOnlyList<MailFolder> Folders { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var messages = graph.Me.MailFolders["inbox"].Messages.GetAsync(request =>
        {
            request.QueryParameters.Select = ["from", "subject", "receivedDateTime", "bodyPreview", "isRead", "hasAttachments", "importance", "webLink"];
            request.QueryParameters.Top = 10;
            request.QueryParameters.Skip = 0;
            request.QueryParameters.Orderby = ["receivedDateTime desc"];
        }, cancellationToken);
        var folders = graph.Me.MailFolders.GetAsync(request =>
        {
            request.QueryParameters.Select = ["id", "displayName", "unreadItemCount", "totalItemCount"];
            request.QueryParameters.Top = 250;
        }, cancellationToken);
        Messages = (await messages)?.Value ?? [];
        Folders = (await folders)?.Value ?? [];
    }
}

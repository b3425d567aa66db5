using Microsoft.Identity.Client;

namespace FuncMail.Auth;

/// <summary>Gives MSAL pooled HttpClients from IHttpClientFactory; tests swap the named client's primary handler for the Entra stub.</summary>
public sealed class MsalHttpClientFactory(IHttpClientFactory factory) : IMsalHttpClientFactory
{
    public const string ClientName = "MSAL";

    public HttpClient GetHttpClient() => factory.CreateClient(ClientName);
}

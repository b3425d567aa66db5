using Conventional;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Graph;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Web;

// The conventional way to put "sign in with Microsoft, see my mail" on the web in .NET, written as the
// Microsoft.Identity.Web docs and its "call Microsoft Graph" web-app samples recommend: the OpenID Connect handler
// signs the user in, MSAL (inside Identity.Web) redeems the code and keeps the tokens in a distributed token cache,
// and the Graph SDK calls Graph with a token per request. A benchmark peer for FuncMail, not a product: see
// bench/README.md. Settings (environment variables or appsettings.json):
//   AzureAd__ClientId, AzureAd__ClientSecret, AzureAd__Instance, AzureAd__TenantId   the app registration
//   Peer__Cache = Memory | Redis, Peer__Redis = host:port                           the token cache's store
//   ASPNETCORE_URLS                                                                 where it listens
var builder = WebApplication.CreateBuilder(args);
string[] scopes = ["Mail.Read"];

builder.Services.AddAuthentication(OpenIdConnectDefaults.AuthenticationScheme)
    .AddMicrosoftIdentityWebApp(builder.Configuration.GetSection("AzureAd"))
    .EnableTokenAcquisitionToCallDownstreamApi(scopes)
    .AddDistributedTokenCaches();

// The OpenID Connect handler's correlation and nonce cookies are Secure by default; this peer is measured over plain
// http on loopback, as FuncMail is, so they follow the request's scheme instead (over https they stay Secure).
builder.Services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
{
    options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
    options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
});

// The token cache's store: one process's memory, or Redis so that instances can scale out (the docs' two choices).
if (builder.Configuration["Peer:Cache"] == "Redis")
{
    builder.Services.AddStackExchangeRedisCache(options => options.Configuration = builder.Configuration["Peer:Redis"]);
}
else
{
    builder.Services.AddDistributedMemoryCache();
}

// Instances that share sessions must share the Data Protection key ring that protects the auth cookie, under one
// application name (ASP.NET Core's default name is the content root, which differs between builds). A scale-out
// deployment keeps the keys in Redis or Blob Storage; here every instance shares $HOME's key directory.
builder.Services.AddDataProtection().SetApplicationName("Conventional");

// Counts what the token cache asks of its store (bench figures only; read at /bench/cache).
CacheCounter.Decorate(builder.Services);

// The Graph client, registered as Microsoft.Identity.Web.GraphServiceClient's AddMicrosoftGraph does (that package is
// not served offline; AzureAD/microsoft-identity-web, src/Microsoft.Identity.Web.GraphServiceClient,
// GraphServiceCollectionExtensions.cs): a scoped GraphServiceClient over IHttpClientFactory's "GraphServiceClient"
// client, whose authentication provider asks Identity.Web for the signed-in user's Authorization header per request.
builder.Services.AddHttpClient("GraphServiceClient");
builder.Services.AddScoped(services => new GraphServiceClient(
    services.GetRequiredService<IHttpClientFactory>().CreateClient("GraphServiceClient"),
    new UserAuthenticationProvider(services.GetRequiredService<IAuthorizationHeaderProvider>(), scopes)));

builder.Services.AddRazorPages();
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapRazorPages();

// Sign-in and sign-out, as Microsoft.Identity.Web.UI's AccountController does them (that package is not served
// offline either): a challenge, and a sign-out of both schemes (Identity.Web then removes the account's tokens).
app.MapGet("/signin", (string? returnUrl) => Results.Challenge(
    new AuthenticationProperties { RedirectUri = returnUrl is ['/', not '/', ..] ? returnUrl : "/Mail" },
    [OpenIdConnectDefaults.AuthenticationScheme]));
app.MapPost("/signout", () => Results.SignOut(
    new AuthenticationProperties { RedirectUri = "/" },
    [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]))
    .RequireAuthorization();

// Bench figure: the token cache store's operations so far (reads, writes, refreshes, removes).
app.MapGet("/bench/cache", (CacheCounter counter) => Results.Text(counter.ToString()));

app.Run();

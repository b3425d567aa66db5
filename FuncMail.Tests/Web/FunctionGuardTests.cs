using System.Net;
using FuncMail.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RazorSlices;

namespace FuncMail.Tests.Web;

/// <summary>
/// The guard around every function, on real Kestrel (where a response that has started cannot be taken back):
/// a result that fails while it executes still gives the friendly 500 page (checklist H6).
/// </summary>
public sealed class FunctionGuardTests
{
    [Fact]
    [Trait("Checklist", "H6")]
    public async Task RunAsync_PageFailingHalfWayThroughRendering_GivesThe500PageNotACutBody()
    {
        await using var server = await ServeAsync(() => new PageResult(new FailingSlice()));

        using var response = await server.Client.GetAsync("/");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Something went wrong", body, StringComparison.Ordinal);
        Assert.Contains("Support id", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Half a page", body, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.NotNull(response.Headers.GetValues("Content-Security-Policy").SingleOrDefault());
    }

    [Fact]
    [Trait("Checklist", "H6")]
    public async Task RunAsync_ResultFailingAfterItStartedTheResponse_BreaksTheConnectionRatherThanSendACompleteLooking200()
    {
        await using var server = await ServeAsync(() => new StreamingThenFailingResult());

        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await server.Client.GetAsync("/");
            await response.Content.ReadAsStringAsync();
        });
    }

    [Fact]
    public async Task RunAsync_FunctionThrowing_DropsWhatItSetAndGivesThe500Page()
    {
        await using var server = await ServeAsync(() => throw new InvalidOperationException("boom"), setCookieFirst: true);

        using var response = await server.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.DoesNotContain("boom", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FunctionReturningSomethingElse_GivesThe500PageNotAnEmpty200()
    {
        await using var server = await ServeAsync(() => null!);

        using var response = await server.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Support id", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<Server> ServeAsync(Func<IActionResult> result, bool setCookieFirst = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(Handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Server(app, new HttpClient { BaseAddress = new Uri(address) });

        Task Handle(Microsoft.AspNetCore.Http.HttpContext context) => Guard.RunAsync(context, CancellationToken.None, () => Function(context));

        Task<object?> Function(Microsoft.AspNetCore.Http.HttpContext context)
        {
            if (setCookieFirst)
            {
                context.Response.Cookies.Append("__Host-FuncMail", "half-made-session");
            }

            return Task.FromResult<object?>(result());
        }
    }

    private static readonly FunctionGuard Guard = new(
        new ResponseHardening(Options.Create(new FuncMail.Auth.EntraOptions())), Options.Create(new WebOptions()), TimeProvider.System, NullLogger<FunctionGuard>.Instance);

    private sealed record Server(WebApplication App, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
        }
    }

    /// <summary>A template that writes, flushes (as a long page may) and then fails.</summary>
    private sealed class FailingSlice : RazorSlice
    {
        public override async Task ExecuteAsync()
        {
            WriteLiteral("<p>Half a page");
            await FlushAsync();
            throw new InvalidOperationException("A template failed half way.");
        }
    }

    /// <summary>A streamed body (a download, say) that fails after its first bytes went out.</summary>
    private sealed class StreamingThenFailingResult : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            await context.HttpContext.Response.Body.WriteAsync("first bytes"u8.ToArray());
            await context.HttpContext.Response.Body.FlushAsync();
            throw new IOException("The source went away.");
        }
    }
}

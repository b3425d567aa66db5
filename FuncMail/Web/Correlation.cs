using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace FuncMail.Web;

/// <summary>
/// One id per request: the W3C trace id of the request's operation, so that the support id on an error page is
/// Application Insights' operation_Id and finds every log, dependency and exception of the request. It is also sent
/// to MSAL and Graph as client-request-id, and logged (checklist F2).
/// </summary>
public static class Correlation
{
    private static readonly object Key = new();

    /// <summary>The request's id: the one the Functions host gave the invocation, else the current activity's trace, else a new one.</summary>
    public static Guid Get(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var value) && value is Guid id)
        {
            return id;
        }

        id = Activity.Current is { TraceId: var trace } && trace != default ? FromTraceId(trace.ToHexString()) ?? Guid.NewGuid() : Guid.NewGuid();
        context.Items[Key] = id;
        return id;
    }

    /// <summary>Adopts the trace of the host's invocation (a W3C traceparent: version-traceid-spanid-flags).</summary>
    public static void Adopt(HttpContext context, string? traceParent)
    {
        if (traceParent?.Split('-') is [_, var traceId, _, _] && FromTraceId(traceId) is { } id)
        {
            context.Items[Key] = id;
        }
    }

    /// <summary>The support id as users see it and Application Insights stores operation_Id: 32 hex digits.</summary>
    public static string Display(Guid id) => id.ToString("N");

    // A trace id is 16 bytes, like a Guid; written as 32 hex digits ("N") they are the same text.
    private static Guid? FromTraceId(string hex) =>
        hex.Length == 32 && hex != "00000000000000000000000000000000" && Guid.TryParseExact(hex, "N", out var id) ? id : null;
}

using Microsoft.AspNetCore.Http;

namespace FuncMail.Web;

/// <summary>One GUID per request: sent to MSAL and Graph as client-request-id, logged, and shown on error pages (checklist F2).</summary>
public static class Correlation
{
    private static readonly object Key = new();

    public static Guid Get(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var value) && value is Guid id)
        {
            return id;
        }

        id = Guid.NewGuid();
        context.Items[Key] = id;
        return id;
    }
}

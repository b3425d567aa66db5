using System.Text.Json;

namespace FuncMail.Tests.Infrastructure;

/// <summary>One HTTP function as the Functions SDK described it in functions.metadata at build time.</summary>
public sealed record HttpFunction(string Name, string EntryPoint, string Route, IReadOnlyList<string> Methods);

/// <summary>Reads the build's functions.metadata and host.json (copied next to FuncMail.dll), so test routes are the host's routes.</summary>
public static class FunctionsMetadata
{
    public static string RoutePrefix { get; } = ReadRoutePrefix();

    public static IReadOnlyList<HttpFunction> HttpFunctions { get; } = Read();

    private static List<HttpFunction> Read()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build FuncMail with the Functions Worker SDK (dotnet build FuncMail.sln).");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var functions = new List<HttpFunction>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var name = function.GetProperty("name").GetString()!;
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                if (binding.GetProperty("type").GetString() == "httpTrigger")
                {
                    functions.Add(new HttpFunction(
                        name,
                        function.GetProperty("entryPoint").GetString()!,
                        binding.TryGetProperty("route", out var route) ? route.GetString()! : name,
                        binding.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList()));
                }
            }
        }

        return functions;
    }

    private static string ReadRoutePrefix()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
                ? prefix.GetString()!
                : "api";
    }
}

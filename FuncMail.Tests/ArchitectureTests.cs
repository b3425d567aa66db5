using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncMail.Tests.Infrastructure;
using FuncMail.Web;
using Microsoft.Azure.Functions.Worker;
using NetArchTest.Rules;

namespace FuncMail.Tests;

/// <summary>
/// The shape docs/architecture.md draws: folders form layers, each using only those below it; HTTP types live at the
/// edge; every route comes from <see cref="Routes"/>; every problem has its page; every log event is named. The
/// dependency rules read the compiled assembly (NetArchTest, on Mono.Cecil: every type a type's IL touches, Razor
/// templates included); the route and log rules read the source.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>Each folder and the folders it may use. Storage, Sessions, Auth and Mail are the layers; Pages, Web and Functions the HTTP edge.</summary>
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Storage"] = [],
        ["Sessions"] = ["Storage"],
        ["Auth"] = ["Storage", "Sessions"],
        ["Mail"] = ["Storage", "Sessions", "Auth"],
        ["Pages"] = ["Mail"],
        ["Web"] = ["Storage", "Sessions", "Auth", "Mail", "Pages"],
        ["Functions"] = ["Storage", "Sessions", "Auth", "Mail", "Pages", "Web"],
    };

    /// <summary>The shared kernel at the project's root: what every layer may use, so it uses none of them.</summary>
    private static readonly string[] Kernel = ["Routes.cs", "Problem.cs"];

    private static readonly string App = Path.Combine(RepoPaths.Root, "FuncMail");

    private static readonly Assembly AppAssembly = typeof(Routes).Assembly;

    public static TheoryData<string> Folders() => [.. MayUse.Keys];

    [Theory]
    [MemberData(nameof(Folders))]
    public void Folder_UsesOnlyTheLayersBelowIt(string folder)
    {
        var forbidden = MayUse.Keys.Where(other => other != folder && !MayUse[folder].Contains(other)).Select(other => $"FuncMail.{other}").ToArray();

        var result = Types.InAssembly(AppAssembly).That().ResideInNamespace($"FuncMail.{folder}").ShouldNot().HaveDependencyOnAny(forbidden).GetResult();

        Assert.True(result.IsSuccessful, $"FuncMail.{folder} uses a layer above it: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Kernel_UsesNoFolder()
    {
        var result = Types.InAssembly(AppAssembly).That().HaveName(nameof(Routes)).Or().HaveName(nameof(Problem)).Or().HaveName(nameof(Failure))
            .ShouldNot().HaveDependencyOnAny([.. MayUse.Keys.Select(folder => $"FuncMail.{folder}")]).GetResult();

        Assert.True(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
        Assert.All(Kernel, file => Assert.Empty(UsedFolders(File.ReadAllText(Path.Combine(App, file)))));
    }

    [Theory]
    [InlineData("Storage")]
    [InlineData("Sessions")]
    [InlineData("Auth")]
    [InlineData("Mail")]
    public void LayersBelowTheEdge_SpeakNoHttp(string folder)
    {
        // Two documented exceptions, helpers rather than HTTP: ReturnUrl builds on RedirectHttpResult.IsLocalUrl, and
        // MailPageView writes the page's links with QueryBuilder.
        var result = Types.InAssembly(AppAssembly).That().ResideInNamespace($"FuncMail.{folder}")
            .And().DoNotHaveName("ReturnUrl").And().DoNotHaveName("MailPageView")
            .ShouldNot().HaveDependencyOnAny("Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Mvc", "Microsoft.AspNetCore.Routing", "Microsoft.Azure.Functions.Worker.Http")
            .GetResult();

        Assert.True(result.IsSuccessful, "HTTP types below the edge: " + string.Join(", ", result.FailingTypeNames ?? []));
        var http = SourceFiles(folder).Where(file => HttpTypes().IsMatch(File.ReadAllText(file))).Select(file => Path.GetRelativePath(App, file)).ToList();
        Assert.True(http.Count == 0, "HTTP types below the edge: " + string.Join(", ", http));
    }

    [Fact]
    public void Functions_AreNamedAndRoutedByRoutes()
    {
        var routes = typeof(Routes).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var functions = AppAssembly.GetTypes().SelectMany(t => t.GetMethods()).Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>())).Where(x => x.Function is not null).ToList();

        Assert.NotEmpty(functions);
        foreach (var (method, function) in functions)
        {
            var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
            if (trigger is null)
            {
                continue; // the timer
            }

            Assert.Contains(function!.Name, routes);
            Assert.Contains(trigger.Route!, routes);
        }
    }

    [Fact]
    public void Routes_AreWrittenOnlyInRoutes_AndMatchHostJson()
    {
        var literals = Directory.EnumerateFiles(App, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal)) && !IsBuildOutput(f) && Path.GetFileName(f) != "Routes.cs")
            .Where(f => File.ReadAllText(f).Contains("/api/", StringComparison.Ordinal) || File.ReadAllText(f).Contains("\"/api", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(App, f))
            .ToList();

        Assert.True(literals.Count == 0, "Route literals outside Routes: " + string.Join(", ", literals));
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")));
        Assert.Equal(Routes.Prefix, host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void EveryProblem_HasItsPage()
    {
        Assert.All(Enum.GetValues<Problem>(), kind => Assert.True(ErrorPages.Covers(kind), $"{kind} has no page in ErrorPages"));
        Assert.All(Enum.GetValues<Problem>(), kind => Assert.InRange(ErrorPages.Status(kind), 400, 599));
    }

    [Fact]
    public void EveryLogEvent_HasAName_AndItsOwnId()
    {
        var attributes = Directory.EnumerateFiles(App, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(f))
            .SelectMany(f => LoggerMessage().Matches(File.ReadAllText(f)).Select(m => m.Value)).ToList();
        var ids = attributes.Select(a => EventId().Match(a).Value).ToList();

        Assert.NotEmpty(attributes);
        Assert.All(attributes, a => Assert.Contains("EventName = \"", a, StringComparison.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var names = attributes.Select(a => EventName().Match(a).Value).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(App, folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal));

    /// <summary>Our folders a file names: in using lines (C# and Razor) and in fully qualified names.</summary>
    private static IEnumerable<string> UsedFolders(string source) =>
        OurNamespace().Matches(source).Select(m => m.Groups[1].Value).Where(MayUse.ContainsKey).Distinct();

    private static bool IsBuildOutput(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        || path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    [GeneratedRegex(@"\[LoggerMessage\([^\]]*\]")]
    private static partial Regex LoggerMessage();

    [GeneratedRegex(@"EventName = ""\w+""")]
    private static partial Regex EventName();

    [GeneratedRegex(@"EventId = \d+")]
    private static partial Regex EventId();

    [GeneratedRegex(@"\bFuncMail\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex OurNamespace();

    [GeneratedRegex(@"\b(IActionResult|IResult|HttpResponse|HttpContext|HttpRequest|IQueryCollection|IFormCollection|StatusCodes|CookieOptions|IResponseCookies)\b")]
    private static partial Regex HttpTypes();
}

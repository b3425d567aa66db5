using System.Text.Json;
using System.Text.RegularExpressions;
using FuncMail.Tests.Infrastructure;
using FuncMail.Web;

namespace FuncMail.Tests;

/// <summary>
/// The shape docs/architecture.md draws, kept by reading the source: folders form layers, each using only those
/// below it; HTTP types live at the edge; every route comes from <see cref="Routes"/>; every problem has its page.
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

    public static TheoryData<string> Folders() => [.. MayUse.Keys];

    [Theory]
    [MemberData(nameof(Folders))]
    public void Folder_UsesOnlyTheLayersBelowIt(string folder)
    {
        var upward = SourceFiles(folder)
            .SelectMany(file => UsedFolders(File.ReadAllText(file)).Where(used => used != folder && !MayUse[folder].Contains(used)).Select(used => $"{Path.GetRelativePath(App, file)} uses {used}"))
            .ToList();

        Assert.True(upward.Count == 0, string.Join("\n", upward));
    }

    [Fact]
    public void Kernel_UsesNoFolder()
    {
        Assert.All(Kernel, file => Assert.Empty(UsedFolders(File.ReadAllText(Path.Combine(App, file)))));
    }

    [Theory]
    [InlineData("Storage")]
    [InlineData("Sessions")]
    [InlineData("Auth")]
    [InlineData("Mail")]
    public void LayersBelowTheEdge_SpeakNoHttp(string folder)
    {
        var http = SourceFiles(folder).Where(file => HttpTypes().IsMatch(File.ReadAllText(file))).Select(file => Path.GetRelativePath(App, file)).ToList();

        Assert.True(http.Count == 0, "HTTP types below the edge: " + string.Join(", ", http));
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

    [GeneratedRegex(@"\b(IActionResult|HttpResponse|HttpContext|HttpRequest|IQueryCollection|IFormCollection)\b")]
    private static partial Regex HttpTypes();
}

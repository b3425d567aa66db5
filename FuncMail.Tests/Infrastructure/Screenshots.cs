namespace FuncMail.Tests.Infrastructure;

/// <summary>
/// Screenshots are opt-in: <c>FUNCMAIL_SCREENSHOTS=docs/screenshots dotnet test FuncMail.sln --filter Browser</c>
/// refreshes the README's pictures. Unset, no test writes a file anywhere.
/// </summary>
public static class Screenshots
{
    public const string Variable = "FUNCMAIL_SCREENSHOTS";

    /// <summary>Where to save <paramref name="file"/>, or null when screenshots were not asked for.</summary>
    public static string? PathFor(string file)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } folder)
        {
            return null;
        }

        var directory = Path.GetFullPath(folder, RepoPaths.Root);
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, file);
    }
}

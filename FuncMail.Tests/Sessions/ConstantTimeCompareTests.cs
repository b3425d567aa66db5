using System.Text.RegularExpressions;
using FuncMail.Tests.Infrastructure;

namespace FuncMail.Tests.Sessions;

/// <summary>
/// MACs, state, nonce and anti-forgery tokens are compared in constant time (checklist B2). No test can time a compare,
/// so this one reads the code: in Sessions/ and Auth/ no secret meets <c>==</c>, <c>!=</c>, <c>Equals</c> or
/// <c>SequenceEqual</c>, and each place that checks one calls <c>CryptographicOperations.FixedTimeEquals</c>.
/// </summary>
[Trait("Checklist", "B2")]
public sealed partial class ConstantTimeCompareTests
{
    private static readonly string[] Folders = ["Sessions", "Auth"];

    public static TheoryData<string, int> Checks => new()
    {
        { "Sessions/CookieSigner.cs", 2 },            // the cookie MAC, the sign-out token
        { "Auth/SignInTransactionStore.cs", 1 },      // the state
        { "Auth/IdTokenCheck.cs", 1 },                // the nonce
    };

    [Fact]
    public void SessionsAndAuth_NeverCompareASecretWithAnOrdinaryCompare()
    {
        var offences = new List<string>();
        foreach (var file in Folders.SelectMany(f => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "FuncMail", f), "*.cs")))
        {
            foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
            {
                var code = line.Split("//")[0];
                if (code.Contains("SequenceEqual", StringComparison.Ordinal)
                    || Comparisons().Matches(code).Any(m => IsSecret(m.Groups["left"].Value) || IsSecret(m.Groups["right"].Value)))
                {
                    offences.Add($"{Path.GetFileName(file)}:{number}: {line.Trim()}");
                }
            }
        }

        Assert.True(offences.Count == 0, "Compare secrets with CryptographicOperations.FixedTimeEquals:\n" + string.Join("\n", offences));
    }

    [Theory]
    [MemberData(nameof(Checks))]
    public void EachSecretCheck_UsesFixedTimeEquals(string file, int atLeast) =>
        Assert.True(
            Regex.Count(File.ReadAllText(Path.Combine(RepoPaths.Root, "FuncMail", file)), @"CryptographicOperations\.FixedTimeEquals\(") >= atLeast,
            $"{file} should compare its secrets with CryptographicOperations.FixedTimeEquals at least {atLeast} time(s).");

    // A length or a count is not a secret, even when it is a MAC's.
    private static bool IsSecret(string operand) =>
        SecretName().IsMatch(operand) && !NotSecret().IsMatch(operand);

    [GeneratedRegex(@"(?<left>[\w.\[\]()]+)\s*(?:==|!=)\s*(?<right>[\w.\[\]()""]+)|(?<left>[\w.\[\]()]+)\.Equals\((?<right>[^,)]+)|string\.Equals\((?<left>[^,]+),\s*(?<right>[^,)]+)")]
    private static partial Regex Comparisons();

    [GeneratedRegex("(?i)mac|state|nonce|verifier|csrf|antiforgery|secret|signouttoken")]
    private static partial Regex SecretName();

    [GeneratedRegex("(?i)length|count|bytes")]
    private static partial Regex NotSecret();
}

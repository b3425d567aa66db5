using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FuncMail.Tests.Infra;

/// <summary>
/// Evaluates the part of ARM's template expression language that decides FuncMail's app settings (createObject,
/// union, if, equals, empty, format, parameters, variables…) for given parameter values, so that the infra tests
/// read the settings Azure would write, branch by branch. Anything that needs Azure (reference, resourceId…) stays
/// unevaluated: an <see cref="Opaque"/> holding its source text, which tests can still search.
/// </summary>
/// <remarks>Hand-written: no .NET library evaluates ARM expressions offline (the Bicep CLI only compiles them).</remarks>
public sealed class ArmExpression
{
    private readonly string _text;
    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly JsonObject _variables;
    private int _at;

    private ArmExpression(string text, IReadOnlyDictionary<string, object?> parameters, JsonObject variables)
    {
        _text = text;
        _parameters = parameters;
        _variables = variables;
    }

    /// <summary>An expression Azure would evaluate at deployment: its source text.</summary>
    public sealed record Opaque(string Text)
    {
        public override string ToString() => Text;
    }

    /// <summary>What <c>fail(message)</c> gives: the deployment stops with this message when the branch that holds it is taken.</summary>
    public sealed record Failure(string Message);

    /// <summary>Evaluates a template value: a "[…]" expression string, or a literal (objects and arrays element by element).</summary>
    public static object? Evaluate(JsonNode? value, IReadOnlyDictionary<string, object?> parameters, JsonObject variables) => value switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.StartsWith('[') && !s.StartsWith("[[", StringComparison.Ordinal) =>
            new ArmExpression(s[1..^1], parameters, variables).ParseAll(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var n) => n,
        JsonObject o => o.ToDictionary(p => p.Key, p => Evaluate(p.Value, parameters, variables)),
        JsonArray a => a.Select(e => Evaluate(e, parameters, variables)).ToList(),
        null => null,
        _ => throw new NotSupportedException(value.ToJsonString()),
    };

    private object? ParseAll()
    {
        var value = ParseExpression();
        SkipSpace();
        return _at == _text.Length ? value : throw new FormatException($"Unexpected '{_text[_at..]}' in {_text}");
    }

    private object? ParseExpression()
    {
        SkipSpace();
        var start = _at;
        object? value;
        if (_text[_at] == '\'')
        {
            value = ParseString();
        }
        else if (char.IsDigit(_text[_at]) || _text[_at] == '-')
        {
            while (_at < _text.Length && (char.IsDigit(_text[_at]) || _text[_at] == '-')) { _at++; }
            value = long.Parse(_text[start.._at], CultureInfo.InvariantCulture);
        }
        else
        {
            while (char.IsLetterOrDigit(_text[_at])) { _at++; }
            var name = _text[start.._at];
            Expect('(');
            var arguments = new List<object?>();
            SkipSpace();
            while (_text[_at] != ')')
            {
                arguments.Add(ParseExpression());
                SkipSpace();
                if (_text[_at] == ',') { _at++; }
            }

            _at++;
            value = Call(name, arguments, _text[start.._at]);
        }

        // Property access and indexing: on an object, evaluated; on anything Azure decides, kept as text.
        while (_at < _text.Length && _text[_at] is '.' or '[')
        {
            if (_text[_at] == '.')
            {
                _at++;
                var from = _at;
                while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '_')) { _at++; }
                var property = _text[from.._at];
                value = value is Dictionary<string, object?> map ? map[property] : new Opaque(_text[start.._at]);
            }
            else
            {
                _at++;
                var index = ParseExpression();
                Expect(']');
                value = value is Dictionary<string, object?> map && index is string key ? map[key] : new Opaque(_text[start.._at]);
            }
        }

        return value;
    }

    private object? Call(string name, List<object?> a, string source) => name switch
    {
        "parameters" => _parameters.TryGetValue((string)a[0]!, out var p) ? p : throw new KeyNotFoundException($"No value for parameter {a[0]}"),
        "variables" => Evaluate(_variables[(string)a[0]!], _parameters, _variables),
        "createObject" => Enumerable.Range(0, a.Count / 2).ToDictionary(i => Key(a[2 * i]), i => a[(2 * i) + 1]),
        "createArray" => a.ToList(),
        "union" when a.All(x => x is Dictionary<string, object?>) => a.Cast<Dictionary<string, object?>>().SelectMany(d => d).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        "if" => a[0] is bool condition ? (condition ? a[1] : a[2]) : new Opaque(source),
        "equals" when a.All(x => x is not Opaque) => Equals(a[0], a[1]),
        "empty" when a[0] is not Opaque => a[0] switch { null => true, string s => s.Length == 0, Dictionary<string, object?> d => d.Count == 0, List<object?> l => l.Count == 0, _ => false },
        "not" when a[0] is bool b => !b,
        "greater" when a.All(x => x is long) => (long)a[0]! > (long)a[1]!,
        "fail" when a[0] is string message => new Failure(message),
        "and" when a.All(x => x is bool) => a.All(x => (bool)x!),
        "true" => true,
        "false" => false,
        "format" when a.All(x => x is string or long) => string.Format(CultureInfo.InvariantCulture, (string)a[0]!, a.Skip(1).ToArray()),
        _ => new Opaque(source),
    };

    /// <summary>An object key: evaluated when it can be, otherwise its text (a key Azure names at deployment).</summary>
    private static string Key(object? key) => key switch { string s => s, Opaque o => o.Text, _ => throw new FormatException($"Key {key}") };

    private string ParseString()
    {
        var value = new StringBuilder();
        _at++;
        while (true)
        {
            if (_text[_at] == '\'')
            {
                if (_at + 1 < _text.Length && _text[_at + 1] == '\'')
                {
                    value.Append('\'');
                    _at += 2;
                    continue;
                }

                _at++;
                return value.ToString();
            }

            value.Append(_text[_at++]);
        }
    }

    private void Expect(char c)
    {
        SkipSpace();
        if (_text[_at] != c)
        {
            throw new FormatException($"Expected '{c}' at {_at} in {_text}");
        }

        _at++;
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && _text[_at] == ' ') { _at++; }
    }
}

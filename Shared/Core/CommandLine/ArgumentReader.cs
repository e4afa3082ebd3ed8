using System.Globalization;
using System.Numerics;

namespace DistTrainer.Core.CommandLine;

/// <summary>
/// Reads "--name value" options and "--flag" switches. Every option a command knows is declared
/// by reading it; <see cref="RejectUnread"/> then names any the user gave that nobody read.
/// </summary>
public sealed class ArgumentReader
{
    private readonly Dictionary<string, string?> _values = new();
    private readonly HashSet<string> _read = [];

    public ArgumentReader(IReadOnlyList<string> args, IReadOnlySet<string> flags)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length == 2)
                throw new InvalidInputException($"'{name}': expected an option (--name value)");
            if (_values.ContainsKey(name))
                throw new InvalidInputException($"{name}: given twice");
            if (flags.Contains(name))
            {
                _values[name] = null;
                continue;
            }
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal) && !LooksNumeric(args[i + 1]))
                throw new InvalidInputException($"{name}: needs a value");
            _values[name] = args[++i];
        }
    }

    public bool Has(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public bool Flag(string name) => Has(name);

    public string? String(string name) => Has(name) ? _values[name] : null;

    public string String(string name, string fallback) => String(name) ?? fallback;

    /// <summary>An integer option of type T (int, long, ...) at least <paramref name="min"/>, or null when absent.</summary>
    public T? Integer<T>(string name, T min) where T : struct, IBinaryInteger<T> =>
        String(name) is { } text ? ParseInteger(name, text, min) : null;

    /// <summary>The integer <paramref name="text"/> given for option <paramref name="name"/>, at least <paramref name="min"/>.</summary>
    public static T ParseInteger<T>(string name, string text, T min) where T : struct, IBinaryInteger<T>
    {
        if (!T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new InvalidInputException($"{name}: '{text}' is not an integer");
        if (value < min)
            throw new InvalidInputException($"{name}: {value} is below the minimum {min}");
        return value;
    }

    public float? Float(string name)
    {
        var text = String(name);
        if (text is null) return null;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
            throw new InvalidInputException($"{name}: '{text}' is not a finite number");
        return value;
    }

    public void RejectUnread()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new InvalidInputException($"{unknown[0]}: unknown option");
    }

    private static bool LooksNumeric(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}

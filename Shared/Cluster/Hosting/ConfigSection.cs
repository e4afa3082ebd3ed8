using System.Globalization;
using Akka.Configuration;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// One required section of a node's configuration (the disttrainer sections of deploy/disttrainer.hocon),
/// read so that a missing or unusable value fails with one line naming its full path: Akka's own getters
/// return zero for a missing key, which as a timeout would fail every wait at once.
/// </summary>
public sealed class ConfigSection
{
    private readonly Config _config;

    private ConfigSection(string path, Config config)
    {
        Path = path;
        _config = config;
    }

    /// <summary>The section's full path, such as disttrainer.node.</summary>
    public string Path { get; }

    /// <exception cref="ConfigurationException">the section is not in <paramref name="config"/></exception>
    public static ConfigSection Of(Config config, string path) =>
        config.HasPath(path)
            ? new ConfigSection(path, config.GetConfig(path))
            : throw new ConfigurationException($"{path}: missing from the configuration (every node's defaults are in deploy/disttrainer.hocon)");

    /// <summary>A duration above zero, written as HOCON durations are (10s, 100ms).</summary>
    public TimeSpan Duration(string key)
    {
        string text = Text(key);
        TimeSpan value;
        try
        {
            value = _config.GetTimeSpan(key, allowInfinite: false);
        }
        catch (FormatException)
        {
            throw Invalid(key, text, "a duration such as 10s or 100ms");
        }
        return value > TimeSpan.Zero ? value : throw Invalid(key, text, "a duration above zero");
    }

    /// <summary>A whole number of zero or more.</summary>
    public int Count(string key)
    {
        string text = Text(key);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Invalid(key, text, "a whole number of zero or more");
    }

    /// <summary>A whole number of one or more: a bound that zero would turn into refusing everything.</summary>
    public int CountOfOneOrMore(string key)
    {
        int count = Count(key);
        return count >= 1 ? count : throw Invalid(key, Text(key), "a count of one or more");
    }

    /// <summary>A number of zero or more, at least <paramref name="minAboveZero"/> unless it is zero (which turns the setting off).</summary>
    public double Number(string key, double minAboveZero)
    {
        string text = Text(key);
        return double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) &&
               (value == 0 || value >= minAboveZero)
            ? value
            : throw Invalid(key, text, $"0 (off) or a number of at least {minAboveZero.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>A switch, written on or off (true and false too).</summary>
    public bool Switch(string key)
    {
        string text = Text(key);
        return text.ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            _ => throw Invalid(key, text, "on or off"),
        };
    }

    /// <summary>A size above zero in bytes, written as HOCON sizes are (64MiB, 512KiB, 1048576).</summary>
    public long Bytes(string key)
    {
        string text = Text(key);
        long? value;
        try
        {
            value = _config.GetByteSize(key);
        }
        catch (FormatException)
        {
            throw Invalid(key, text, "a size such as 64MiB or 512KiB");
        }
        return value > 0 ? value.Value : throw Invalid(key, text, "a size above zero such as 64MiB");
    }

    private string Text(string key) =>
        _config.HasPath(key) ? _config.GetString(key) : throw new ConfigurationException($"{Path}.{key}: missing from the configuration");

    private ConfigurationException Invalid(string key, string text, string expected) =>
        new($"{Path}.{key}: '{text}' is not {expected}");
}

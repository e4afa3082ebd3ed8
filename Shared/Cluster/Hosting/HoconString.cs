using System.Text;

namespace DistTrainer.Cluster.Hosting;

/// <summary>
/// A HOCON quoted string (JSON's string syntax) for a value written into a node's configuration. Written here rather
/// than with the JSON serializer, whose assembly and code every node would otherwise load, and keep mapped, for this
/// one call at start.
/// </summary>
internal static class HoconString
{
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            if (c is '"' or '\\')
                quoted.Append('\\').Append(c);
            else if (char.IsControl(c))
                quoted.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            else
                quoted.Append(c);
        }
        return quoted.Append('"').ToString();
    }
}

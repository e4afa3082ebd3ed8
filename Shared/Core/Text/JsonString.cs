using System.Globalization;
using System.Text;

namespace DistTrainer.Core.Text;

/// <summary>
/// A JSON string literal written the way serde_json writes one: only quotes, backslashes and control characters below
/// U+0020 escaped, everything else as it is. The safetensors header is byte-compared with the files PyTorch's side
/// writes, so it needs this exact form; a node's HOCON takes the same literal, and needs no JSON serializer loaded for it.
/// </summary>
public static class JsonString
{
    public static StringBuilder Append(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }

        return json.Append('"');
    }

    public static string Quote(string value) => Append(new StringBuilder(value.Length + 2), value).ToString();
}

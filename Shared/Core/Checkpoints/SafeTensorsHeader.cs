using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using DistTrainer.Core.Text;

namespace DistTrainer.Core.Checkpoints;

/// <summary>Where one tensor lies in the data buffer that follows the header.</summary>
internal sealed record SafeTensorEntry(string Name, string DType, int[] Shape, long Begin, long End)
{
    public long ByteCount => End - Begin;
}

/// <summary>
/// The JSON header of a safetensors file: the tensor entries, in data-buffer order, and the
/// free-form string metadata.
/// </summary>
internal sealed class SafeTensorsHeader(IReadOnlyList<SafeTensorEntry> entries, IReadOnlyDictionary<string, string> metadata)
{
    public const string MetadataKey = "__metadata__";

    public IReadOnlyList<SafeTensorEntry> Entries { get; } = entries;

    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>
    /// Parses and checks a header against the <paramref name="dataLength"/> bytes of data after it: every
    /// entry well formed, and the entries' byte ranges tiling the data exactly, without gap or overlap.
    /// </summary>
    public static SafeTensorsHeader Parse(string path, ReadOnlyMemory<byte> json, long dataLength)
    {
        if (!Utf8.IsValid(json.Span))
        {
            throw Invalid(path, "the header is not valid UTF-8");
        }

        using JsonDocument document = ParseJson(path, json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"the header is a JSON {document.RootElement.ValueKind}, expected an object");
        }

        var entries = new List<SafeTensorEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, string>? metadata = null;
        foreach (JsonProperty property in document.RootElement.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                throw Invalid(path, $"'{property.Name}' appears twice in the header");
            }

            if (property.Name == MetadataKey)
            {
                metadata = ParseMetadata(path, property.Value);
            }
            else
            {
                entries.Add(ParseEntry(path, property.Name, property.Value));
            }
        }

        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        CheckTiling(path, entries, dataLength);
        return new SafeTensorsHeader(entries, metadata ?? new Dictionary<string, string>());
    }

    /// <summary>
    /// The header bytes as the reference writer produces them: compact JSON, metadata first, then the
    /// entries in data order, padded with spaces to a multiple of 8 bytes so the data stays aligned.
    /// Metadata keys go in ordinal order (the reference writer's order there is its hash map's).
    /// </summary>
    public static byte[] Format(IEnumerable<SafeTensorEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder("{");
        if (metadata is not null)
        {
            JsonString.Append(json, MetadataKey).Append(":{");
            foreach ((string key, string value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                JsonString.Append(json, key).Append(':');
                JsonString.Append(json, value).Append(',');
            }

            TrimComma(json).Append("},");
        }

        foreach (SafeTensorEntry entry in entries)
        {
            JsonString.Append(json, entry.Name).Append(":{\"dtype\":");
            JsonString.Append(json, entry.DType).Append(",\"shape\":[").AppendJoin(',', entry.Shape)
                .Append("],\"data_offsets\":[").Append(entry.Begin).Append(',').Append(entry.End).Append("]},");
        }

        TrimComma(json).Append('}');
        int length = Encoding.UTF8.GetByteCount(json.ToString());
        json.Append(' ', (8 - length % 8) % 8);
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static JsonDocument ParseJson(string path, ReadOnlyMemory<byte> json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"the header is not valid JSON: {e.Message}");
        }
    }

    private static Dictionary<string, string> ParseMetadata(string path, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"{MetadataKey} is a JSON {element.ValueKind}, expected an object of strings");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(path, $"{MetadataKey} '{property.Name}' is a JSON {property.Value.ValueKind}, expected a string");
            }

            if (!metadata.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw Invalid(path, $"{MetadataKey} '{property.Name}' appears twice");
            }
        }

        return metadata;
    }

    private static SafeTensorEntry ParseEntry(string path, string name, JsonElement element)
    {
        string tensor = $"tensor '{name}'";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"{tensor} is a JSON {element.ValueKind}, expected an object");
        }

        if (!element.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Invalid(path, $"{tensor} has no string \"dtype\"");
        }

        string dtype = dtypeElement.GetString()!;
        if (!SafeTensorDTypes.IsKnown(dtype))
        {
            throw Invalid(path, $"{tensor} has unknown dtype '{dtype}'");
        }

        long[] shape = ReadNaturals(path, tensor, element, "shape", count: null, max: int.MaxValue);
        long[] offsets = ReadNaturals(path, tensor, element, "data_offsets", count: 2, max: long.MaxValue);
        (long begin, long end) = (offsets[0], offsets[1]);
        if (end < begin)
        {
            throw Invalid(path, $"{tensor} has data_offsets [{begin}, {end}] that end before they begin");
        }

        int[] dimensions = Array.ConvertAll(shape, d => (int)d);
        long expectedBytes;
        try
        {
            expectedBytes = checked(SafeTensor.ElementCountOf(dimensions) * SafeTensorDTypes.ElementSize(dtype));
        }
        catch (OverflowException)
        {
            throw Invalid(path, $"{tensor} has shape {SafeTensor.ShapeText(dimensions)}, too large to address");
        }

        if (end - begin != expectedBytes)
        {
            throw Invalid(path,
                $"{tensor} has data_offsets [{begin}, {end}] holding {end - begin} bytes, but {dtype} {SafeTensor.ShapeText(dimensions)} needs {expectedBytes}");
        }

        return new SafeTensorEntry(name, dtype, dimensions, begin, end);
    }

    private static long[] ReadNaturals(string path, string tensor, JsonElement element, string field, int? count, long max)
    {
        string expected = count is null ? "an array of non-negative integers" : $"an array of {count} non-negative integers";
        if (!element.TryGetProperty(field, out JsonElement array) || array.ValueKind != JsonValueKind.Array
            || (count is not null && array.GetArrayLength() != count))
        {
            throw Invalid(path, $"{tensor} needs \"{field}\" as {expected}");
        }

        var values = new long[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out values[i]) || values[i] < 0 || values[i] > max)
            {
                throw Invalid(path, $"{tensor} has \"{field}\" {item.GetRawText()} where it needs {expected} up to {max}");
            }

            i++;
        }

        return values;
    }

    private static void CheckTiling(string path, List<SafeTensorEntry> entries, long dataLength)
    {
        SafeTensorEntry? previous = null;
        foreach (SafeTensorEntry entry in entries)
        {
            string range = $"tensor '{entry.Name}' at [{entry.Begin}, {entry.End}]";
            long expectedBegin = previous?.End ?? 0;
            if (entry.End > dataLength)
            {
                throw Invalid(path, $"truncated: {range} ends beyond the {dataLength} bytes of data in the file");
            }

            if (entry.Begin < expectedBegin)
            {
                throw Invalid(path, $"{range} overlaps tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}]");
            }

            if (entry.Begin > expectedBegin)
            {
                throw Invalid(path, $"{range} leaves bytes [{expectedBegin}, {entry.Begin}) of the data unused");
            }

            previous = entry;
        }

        long covered = previous?.End ?? 0;
        if (covered != dataLength)
        {
            throw Invalid(path, $"the file has {dataLength} bytes of data but its tensors cover {covered}, {dataLength - covered} bytes left over");
        }
    }

    private static StringBuilder TrimComma(StringBuilder json) => json[^1] == ',' ? json.Remove(json.Length - 1, 1) : json;

    private static InvalidInputException Invalid(string path, string problem) => new($"{path}: {problem}");
}

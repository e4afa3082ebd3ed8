using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using DistTrainer.Core.Checkpoints;
using Xunit;

namespace DistTrainer.Core.Tests.Checkpoints;

public sealed class SafeTensorsFileTests : IDisposable
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Checkpoints");

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Round_trips_tensors_of_every_type_and_the_metadata()
    {
        SafeTensor[] written =
        [
            SafeTensor.FromFloats("0.weight", [2, 3], [1f, 2f, 3f, 4f, 5f, -6f]),
            new("double", "F64", [2], [.. BitConverter.GetBytes(0.5), .. BitConverter.GetBytes(-1e300)]),
            new("ints", "I32", [1, 1, 2], [1, 0, 0, 0, 255, 255, 255, 255]),
            SafeTensor.FromInt64Scalar("1.num_batches_tracked", 42),
            SafeTensor.FromFloats("empty", [0, 5], []),
        ];
        string path = _directory.File("model.safetensors");

        SafeTensorsFile.Write(path, written, new Dictionary<string, string> { ["step"] = "7", ["optimizer"] = "adam" });
        var (tensors, metadata) = SafeTensorsFile.Read(path);

        Assert.Equal(written.Length, tensors.Count);
        foreach (SafeTensor expected in written)
        {
            SafeTensor actual = tensors[expected.Name];
            Assert.Equal(expected.DType, actual.DType);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(expected.Data, actual.Data);
        }

        Assert.Equal(42, tensors["1.num_batches_tracked"].ToInt64());
        Assert.Equal(new Dictionary<string, string> { ["optimizer"] = "adam", ["step"] = "7" }, metadata);
    }

    [Fact]
    public void Reads_the_state_dict_PyTorch_wrote()
    {
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "sequential.expected.json")));

        var (tensors, metadata) = SafeTensorsFile.Read(Path.Combine(FixtureDirectory, "sequential.safetensors"));

        Assert.Equal(
            ["0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "3.bias", "3.weight"],
            tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([4, 3], tensors["0.weight"].Shape);
        Assert.Equal([2, 4], tensors["3.weight"].Shape);
        Assert.Equal(3, tensors["1.num_batches_tracked"].ToInt64());
        Assert.Empty(tensors["1.num_batches_tracked"].Shape);
        foreach (JsonProperty property in expected.RootElement.EnumerateObject())
        {
            SafeTensor tensor = tensors[property.Name];
            Assert.Equal(property.Value.GetProperty("dtype").GetString(), tensor.DType);
            Assert.Equal(property.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), tensor.Shape);
            if (tensor.DType == SafeTensorDTypes.F32)
            {
                Assert.Equal(property.Value.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()), tensor.ToFloats());
            }
        }

        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, metadata);
    }

    [Fact]
    public void Writes_the_PyTorch_file_byte_for_byte()
    {
        string fixture = Path.Combine(FixtureDirectory, "sequential.safetensors");
        var (tensors, metadata) = SafeTensorsFile.Read(fixture);
        string path = _directory.File("rewritten.safetensors");

        SafeTensorsFile.Write(path, tensors.Values.Reverse(), metadata);

        Assert.Equal(File.ReadAllBytes(fixture), File.ReadAllBytes(path));
    }

    [Fact]
    public void Lays_out_tensors_by_descending_dtype_order_then_name()
    {
        string path = _directory.File("order.safetensors");

        SafeTensorsFile.Write(path,
        [
            new("a", "I32", [], new byte[4]), SafeTensor.FromFloats("c", [], [1f]), SafeTensor.FromFloats("b", [], [1f]),
            new("d", "F64", [], new byte[8]), SafeTensor.FromInt64Scalar("e", 1),
        ], null);

        Assert.Equal(
            "{\"e\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}," +
            "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[16,20]}," +
            "\"c\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[20,24]}," +
            "\"a\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[24,28]}}    ",
            HeaderText(path));
    }

    [Fact]
    public void Writes_the_reference_bytes_of_a_single_tensor()
    {
        string path = _directory.File("single.safetensors");

        SafeTensorsFile.Write(path, [SafeTensor.FromFloats("attn.0", [1, 2, 3], [0f, 1f, 2f, 3f, 4f, 5f])], null);

        byte[] expected =
        [
            64, 0, 0, 0, 0, 0, 0, 0,
            .. "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"u8,
            0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(false, "{}      ")]
    [InlineData(true, "{\"__metadata__\":{}}     ")]
    public void Writes_a_file_without_tensors(bool withMetadata, string header)
    {
        string path = _directory.File("empty.safetensors");

        SafeTensorsFile.Write(path, [], withMetadata ? new Dictionary<string, string>() : null);

        Assert.Equal(header, HeaderText(path));
        Assert.Equal(8 + header.Length, new FileInfo(path).Length);
        Assert.Empty(SafeTensorsFile.Read(path).Tensors);
    }

    [Fact]
    public void Escapes_metadata_like_the_reference_writer()
    {
        string path = _directory.File("escaped.safetensors");
        var metadata = new Dictionary<string, string> { ["note"] = "a\"b\\c\nd\u0001é/<" };

        SafeTensorsFile.Write(path, [], metadata);

        Assert.Equal("{\"__metadata__\":{\"note\":\"a\\\"b\\\\c\\nd\\u0001é/<\"}}", HeaderText(path).TrimEnd(' '));
        Assert.Equal(metadata, SafeTensorsFile.Read(path).Metadata);
    }

    [Fact]
    public void Write_rejects_inconsistent_tensors()
    {
        string path = _directory.File("bad.safetensors");

        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, [new("w", "F32", [2], new byte[4])], null));
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, [new("w", "F128", [], new byte[16])], null));
        Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(path, [new("__metadata__", "F32", [], new byte[4])], null));
        Assert.Throws<ArgumentException>(() =>
            SafeTensorsFile.Write(path, [SafeTensor.FromFloats("w", [], [1f]), SafeTensor.FromFloats("w", [], [2f])], null));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Failed_write_leaves_the_old_file_intact()
    {
        string path = _directory.File("model.safetensors");
        SafeTensorsFile.Write(path, [SafeTensor.FromFloats("w", [1], [1f])], null);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => SafeTensorsFile.Write(path, ThrowsAfterOneTensor(), null));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Write_replaces_an_existing_file()
    {
        string path = _directory.File("model.safetensors");
        SafeTensorsFile.Write(path, [SafeTensor.FromFloats("w", [1], [1f])], null);

        SafeTensorsFile.Write(path, [SafeTensor.FromFloats("w", [2], [2f, 3f])], null);

        Assert.Equal([2f, 3f], SafeTensorsFile.Read(path).Tensors["w"].ToFloats());
        Assert.Equal([path], Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void Missing_file_is_named()
    {
        string path = _directory.File("absent.safetensors");

        var error = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: file not found", error.Message);
    }

    [Fact]
    public void File_shorter_than_the_length_field_is_truncated()
    {
        string path = _directory.Write("short.safetensors", [8, 0, 0]);

        var error = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: truncated: 3 bytes, a safetensors file starts with an 8-byte header length", error.Message);
    }

    [Fact]
    public void Header_length_beyond_the_file_is_truncated()
    {
        byte[] content = File.ReadAllBytes(Path.Combine(FixtureDirectory, "sequential.safetensors"));
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(content);
        string path = _directory.Write("cut.safetensors", content[..(8 + headerLength - 1)]);

        var error = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Read(path));

        Assert.Equal(
            $"{path}: truncated: the header length {headerLength} goes beyond the end of the file ({8 + headerLength - 1} bytes)",
            error.Message);
    }

    [Fact]
    public void Cut_data_is_truncated()
    {
        byte[] content = File.ReadAllBytes(Path.Combine(FixtureDirectory, "sequential.safetensors"));
        string path = _directory.Write("cut.safetensors", content[..^4]);

        var error = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: truncated: tensor '3.weight' at [144, 176] ends beyond the 172 bytes of data in the file", error.Message);
    }

    [Theory]
    [InlineData("[]", 0, "the header is a JSON Array, expected an object")]
    [InlineData("{\"__metadata__\":[]}", 0, "__metadata__ is a JSON Array, expected an object of strings")]
    [InlineData("{\"__metadata__\":{\"step\":3}}", 0, "__metadata__ 'step' is a JSON Number, expected a string")]
    [InlineData("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0, "__metadata__ 'a' appears twice")]
    [InlineData("{\"w\":[]}", 0, "tensor 'w' is a JSON Array, expected an object")]
    [InlineData("{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}", 4, "tensor 'w' has no string \"dtype\"")]
    [InlineData("{\"w\":{\"dtype\":\"F128\",\"shape\":[],\"data_offsets\":[0,16]}}", 16, "tensor 'w' has unknown dtype 'F128'")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4,
        "tensor 'w' needs \"shape\" as an array of non-negative integers")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
        "tensor 'w' has \"shape\" -1 where it needs an array of non-negative integers up to 2147483647")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4,
        "tensor 'w' has \"shape\" 1.5 where it needs an array of non-negative integers up to 2147483647")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0]}}", 4,
        "tensor 'w' needs \"data_offsets\" as an array of 2 non-negative integers")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,0]}}", 4,
        "tensor 'w' has data_offsets [4, 0] that end before they begin")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
        "tensor 'w' has data_offsets [0, 8] holding 8 bytes, but F32 [3] needs 12")]
    [InlineData("{\"w\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8,
        "tensor 'w' has shape [2147483647, 2147483647, 2147483647], too large to address")]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}", 8,
        "'w' appears twice in the header")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]}}", 8,
        "tensor 'b' at [4, 8] overlaps tensor 'a' at [0, 8]")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}", 12,
        "tensor 'b' at [8, 12] leaves bytes [4, 8) of the data unused")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", 6,
        "the file has 6 bytes of data but its tensors cover 4, 2 bytes left over")]
    public void CorruptHeaderIsNamed(string header, int dataLength, string problem)
    {
        string path = _directory.Write("corrupt.safetensors", FileWithHeader(Encoding.UTF8.GetBytes(header), dataLength));

        var error = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: {problem}", error.Message);
    }

    [Fact]
    public void Invalid_json_is_named()
    {
        string path = _directory.Write("corrupt.safetensors", FileWithHeader("{\"w\":"u8.ToArray(), 0));

        var error = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Read(path));

        Assert.StartsWith($"{path}: the header is not valid JSON: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Invalid_utf_8_is_named()
    {
        string path = _directory.Write("corrupt.safetensors", FileWithHeader([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'], 0));

        var error = Assert.Throws<InvalidInputException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: the header is not valid UTF-8", error.Message);
    }

    private static byte[] FileWithHeader(byte[] header, int dataLength)
    {
        var content = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(content, (ulong)header.Length);
        header.CopyTo(content, 8);
        return content;
    }

    private static string HeaderText(string path)
    {
        byte[] content = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(content);
        return Encoding.UTF8.GetString(content, 8, length);
    }

    private static IEnumerable<SafeTensor> ThrowsAfterOneTensor()
    {
        yield return SafeTensor.FromFloats("w", [1], [2f]);
        throw new IOException("the source of the tensors failed");
    }
}

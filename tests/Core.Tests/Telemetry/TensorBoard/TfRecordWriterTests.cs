using DistTrainer.Core.Telemetry.TensorBoard;
using Xunit;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

public sealed class TfRecordWriterTests
{
    [Fact]
    public void A_record_is_its_length_the_length_s_masked_crc_the_bytes_and_their_masked_crc()
    {
        var stream = new MemoryStream();
        using (var writer = new TfRecordWriter(stream)) writer.Write("abc"u8);

        // The same record framed by Python's struct and crcmod.
        Assert.Equal("0300000000000000b099490e6162636e57f121", Convert.ToHexStringLower(stream.ToArray()));
    }

    [Fact]
    public void Records_read_back_in_order_and_every_flipped_byte_is_detected()
    {
        var stream = new MemoryStream();
        using (var writer = new TfRecordWriter(stream))
        {
            writer.Write([1, 2, 3]);
            writer.Write([]);
            writer.Write([9]);
        }
        byte[] file = stream.ToArray();

        Assert.Equal([[1, 2, 3], [], [9]], EventFileReader.Records(file).Select(r => r.ToArray()));
        for (int i = 0; i < file.Length; i++)
        {
            byte[] corrupted = (byte[])file.Clone();
            corrupted[i] ^= 0x10;
            Assert.Throws<InvalidDataException>(() => EventFileReader.Records(corrupted));
        }
    }

    [Fact]
    public void A_file_cut_inside_a_record_is_detected()
    {
        var stream = new MemoryStream();
        using (var writer = new TfRecordWriter(stream)) writer.Write([1, 2, 3, 4]);

        var error = Assert.Throws<InvalidDataException>(() => EventFileReader.Records(stream.ToArray()[..^2]));
        Assert.Contains("byte 0", error.Message);
    }
}

using System.Text;
using DistTrainer.Core.Telemetry.TensorBoard;
using Xunit;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

public sealed class MaskedCrc32CTests
{
    [Fact]
    public void The_crc_is_castagnoli_s_on_the_check_string() =>
        Assert.Equal(0xE3069283u, MaskedCrc32C.Crc(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void The_crc_matches_the_iscsi_test_vectors_of_rfc_3720()
    {
        Assert.Equal(0x8A9136AAu, MaskedCrc32C.Crc(new byte[32]));
        Assert.Equal(0x62A8AB43u, MaskedCrc32C.Crc(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, MaskedCrc32C.Crc(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x113FDB5Cu, MaskedCrc32C.Crc(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray()));
    }

    [Fact]
    public void The_mask_rotates_by_15_bits_and_adds_tensorflow_s_constant()
    {
        // The masked value of the check string as Python's crcmod and TensorFlow's formula give it.
        Assert.Equal(0xC78AB0E5u, MaskedCrc32C.Of(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xA282EAD8u, MaskedCrc32C.Mask(0));
    }
}

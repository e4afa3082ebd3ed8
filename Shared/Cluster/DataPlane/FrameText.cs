using System.Runtime.InteropServices;
using System.Text;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Text payloads (Hello, Refused) travel in the same float[] buffers as tensors: the UTF-8 bytes,
/// zero-padded to a whole float, with the exact byte count in the header.
/// </summary>
internal static class FrameText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static float[] Encode(string text, out int byteCount)
    {
        byteCount = Strict.GetByteCount(text);
        var payload = new float[(byteCount + sizeof(float) - 1) / sizeof(float)];
        Strict.GetBytes(text, MemoryMarshal.AsBytes(payload.AsSpan()));
        return payload;
    }

    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new FrameProtocolException("text payload is not valid UTF-8");
        }
    }
}

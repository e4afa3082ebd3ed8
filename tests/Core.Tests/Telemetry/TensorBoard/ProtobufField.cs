namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

/// <summary>One field of a protobuf message as it sits on the wire: its number, wire type and raw value.</summary>
internal readonly record struct ProtobufField(int Number, int WireType, ulong Scalar, ReadOnlyMemory<byte> Bytes)
{
    public double Double => BitConverter.UInt64BitsToDouble(Scalar);
    public float Float => BitConverter.UInt32BitsToSingle((uint)Scalar);
    public string String => System.Text.Encoding.UTF8.GetString(Bytes.Span);
}

using DistTrainer.Core.Telemetry.TensorBoard;

namespace DistTrainer.Core.Tests.Telemetry.TensorBoard;

/// <summary>One summary value read back from an event file: a scalar, or a histogram.</summary>
internal sealed record DecodedValue(string Tag, float? Scalar, Histogram? Histogram);

/// <summary>One event read back from an event file.</summary>
internal sealed record DecodedEvent(double WallTime, long Step, string? FileVersion, IReadOnlyList<DecodedValue> Values);
